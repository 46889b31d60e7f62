using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.PersonalData;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Demo;

/// <summary>The places of one seeded district that the people seeder hangs volunteers and teams on.</summary>
internal sealed record SeededDistrict(DemoDistrict Data, District District, Unit Center, IReadOnlyList<Unit> Institutes,
    IReadOnlyList<Unit> Stations, IReadOnlyList<Platform> Platforms, IReadOnlyDictionary<string, AppUser> DemoUsers);

/// <summary>
/// Volunteers, teams, memberships, menus and a few demands for a demo district. Default volume: about 2,000 volunteers
/// a district (Demo:VolunteersPerDistrict); <c>--demo-scale full</c> gives the articles' volumes (Haidian's 100,000
/// volunteers and 1,871 teams). Written in batches straight through the DbContext: the accounts need no password.
/// </summary>
internal sealed class DemoPeopleSeeder(AppDbContext db, PersonalDataProtector protector, TimeProvider clock, IConfiguration config)
{
    /// <summary>The articles' figures: volunteers and teams per district, where they give them (others are plausible).</summary>
    public static readonly IReadOnlyDictionary<string, (int Volunteers, int Teams)> FullScale = new Dictionary<string, (int, int)>
    {
        ["500107"] = (20_000, 300),
        ["110108"] = (100_000, 1_871),
        ["500154"] = (21_560, 2_192),
        ["530402"] = (98_000, 302),
        ["630202"] = (4_609, 619),
    };

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧"];
    private static readonly string[] Given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "海燕"];
    private static readonly string[] Squads = ["守楼护院", "纠纷调解", "扶老助幼", "法润万家", "红色宣讲", "邻里守望", "文明劝导", "爱心助残", "文化惠民", "健康义诊"];
    private static readonly string[] Educations = ["初中", "高中", "中专", "大专", "本科", "硕士"];
    private static readonly string[] Political = ["中共党员", "共青团员", "群众", "民主党派"];

    /// <summary>Services a team offers, by a word in its platform's name (districts name their platforms differently).</summary>
    private static readonly (string[] Words, string[] Titles)[] MenuByPlatform =
    [
        (["理论", "宣讲"], ["政策宣讲进社区", "党史故事会"]),
        (["教育", "助学", "支教"], ["课后作业辅导", "家庭教育讲座"]),
        (["文化", "文艺"], ["广场文艺演出", "书法培训"]),
        (["科技", "科普"], ["防范电信诈骗科普", "智能手机使用教学"]),
        (["卫生", "健康", "医疗", "体育", "健身"], ["义诊与健康讲座", "广场舞健身指导"]),
        (["法律", "法治"], ["法律咨询", "矛盾纠纷调解"]),
        (["关爱", "帮扶", "扶贫", "帮困"], ["空巢老人陪伴", "助残上门服务"]),
        (["文明", "生态", "环保"], ["垃圾分类宣传", "文明交通劝导"]),
        (["媒体"], ["短视频拍摄教学", "社区新闻采写"]),
    ];

    private static string[] TitlesFor(string platform) =>
        MenuByPlatform.FirstOrDefault(m => m.Words.Any(platform.Contains)).Titles ?? ["便民志愿服务"];

    public bool Full => string.Equals(config["demo-scale"] ?? config["Demo:Scale"], "full", StringComparison.OrdinalIgnoreCase);

    public async Task SeedAsync(SeededDistrict s, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (volunteerCount, teamCount) = Full && FullScale.TryGetValue(s.Data.Code, out var full)
            ? full
            : (config.GetValue("Demo:VolunteersPerDistrict", 2_000), Math.Max(20, config.GetValue("Demo:VolunteersPerDistrict", 2_000) / 50));
        db.AddRange(OptionItem.Defaults(s.District.Id));

        var teams = BuildTeams(s, teamCount, now);
        db.AddRange(teams.Select(t => t.Team));
        await db.SaveChangesAsync(ct);

        var random = new Random(s.Data.Number * 7919);
        var stationTeams = teams.Where(t => t.Team.Level == TeamLevel.Squad).ToLookup(t => t.Team.UnitId);
        var instituteTeams = teams.Where(t => t.Team.Level == TeamLevel.Brigade).ToDictionary(t => t.Team.UnitId);
        var leaders = new HashSet<Guid>();
        var batch = 0;
        var skills = OptionItem.DefaultSkills;
        var categories = OptionItem.NationalServiceCategories;

        // The demo volunteer and team leader accounts are volunteers too, at the first station, in its squad.
        var demo = new[] { ("11", false), ("10", true) };
        for (var i = 0; i < volunteerCount + demo.Length; i++)
        {
            var isDemo = i < demo.Length;
            var identity = DemoIdentities.For(s.Data, i);
            var station = isDemo ? s.Stations[0] : s.Stations[random.Next(s.Stations.Count)];
            AppUser user;
            if (isDemo)
            {
                user = s.DemoUsers[demo[i].Item1];
            }
            else
            {
                var phone = identity.Phone;
                user = new AppUser
                {
                    Id = Ids.New(),
                    UserName = phone,
                    NormalizedUserName = phone,
                    PhoneNumber = phone,
                    PhoneNumberConfirmed = true,
                    DisplayName = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)],
                    DistrictId = s.District.Id,
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    ConcurrencyStamp = Guid.NewGuid().ToString(),
                    LockoutEnabled = true,
                };
                db.Users.Add(user);
            }

            var idNumber = identity.IdNumber;
            var profile = new VolunteerProfile(user.DisplayName, identity.Gender, identity.Birth, user.PhoneNumber!,
                Political[random.Next(Political.Length)], Educations[random.Next(Educations.Length)], null,
                [skills[random.Next(skills.Length)], skills[random.Next(skills.Length)]], [categories[random.Next(categories.Length)]],
                [s.Platforms[random.Next(s.Platforms.Count)].Id], random.Next(1 << 21), null, null, null, null);
            var volunteer = new Volunteer(s.District.Id, user.Id, station.Id, IdType.ResidentId, protector.Encrypt(idNumber),
                protector.LookupHash($"{IdType.ResidentId}:{idNumber}"), IdNumbers.Mask(idNumber), profile, new DateOnly(2026, 11, 1), now);
            var roll = random.Next(100);
            if (isDemo || roll < 92)
            {
                volunteer.Approve($"{s.Data.Code}{i + 1:D7}", Guid.Empty, now);
                db.RoleAssignments.Add(new RoleAssignment(Ids.New(), s.District.Id, user.Id, station.Id, Role.Volunteer, null, now));
                var team = stationTeams[station.Id].Select(t => t.Team).FirstOrDefault()
                           ?? (instituteTeams.TryGetValue(station.ParentId!.Value, out var brigade) ? brigade.Team : null);
                if (team is not null)
                {
                    var member = new TeamMember(s.District.Id, team.Id, volunteer.Id, now);
                    var leader = isDemo ? demo[i].Item2 : leaders.Add(team.Id);
                    member.Accept(Guid.Empty, now, asLeader: leader);
                    db.Add(member);
                }

                if (roll is >= 90 and < 92)
                {
                    volunteer.Suspend("长期未参加服务", now);
                }
            }

            db.Add(volunteer);
            if (++batch == 2_000)
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                batch = 0;
            }
        }

        foreach (var (team, platformIndex) in teams)
        {
            var platform = s.Platforms.FirstOrDefault(p => p.Id == team.PlatformId) ?? s.Platforms[platformIndex % s.Platforms.Count];
            foreach (var title in TitlesFor(platform.Name).Take(team.Level is TeamLevel.Squad or TeamLevel.Brigade ? 2 : 1))
            {
                db.Add(new MenuItem(s.District.Id, team.Id, team.UnitId, title, platform.Id, $"由{team.Name}提供。", "每周二、四下午", 3, now));
            }
        }

        var resident = s.DemoUsers["20"];
        db.Add(new Demand(s.District.Id, s.Stations[0].Id, s.Platforms[^1].Id, "希望有人教老年人用手机挂号和视频通话", resident.Id, now));
        db.Add(new Demand(s.District.Id, s.Stations[0].Id, null, "小区里有几位独居老人需要定期上门探望", resident.Id, now));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    private static List<(Team Team, int PlatformIndex)> BuildTeams(SeededDistrict s, int count, DateTimeOffset now)
    {
        var teams = new List<(Team, int)>();
        var shortName = s.Data.Name[(s.Data.Name.IndexOf('市', StringComparison.Ordinal) + 1)..];
        var corps = new Team(s.District.Id, s.Center.Id, null, TeamLevel.Corps, $"{shortName}新时代文明实践志愿服务总队", null, "全区志愿服务的统筹队伍", now);
        teams.Add((corps, 0));
        for (var p = 0; p < s.Platforms.Count && teams.Count < count; p++)
        {
            teams.Add((new Team(s.District.Id, s.Center.Id, corps.Id, TeamLevel.Detachment, $"{s.Platforms[p].Name}志愿服务支队", s.Platforms[p].Id, null, now), p));
        }

        for (var i = 0; i < s.Institutes.Count && teams.Count < count; i++)
        {
            var town = s.Institutes[i].Name.Replace("新时代文明实践所", "", StringComparison.Ordinal);
            teams.Add((new Team(s.District.Id, s.Institutes[i].Id, corps.Id, TeamLevel.Brigade, $"{town}志愿服务大队", null, null, now), i));
        }

        for (var i = 0; teams.Count < count && i < s.Stations.Count * Squads.Length; i++)
        {
            var station = s.Stations[i % s.Stations.Count];
            var round = i / s.Stations.Count;
            var place = station.Name.Replace("新时代文明实践站", "", StringComparison.Ordinal);
            var (level, name) = round == 0 ? (TeamLevel.Squad, $"{place}志愿服务分队") : (TeamLevel.Group, $"{place}{Squads[(round - 1 + i) % Squads.Length]}小队");
            teams.Add((new Team(s.District.Id, station.Id, null, level, name, s.Platforms[i % s.Platforms.Count].Id, null, now), i));
        }

        return teams;
    }
}
