using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

/// <summary>A district-editable list of choices: the service categories and the skills volunteers pick from.</summary>
internal sealed class OptionItem : IDistrictOwned
{
    public const string ServiceCategory = "service-category";
    public const string Skill = "skill";

    /// <summary>The national volunteer system's 22 service categories: the default list.</summary>
    public static readonly string[] NationalServiceCategories =
    [
        "社区服务", "扶贫减贫", "支教助学", "卫生健康", "法律服务", "环境保护", "科技科普", "文化艺术", "平安综治", "文明风尚", "交通引导",
        "志愿消防", "应急救援", "禁毒宣传", "体育健身", "旅游服务", "关爱特殊群体", "大型活动", "海外志愿服务", "税收服务", "疫情防控", "其他",
    ];

    public static readonly string[] DefaultSkills =
    [
        "医疗护理", "心理疏导", "法律咨询", "教育辅导", "文艺表演", "书法绘画", "摄影摄像", "电脑网络", "家电维修", "驾驶", "外语翻译", "手语",
        "理发", "烹饪", "急救", "宣讲", "农技", "财会",
    ];

    private OptionItem()
    {
    }

    public OptionItem(Guid districtId, string list, string name, int sortOrder)
    {
        Id = Ids.New();
        DistrictId = districtId;
        List = list;
        Name = name;
        SortOrder = sortOrder;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string List { get; private set; } = "";
    public string Name { get; private set; } = "";
    public int SortOrder { get; private set; }

    public static IEnumerable<OptionItem> Defaults(Guid districtId) =>
        NationalServiceCategories.Select((n, i) => new OptionItem(districtId, ServiceCategory, n, i + 1))
            .Concat(DefaultSkills.Select((n, i) => new OptionItem(districtId, Skill, n, i + 1)));
}

internal sealed class OptionItemMapping : IEntityTypeConfiguration<OptionItem>
{
    public void Configure(EntityTypeBuilder<OptionItem> b)
    {
        b.ToTable("option_items");
        b.Property(o => o.List).HasMaxLength(40);
        b.Property(o => o.Name).HasMaxLength(50);
        b.HasIndex(o => new { o.DistrictId, o.List, o.Name }).IsUnique();
    }
}

/// <summary>Reads and replaces a district list. Names are what volunteers' records keep, so replacing never rewrites them.</summary>
internal sealed class OptionLists(AppDbContext db, Infrastructure.Audit.AuditLog audit)
{
    public static readonly string[] Lists = [OptionItem.ServiceCategory, OptionItem.Skill];

    public async Task<IReadOnlyList<string>> GetAsync(string list, CancellationToken ct) =>
        await db.Set<OptionItem>().Where(o => o.List == list).OrderBy(o => o.SortOrder).Select(o => o.Name).ToListAsync(ct);

    public async Task<IReadOnlyList<string>> ReplaceAsync(string list, IReadOnlyList<string>? names, CancellationToken ct)
    {
        if (!Organization.SavePlatforms.MayEdit(db.Scope))
        {
            throw new Infrastructure.Problems.AccessDeniedException("只有中心管理员可以修改本区的选项列表");
        }

        var clean = (names ?? []).Select(n => n?.Trim() ?? "").ToList();
        if (clean.Count is 0 or > 100 || clean.Any(n => n.Length is 0 or > 50) || clean.Distinct().Count() != clean.Count)
        {
            throw new Infrastructure.Problems.InputException(new Dictionary<string, string[]> { ["names"] = ["应有 1 到 100 项，每项 1 到 50 个字，且不重复"] });
        }

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        await db.Set<OptionItem>().Where(o => o.List == list).ExecuteDeleteAsync(ct);
        db.Set<OptionItem>().AddRange(clean.Select((n, i) => new OptionItem(db.Scope.DistrictId, list, n, i + 1)));
        audit.Add("options.saved", "options", list, null, string.Join("、", clean));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return clean;
    }
}
