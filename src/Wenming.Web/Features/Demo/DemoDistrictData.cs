namespace Wenming.Web.Features.Demo;

/// <summary>A demo district (one tenant) with its center, institutes and naming material for generated stations.</summary>
internal sealed record DemoDistrict(
    int Number,
    string Code,
    string Name,
    string EnglishName,
    string CenterName,
    string CenterAddress,
    double Latitude,
    double Longitude,
    string WorkflowPreset,
    IReadOnlyList<string> Platforms,
    IReadOnlyList<string> SubCenters,
    IReadOnlyList<DemoInstitute> Institutes,
    IReadOnlyList<string> StationStems);

/// <summary>A town / street institute (所); KnownStations are real village / community names, at most StationCount of them.</summary>
internal sealed record DemoInstitute(string Name, int StationCount, IReadOnlyList<string> KnownStations);

/// <summary>
/// Static data for the five demo districts, taken from the seed articles where they say it
/// (unit counts, platforms, named towns and communities) and completed from the districts'
/// administrative divisions. Station counts per institute are plausible, not official, but
/// sum to the totals the articles give.
/// </summary>
internal static class DemoDistrictData
{
    internal static readonly IReadOnlyList<DemoDistrict> All =
    [
        // 1. 九龙坡区: 1 center, 13 institutes, 149 stations, 9 sub-centers (seeds 000, 002).
        // The 13 institutes are the district's directly administered 9 streets and 4 towns
        // (the other towns are run by 重庆高新区); the articles still call 九龙街道 "九龙镇".
        new DemoDistrict(
            Number: 1,
            Code: "500107",
            Name: "重庆市九龙坡区",
            EnglishName: "Jiulongpo District, Chongqing",
            CenterName: "九龙坡区新时代文明实践中心",
            CenterAddress: "重庆市九龙坡区九龙镇盘龙新城社区",
            Latitude: 29.5030,
            Longitude: 106.5110,
            WorkflowPreset: "jiulongpo",
            Platforms: ["理论宣讲", "教育服务", "文化服务", "科技与科普", "卫生体育", "法律服务", "关爱帮扶", "文明创建", "全媒体服务"],
            SubCenters:
            [
                "区委党校新时代文明实践分中心",
                "区教委新时代文明实践分中心",
                "区文化旅游委新时代文明实践分中心",
                "区科协新时代文明实践分中心",
                "区卫生健康委新时代文明实践分中心",
                "区司法局新时代文明实践分中心",
                "区民政局新时代文明实践分中心",
                "团区委新时代文明实践分中心",
                "区融媒体中心新时代文明实践分中心",
            ],
            Institutes:
            [
                new DemoInstitute("杨家坪街道新时代文明实践所", 10, []),
                new DemoInstitute("黄桷坪街道新时代文明实践所", 12, []),
                new DemoInstitute("谢家湾街道新时代文明实践所", 9, []),
                new DemoInstitute("石坪桥街道新时代文明实践所", 7, []),
                new DemoInstitute("石桥铺街道新时代文明实践所", 11, ["朝阳路社区"]),
                new DemoInstitute("中梁山街道新时代文明实践所", 11, []),
                new DemoInstitute("渝州路街道新时代文明实践所", 8, []),
                new DemoInstitute("二郎街道新时代文明实践所", 7, []),
                new DemoInstitute("九龙镇新时代文明实践所", 10, ["盘龙新城社区"]),
                new DemoInstitute("华岩镇新时代文明实践所", 15, ["民安华福社区"]),
                new DemoInstitute("陶家镇新时代文明实践所", 14, []),
                new DemoInstitute("西彭镇新时代文明实践所", 20, ["长石村"]),
                new DemoInstitute("铜罐驿镇新时代文明实践所", 15, ["英雄湾村"]),
            ],
            StationStems:
            [
                "杨柳", "石桥", "黄桷", "白鹤", "龙泉", "新华", "和平", "民主", "团结", "建设",
                "红光", "胜利", "光明", "朝阳", "盘龙", "彩云", "华福", "科园", "歇台", "马王",
                "铁马", "巴山", "金鳌", "松林", "杉树", "楠木", "柏林", "桂花", "兰花", "梅子",
                "桃源", "沙湾", "河坝", "堰塘", "水井", "大田", "新桥", "老街", "坪山", "坡头",
                "垭口", "槽房", "磨房", "碾盘", "凉亭", "玉清", "双龙", "五龙", "银河", "星光",
                "锦绣", "花溪", "清水", "鹤泉", "西郊", "滩子", "火炬", "铝城", "冬笋", "真武",
                "观音", "石岗", "高峰", "长江", "双溪", "青杠", "燕子", "龙腾", "文华", "玉龙",
            ]),

        // 2. 海淀区: 1 center, 29 institutes, 648 stations (seed 001). The article names no
        // platforms, so the Jiulongpo nine are used. Institutes: the 22 streets and 7 towns.
        new DemoDistrict(
            Number: 2,
            Code: "110108",
            Name: "北京市海淀区",
            EnglishName: "Haidian District, Beijing",
            CenterName: "海淀区新时代文明实践中心",
            CenterAddress: "北京市海淀区长春桥路17号",
            Latitude: 39.9593,
            Longitude: 116.2981,
            WorkflowPreset: "haidian",
            Platforms: ["理论宣讲", "教育服务", "文化服务", "科技与科普", "卫生体育", "法律服务", "关爱帮扶", "文明创建", "全媒体服务"],
            SubCenters: [],
            Institutes:
            [
                new DemoInstitute("万寿路街道新时代文明实践所", 27, []),
                new DemoInstitute("永定路街道新时代文明实践所", 13, []),
                new DemoInstitute("羊坊店街道新时代文明实践所", 26, []),
                new DemoInstitute("甘家口街道新时代文明实践所", 22, []),
                new DemoInstitute("八里庄街道新时代文明实践所", 25, []),
                new DemoInstitute("紫竹院街道新时代文明实践所", 23, []),
                new DemoInstitute("北下关街道新时代文明实践所", 24, []),
                new DemoInstitute("北太平庄街道新时代文明实践所", 32, []),
                new DemoInstitute("学院路街道新时代文明实践所", 32, []),
                new DemoInstitute("中关村街道新时代文明实践所", 28, []),
                new DemoInstitute("海淀街道新时代文明实践所", 22, []),
                new DemoInstitute("青龙桥街道新时代文明实践所", 20, []),
                new DemoInstitute("清华园街道新时代文明实践所", 11, []),
                new DemoInstitute("燕园街道新时代文明实践所", 8, ["燕东园社区", "蔚秀园社区", "畅春园社区"]),
                new DemoInstitute("香山街道新时代文明实践所", 10, []),
                new DemoInstitute("清河街道新时代文明实践所", 28, []),
                new DemoInstitute("花园路街道新时代文明实践所", 24, []),
                new DemoInstitute("西三旗街道新时代文明实践所", 23, []),
                new DemoInstitute("马连洼街道新时代文明实践所", 17, []),
                new DemoInstitute("田村路街道新时代文明实践所", 17, []),
                new DemoInstitute("上地街道新时代文明实践所", 14, ["上地东里社区", "上地西里社区"]),
                new DemoInstitute("曙光街道新时代文明实践所", 18, []),
                new DemoInstitute("四季青镇新时代文明实践所", 30, []),
                new DemoInstitute("海淀镇新时代文明实践所", 22, []),
                new DemoInstitute("东升镇新时代文明实践所", 25, []),
                new DemoInstitute("温泉镇新时代文明实践所", 30, ["白家疃村"]),
                new DemoInstitute("西北旺镇新时代文明实践所", 30, []),
                new DemoInstitute("苏家坨镇新时代文明实践所", 27, ["北安河村", "车耳营村", "聂各庄村"]),
                new DemoInstitute("上庄镇新时代文明实践所", 20, []),
            ],
            StationStems:
            [
                "万柳", "双榆", "知春", "北洼", "西钓", "六郎", "紫竹", "车道", "蓝靛", "厂洼",
                "魏公", "双清", "牡丹", "塔院", "志新", "学知", "明光", "皂君", "北沙", "巴沟",
                "稻香", "颐和", "功德", "香泉", "冷泉", "永丰", "树村", "前屯", "后屯", "辛店",
                "小营", "安宁", "毛纺", "朱房", "建材", "育新", "唐家", "韩家", "杨庄", "太舟",
                "亮甲", "草场", "玉泉", "增光", "三里", "北蜂", "肖家", "四道", "苏州", "慈寿",
                "航天", "恩济", "定慧", "世纪", "翠微", "复兴", "锦秋", "远大", "旗胜", "百旺",
                "圆明", "正白", "镶红", "海淀", "东冉", "西冉", "黄庄", "科源", "西苑", "知本",
            ]),

        // 3. 开州区: 40 乡镇(街道), 535 村(社区) (seed 003): 8 streets (正安 was 镇安镇 until
        // 2020), 27 towns, 5 乡. No platforms named, so the Jiulongpo nine.
        new DemoDistrict(
            Number: 3,
            Code: "500154",
            Name: "重庆市开州区",
            EnglishName: "Kaizhou District, Chongqing",
            CenterName: "开州区新时代文明实践中心",
            CenterAddress: "重庆市开州区汉丰街道开州大道",
            Latitude: 31.1608,
            Longitude: 108.3931,
            WorkflowPreset: "kaizhou",
            Platforms: ["理论宣讲", "教育服务", "文化服务", "科技与科普", "卫生体育", "法律服务", "关爱帮扶", "文明创建", "全媒体服务"],
            SubCenters: [],
            Institutes:
            [
                new DemoInstitute("汉丰街道新时代文明实践所", 20, ["迎宾社区"]),
                new DemoInstitute("文峰街道新时代文明实践所", 14, ["文成社区"]),
                new DemoInstitute("云枫街道新时代文明实践所", 12, []),
                new DemoInstitute("镇东街道新时代文明实践所", 10, []),
                new DemoInstitute("丰乐街道新时代文明实践所", 14, []),
                new DemoInstitute("白鹤街道新时代文明实践所", 12, []),
                new DemoInstitute("赵家街道新时代文明实践所", 13, []),
                new DemoInstitute("正安街道新时代文明实践所", 10, ["白华村", "紫薇社区"]),
                new DemoInstitute("大德镇新时代文明实践所", 14, []),
                new DemoInstitute("厚坝镇新时代文明实践所", 13, []),
                new DemoInstitute("金峰镇新时代文明实践所", 13, []),
                new DemoInstitute("温泉镇新时代文明实践所", 21, []),
                new DemoInstitute("郭家镇新时代文明实践所", 18, []),
                new DemoInstitute("白桥镇新时代文明实践所", 14, []),
                new DemoInstitute("和谦镇新时代文明实践所", 15, []),
                new DemoInstitute("河堰镇新时代文明实践所", 12, []),
                new DemoInstitute("大进镇新时代文明实践所", 14, []),
                new DemoInstitute("谭家镇新时代文明实践所", 13, []),
                new DemoInstitute("敦好镇新时代文明实践所", 16, []),
                new DemoInstitute("高桥镇新时代文明实践所", 14, []),
                new DemoInstitute("九龙山镇新时代文明实践所", 13, []),
                new DemoInstitute("天和镇新时代文明实践所", 12, []),
                new DemoInstitute("中和镇新时代文明实践所", 16, []),
                new DemoInstitute("义和镇新时代文明实践所", 15, []),
                new DemoInstitute("临江镇新时代文明实践所", 21, []),
                new DemoInstitute("竹溪镇新时代文明实践所", 14, []),
                new DemoInstitute("铁桥镇新时代文明实践所", 15, []),
                new DemoInstitute("南雅镇新时代文明实践所", 15, []),
                new DemoInstitute("巫山镇新时代文明实践所", 12, []),
                new DemoInstitute("岳溪镇新时代文明实践所", 17, []),
                new DemoInstitute("长沙镇新时代文明实践所", 18, []),
                new DemoInstitute("南门镇新时代文明实践所", 14, []),
                new DemoInstitute("渠口镇新时代文明实践所", 13, []),
                new DemoInstitute("满月镇新时代文明实践所", 9, ["甘泉村"]),
                new DemoInstitute("雪宝山镇新时代文明实践所", 12, []),
                new DemoInstitute("关面乡新时代文明实践所", 8, []),
                new DemoInstitute("麻柳乡新时代文明实践所", 7, []),
                new DemoInstitute("紫水乡新时代文明实践所", 7, []),
                new DemoInstitute("三汇口乡新时代文明实践所", 8, []),
                new DemoInstitute("五通乡新时代文明实践所", 7, []),
            ],
            StationStems:
            [
                "青坪", "汉丰", "盛山", "凤凰", "帅乡", "红花", "金竹", "青杠", "双河", "三合",
                "四合", "五龙", "龙王", "龙井", "龙洞", "石龙", "狮子", "马鞍", "天星", "月亮",
                "星光", "柏树", "柳树", "桃子", "枣子", "桂花", "竹林", "茶园", "橘园", "春橙",
                "石门", "石院", "岩口", "垭口", "坪上", "湾里", "老鹰", "长坪", "大河", "小河",
                "清江", "澎溪", "温汤", "铁炉", "盐井", "火神", "观音", "白岩", "黑塘", "黄泥",
                "红岩", "青龙", "复兴", "新民", "和平", "平桥", "安康", "中吉", "大垭", "高峰",
                "万寿", "永兴", "鹿鸣", "松林", "瓦屋", "河坝", "兴隆", "花园", "太平", "东华",
            ]),

        // 4. 红塔区: 1 center, 11 乡(街道), 105 村(社区), 6 platforms (seed 004): 9 streets, 2 彝族乡.
        new DemoDistrict(
            Number: 4,
            Code: "530402",
            Name: "云南省玉溪市红塔区",
            EnglishName: "Hongta District, Yuxi, Yunnan",
            CenterName: "红塔区新时代文明实践中心",
            CenterAddress: "云南省玉溪市红塔区杯湖公园内",
            Latitude: 24.3541,
            Longitude: 102.5444,
            WorkflowPreset: "hongta",
            Platforms: ["理论宣讲", "教育服务", "文化服务", "法治宣传", "科技科普服务", "健康体育服务"],
            SubCenters: [],
            Institutes:
            [
                new DemoInstitute("玉兴路街道新时代文明实践所", 10, []),
                new DemoInstitute("凤凰路街道新时代文明实践所", 10, []),
                new DemoInstitute("玉带路街道新时代文明实践所", 9, []),
                new DemoInstitute("北城街道新时代文明实践所", 12, []),
                new DemoInstitute("春和街道新时代文明实践所", 11, []),
                new DemoInstitute("李棋街道新时代文明实践所", 11, []),
                new DemoInstitute("大营街街道新时代文明实践所", 10, []),
                new DemoInstitute("研和街道新时代文明实践所", 10, []),
                new DemoInstitute("高仓街道新时代文明实践所", 9, []),
                new DemoInstitute("小石桥彝族乡新时代文明实践所", 6, []),
                new DemoInstitute("洛河彝族乡新时代文明实践所", 7, ["大洛河村"]),
            ],
            StationStems:
            [
                "聂耳", "红塔", "杯湖", "珊瑚", "东风", "九龙", "瓦窑", "刺桐", "玉湖", "赵桅",
                "太标", "黄草", "白龙", "龙泉", "海门", "州城", "上营", "中营", "小营", "旧州",
                "木井", "马桥", "梅园", "桃园", "伍营", "兴义", "清水", "河西", "阿朗", "矣读",
                "大石", "柏枝", "老坝", "中所", "前卫", "后所", "丁屯", "汤池", "甸尾", "塘子",
                "龙马", "象鼻", "者湾", "普应", "黑村", "红星", "团山", "沙坝", "高鲁", "玉屏",
                "凤山", "映月", "文化", "仓房", "南苑", "东苑", "西苑", "北苑", "玉泉", "秀山",
                "大湾", "小庙", "蓝靛", "杨柳", "石坝", "竹园", "花椒", "野鸭", "锁龙", "金马",
            ]),

        // 5. 乐都区: "1+8+N", 19 乡镇 institutes, 59 行政村 stations (seed 001): 7 towns, 12 乡.
        // The eight platforms are the eight district-level volunteer teams the article names.
        new DemoDistrict(
            Number: 5,
            Code: "630202",
            Name: "青海省海东市乐都区",
            EnglishName: "Ledu District, Haidong, Qinghai",
            CenterName: "乐都区新时代文明实践中心",
            CenterAddress: "青海省海东市乐都区碾伯镇区工会大厦",
            Latitude: 36.4824,
            Longitude: 102.4019,
            WorkflowPreset: "default",
            Platforms: ["理论政策宣讲", "文艺", "助学支教", "生态环保", "医疗健身", "科普技能", "扶贫帮困", "法律法规"],
            SubCenters: [],
            Institutes:
            [
                new DemoInstitute("碾伯镇新时代文明实践所", 8, []),
                new DemoInstitute("雨润镇新时代文明实践所", 4, []),
                new DemoInstitute("寿乐镇新时代文明实践所", 3, []),
                new DemoInstitute("高庙镇新时代文明实践所", 4, []),
                new DemoInstitute("洪水镇新时代文明实践所", 4, []),
                new DemoInstitute("高店镇新时代文明实践所", 3, []),
                new DemoInstitute("瞿昙镇新时代文明实践所", 4, []),
                new DemoInstitute("共和乡新时代文明实践所", 3, ["拉科村"]),
                new DemoInstitute("中岭乡新时代文明实践所", 2, []),
                new DemoInstitute("李家乡新时代文明实践所", 2, []),
                new DemoInstitute("马厂乡新时代文明实践所", 2, []),
                new DemoInstitute("芦花乡新时代文明实践所", 3, []),
                new DemoInstitute("达拉土族乡新时代文明实践所", 2, []),
                new DemoInstitute("城台乡新时代文明实践所", 3, []),
                new DemoInstitute("峰堆乡新时代文明实践所", 2, []),
                new DemoInstitute("下营藏族乡新时代文明实践所", 3, []),
                new DemoInstitute("蒲台乡新时代文明实践所", 3, []),
                new DemoInstitute("马营乡新时代文明实践所", 2, []),
                new DemoInstitute("中坝藏族乡新时代文明实践所", 2, []),
            ],
            StationStems:
            [
                "七里", "岗沟", "大地", "深沟", "白崖", "老鸦", "柳湾", "汉庄", "阳山", "阴坡",
                "河滩", "水磨", "上寨", "下寨", "中庄", "东庄", "西庄", "北山", "南山", "红崖",
                "黑沟", "石沟", "杏园", "桃园", "梨园", "湟水", "引胜", "河西", "新庄", "马家",
                "王家", "祁家", "赵家", "张家", "刘家", "晁家", "吉家", "鲍家", "扎西", "卡力",
                "索尔", "双塔", "三合", "四合", "哈家", "窑洞", "旱台", "东沟", "西沟", "南沟",
                "北沟", "草滩", "羊圈", "牛圈", "麻地", "青稞", "油房", "转嘴", "峡口", "岔路",
                "寺台", "磨沟", "古城", "城子", "堡子", "营盘", "大庄", "小庄", "湾子", "滩头",
            ]),
    ];
}
