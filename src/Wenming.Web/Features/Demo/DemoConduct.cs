using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.RedYellowList;

namespace Wenming.Web.Features.Demo;

/// <summary>
/// Kaizhou's 红黄双十条 at work in its demo: three months of red and yellow events at its first station, recorded by the
/// grid worker (<c>13803000030</c>) and the station admin through the use case on a clock set back, for the demo resident and
/// villagers the station admin registers; an appeal granted and
/// one refused by the institute, one waiting for it (the demo resident's), and a resident whose yellow points pause a
/// benefit.
/// </summary>
internal sealed class DemoConduct(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DemoConduct> logger)
{
    private const int Kaizhou = 3;

    private static readonly string[] Villagers = ["刘德厚", "陈秀珍", "周大勇", "吴春兰", "郑光明", "何玉芬", "孙长贵", "马翠花"];

    /// <summary>Who (0 is the demo resident, then the villagers), which item, how many days ago, by the station admin or not, and what became of it.</summary>
    private static readonly (int Person, string Item, int DaysAgo, bool ByAdmin, string Evidence, string? Appeal, bool? Granted)[] Events =
    [
        (0, "孝老爱亲、赡养老人", 80, false, "常年照料卧床的婆婆，邻里有口皆碑。", null, null),
        (0, "参加志愿服务", 40, false, "参加村里的重阳节敬老志愿服务。", null, null),
        (0, "庭院整洁、垃圾分类", 10, false, "院落整洁，垃圾分类投放到位。", null, null),
        (0, "乱扔乱倒、乱搭乱建", 25, false, "在村道旁堆放建筑垃圾。", "那天是帮邻居清理的建筑垃圾，第二天就清运了。", null),
        (1, "大操大办、滥办酒席", 60, true, "为孩子升学连办三天酒席，宴请二十余桌。", null, null),
        (1, "铺张浪费、攀比炫富", 20, false, "丧事燃放大量烟花爆竹。", null, null),
        (2, "参与赌博", 50, false, "村民反映在茶馆参与赌博。", "那天我在镇上卫生院住院，有病历为证。", true),
        (3, "邻里纠纷、寻衅滋事", 35, false, "因宅基地边界与邻居争吵并推搡。", "是邻居先动的手。", false),
        (4, "邻里互助、扶危济困", 70, false, "暴雨夜帮独居老人转移到安全处。", null, null),
        (5, "见义勇为、拾金不昧", 55, true, "拾到装有现金的钱包，交还失主。", null, null),
        (6, "婚事新办、丧事简办", 45, false, "女儿婚礼简办，不收彩礼。", null, null),
        (7, "参与村（居）公益事务", 30, false, "参加村道清扫和河道巡护。", null, null),
        (8, "家风良好、教子有方", 15, false, "家庭和睦，子女孝顺，获村民推荐。", null, null),
        (4, "参加志愿服务", 5, false, "参加防溺水宣传志愿服务。", null, null),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        try
        {
            var recorded = await KaizhouAsync(ct);
            logger.LogInformation("Demo red/yellow list: {Events} events in Kaizhou", recorded);
        }
        catch (Exception e) when (e is Infrastructure.Data.DomainException or Infrastructure.Problems.InputException or Infrastructure.Problems.AccessDeniedException)
        {
            logger.LogWarning(e, "Demo red/yellow list stopped: {Reason}", e.Message);
        }
    }

    private async Task<int> KaizhouAsync(CancellationToken ct)
    {
        var grid = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(Kaizhou, "30"), ct);
        var station = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(Kaizhou, "02"), ct);
        var institute = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(Kaizhou, "01"), ct);
        var resident = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(Kaizhou, "20"), ct);
        if (grid is null || station is null || institute is null || resident is null)
        {
            return 0;
        }

        // The people: the demo resident, and villagers of her station the station admin registers as residents.
        var home = await DemoScopes.WithSystemAsync(scopes, db => db.Set<RoleAssignment>().Where(r => r.UserId == resident.Value && r.Role == Role.Resident)
            .Select(r => new { r.UnitId, r.DistrictId }).FirstAsync(ct));
        var districtId = home.DistrictId;
        var people = new List<Guid> { resident.Value };
        for (var i = 0; i < Villagers.Length; i++)
        {
            var phone = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"1390{Kaizhou}0001{i + 1:D2}");
            var role = await DemoScopes.AsAsync(scopes, station.Value, districtId,
                sp => sp.GetRequiredService<ManageRoles>().GrantAsync(home.UnitId, new GrantRoleInput(phone, Villagers[i], nameof(Role.Resident)), ct), ct);
            people.Add(role.UserId);
        }

        var now = clock.GetUtcNow();
        var at = new SettableClock(now);
        Task<T> As<T>(Guid user, Func<ConductUseCases, Task<T>> work) =>
            DemoScopes.AsAsync(scopes, user, districtId, sp => work(ActivatorUtilities.CreateInstance<ConductUseCases>(sp, at)), ct);

        var items = await As(station.Value, c => c.ItemsAsync(ct));
        var recorded = 0;
        foreach (var e in Events.OrderByDescending(e => e.DaysAgo))
        {
            var item = items.First(i => i.Title == e.Item);
            at.Now = now.AddDays(-e.DaysAgo);
            var made = await As(e.ByAdmin ? station.Value : grid.Value,
                c => c.RecordAsync(new RecordConductInput(null, people[e.Person], item.Id, e.Evidence, null), ct));
            recorded++;
            if (e.Appeal is null)
            {
                continue;
            }

            at.Now = at.Now.AddDays(2);
            await As(people[e.Person], c => c.AppealAsync(made.Id, new AppealInput(e.Appeal), ct));
            if (e.Granted is { } grant)
            {
                at.Now = at.Now.AddDays(3);
                await As(institute.Value, c => c.DecideAsync(made.Id, new DecideInput(grant, grant ? "经核实当日本人住院，记录有误，予以撤销。" : "经走访邻居核实，事实清楚，维持记录。"), ct));
            }
        }

        return recorded;
    }
}
