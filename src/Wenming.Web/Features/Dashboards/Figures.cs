using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Points;
using Wenming.Web.Features.Records;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Dashboards;

/// <summary>
/// Where a figure is computed: the subtree at <see cref="Path"/>, each row keyed by the unit <paramref name="Levels"/> below
/// it that the row falls under (its path cut to <see cref="ChildKeyLength"/>; rows above that level keep a shorter key),
/// within [From, To).
/// </summary>
internal sealed record FigureScope(AppDbContext Db, string Path, DateTimeOffset From, DateTimeOffset To, DateTimeOffset Now, int Levels = 1)
{
    /// <summary>A path segment is a 32-digit id and a slash.</summary>
    public int ChildKeyLength => Path.Length + 33 * Levels;
}

/// <summary>A figure's value for the whole subtree and for each child (by the child's path).</summary>
internal sealed record FigureValues(decimal Total, IReadOnlyDictionary<string, decimal> Children);

/// <summary>
/// One figure of the dashboard: its name, how it reads, the list behind it, and its query. A figure is one registered query:
/// adding a figure adds one entry to <see cref="Figures.All"/>.
/// </summary>
/// <param name="List">The page listing what the figure counts, with <c>{unit}</c> for the unit's id.</param>
internal sealed record Figure(string Key, string Name, string Measure, string? List, Func<FigureScope, CancellationToken, Task<FigureValues>> Compute)
{
    /// <summary>Times and overdue orders: the less, the better (rankings put the lowest first).</summary>
    public bool LowerIsBetter => Key is "ordersOverdue" or "acceptMedian" or "acceptP90" or "deliverMedian" or "deliverP90";

    /// <summary>Times and ratings of a unit without such orders: no value at all (not zero), ranked and scored last.</summary>
    public bool Undefined => Key is "acceptMedian" or "acceptP90" or "deliverMedian" or "deliverP90" or "averageRating" or "goodShare";

    /// <summary>Counted over the period asked; the others (volunteers, teams, planned activities, running and overdue orders) are the state now.</summary>
    public bool PeriodBound => Key is not ("volunteers" or "teams" or "activitiesPlanned" or "ordersOpen" or "ordersOverdue");
}

internal static class Figures
{
    public static readonly IReadOnlyList<Figure> All =
    [
        new("volunteers", "注册志愿者", "人", "/Volunteers?status=Active&unit={unit}", Volunteers),
        new("activeVolunteers", "期间参与服务的志愿者", "人", "/Volunteers?status=Active&unit={unit}", ActiveVolunteers),
        new("teams", "志愿服务队", "支", "/Teams?unit={unit}", Teams),
        new("activitiesHeld", "开展活动", "场", "/Activities?unit={unit}", ActivitiesHeld),
        new("activitiesPlanned", "计划活动", "场", "/Activities?unit={unit}", ActivitiesPlanned),
        new("lectures", "宣讲", "场", "/Activities?unit={unit}", Lectures),
        new("audience", "宣讲听众", "人次", "/Activities?unit={unit}", Audience),
        new("beneficiaries", "受益群众", "人次", "/Activities?unit={unit}", Beneficiaries),
        new("serviceHours", "服务时长", "小时", "/Records", ServiceHours),
        new("ordersPlaced", "群众点单", "单", "/Orders?unit={unit}", OrdersPlaced),
        new("ordersOpen", "办理中的订单", "单", "/Orders?unit={unit}", OrdersOpen),
        new("ordersDelivered", "已完成订单", "单", "/Orders?unit={unit}", OrdersDelivered),
        new("ordersOverdue", "超时订单", "单", "/Orders?unit={unit}", OrdersOverdue),
        new("acceptMedian", "接单用时中位数", "分钟", "/Orders?unit={unit}", (s, ct) => AcceptTimes(s, 0.5, ct)),
        new("acceptP90", "接单用时 90% 分位", "分钟", "/Orders?unit={unit}", (s, ct) => AcceptTimes(s, 0.9, ct)),
        new("deliverMedian", "送单用时中位数", "分钟", "/Orders?unit={unit}", (s, ct) => DeliverTimes(s, 0.5, ct)),
        new("deliverP90", "送单用时 90% 分位", "分钟", "/Orders?unit={unit}", (s, ct) => DeliverTimes(s, 0.9, ct)),
        new("averageRating", "平均评价", "星", "/Orders?unit={unit}", AverageRating),
        new("goodShare", "好评率（4–5 星）", "%", "/Orders?unit={unit}", GoodShare),
        new("demandsRaised", "群众提出需求", "条", "/Teams/Demands?unit={unit}", DemandsRaised),
        new("demandsBecameServices", "需求转化为服务", "条", "/Teams/Demands?unit={unit}", DemandsBecameServices),
        new("pointsIssued", "发放积分", "分", "/Points", (s, ct) => Points(s, TransferKind.Earn, ct)),
        new("pointsRedeemed", "兑换积分", "分", "/Points", (s, ct) => Points(s, TransferKind.Post, ct)),
    ];

    public static Figure? Find(string key) => All.FirstOrDefault(f => f.Key == key);

    /// <summary>Counts per child key, their sum as the total.</summary>
    private static FigureValues Summed(IEnumerable<(string Key, decimal Value)> rows)
    {
        var children = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var total = 0m;
        foreach (var (key, value) in rows)
        {
            children[key] = children.GetValueOrDefault(key) + value;
            total += value;
        }

        return new FigureValues(total, children);
    }

    private static IQueryable<Organization.Unit> Subtree(FigureScope s) => s.Db.Units.Where(u => u.Path.StartsWith(s.Path));

    private static async Task<FigureValues> CountBy(IQueryable<string> paths, FigureScope s, CancellationToken ct)
    {
        var n = s.ChildKeyLength;
        var rows = await paths.GroupBy(p => p.Length >= n ? p.Substring(0, n) : p).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return Summed(rows.Select(r => (r.Key, (decimal)r.Count)));
    }

    private static Task<FigureValues> Volunteers(FigureScope s, CancellationToken ct) =>
        CountBy(s.Db.Set<Volunteer>().Where(v => v.Status == VolunteerStatus.Active).Join(Subtree(s), v => v.HomeUnitId, u => u.Id, (v, u) => u.Path), s, ct);

    private static Task<FigureValues> ActiveVolunteers(FigureScope s, CancellationToken ct)
    {
        var served = s.Db.Set<ServiceRecord>().Where(r => r.StartedAt >= s.From && r.StartedAt < s.To).Select(r => r.VolunteerId);
        return CountBy(s.Db.Set<Volunteer>().Where(v => served.Contains(v.Id)).Join(Subtree(s), v => v.HomeUnitId, u => u.Id, (v, u) => u.Path), s, ct);
    }

    private static Task<FigureValues> DemandsRaised(FigureScope s, CancellationToken ct) =>
        CountBy(s.Db.Set<Demand>().Where(d => d.CreatedAt >= s.From && d.CreatedAt < s.To).Join(Subtree(s), d => d.UnitId, u => u.Id, (d, u) => u.Path), s, ct);

    /// <summary>Needs raised in the period that became a menu item or a project.</summary>
    private static Task<FigureValues> DemandsBecameServices(FigureScope s, CancellationToken ct) =>
        CountBy(s.Db.Set<Demand>().Where(d => d.CreatedAt >= s.From && d.CreatedAt < s.To && (d.Status == DemandStatus.BecameMenuItem || d.Status == DemandStatus.BecameProject))
            .Join(Subtree(s), d => d.UnitId, u => u.Id, (d, u) => u.Path), s, ct);

    private static Task<FigureValues> Teams(FigureScope s, CancellationToken ct) =>
        CountBy(s.Db.Set<Team>().Join(Subtree(s), t => t.UnitId, u => u.Id, (t, u) => u.Path), s, ct);

    private static IQueryable<Activity> Held(FigureScope s) =>
        s.Db.Set<Activity>().Where(a => a.Status != ActivityStatus.Cancelled && a.StartsAt >= s.From && a.StartsAt < s.To && a.StartsAt < s.Now);

    private static Task<FigureValues> ActivitiesHeld(FigureScope s, CancellationToken ct) =>
        CountBy(Held(s).Join(Subtree(s), a => a.UnitId, u => u.Id, (a, u) => u.Path), s, ct);

    private static Task<FigureValues> ActivitiesPlanned(FigureScope s, CancellationToken ct) =>
        CountBy(s.Db.Set<Activity>().Where(a => a.Status == ActivityStatus.Published && a.StartsAt >= s.Now)
            .Join(Subtree(s), a => a.UnitId, u => u.Id, (a, u) => u.Path), s, ct);

    private static Task<FigureValues> Lectures(FigureScope s, CancellationToken ct) =>
        CountBy(Held(s).Where(a => a.LectureForm != null).Join(Subtree(s), a => a.UnitId, u => u.Id, (a, u) => u.Path), s, ct);

    private static async Task<FigureValues> Audience(FigureScope s, CancellationToken ct)
    {
        var n = s.ChildKeyLength;
        var rows = await Held(s).Where(a => a.LectureForm != null).Join(Subtree(s), a => a.UnitId, u => u.Id, (a, u) => new { u.Path, Value = a.AudienceCount ?? 0 })
            .GroupBy(x => x.Path.Length >= n ? x.Path.Substring(0, n) : x.Path).Select(g => new { g.Key, Sum = g.Sum(x => x.Value) }).ToListAsync(ct);
        return Summed(rows.Select(r => (r.Key, (decimal)r.Sum)));
    }

    private static async Task<FigureValues> Beneficiaries(FigureScope s, CancellationToken ct)
    {
        var n = s.ChildKeyLength;
        var rows = await Held(s).Join(Subtree(s), a => a.UnitId, u => u.Id, (a, u) => new { u.Path, Value = a.Beneficiaries ?? 0 })
            .GroupBy(x => x.Path.Length >= n ? x.Path.Substring(0, n) : x.Path).Select(g => new { g.Key, Sum = g.Sum(x => x.Value) }).ToListAsync(ct);
        return Summed(rows.Select(r => (r.Key, (decimal)r.Sum)));
    }

    private static async Task<FigureValues> ServiceHours(FigureScope s, CancellationToken ct)
    {
        var n = s.ChildKeyLength;
        var rows = await s.Db.Set<ServiceRecord>().Where(r => r.StartedAt >= s.From && r.StartedAt < s.To)
            .Join(Subtree(s), r => r.OrganizerUnitId, u => u.Id, (r, u) => new { u.Path, r.Minutes })
            .GroupBy(x => x.Path.Length >= n ? x.Path.Substring(0, n) : x.Path).Select(g => new { g.Key, Sum = g.Sum(x => (long)x.Minutes) }).ToListAsync(ct);
        var minutes = Summed(rows.Select(r => (r.Key, (decimal)r.Sum)));
        return new FigureValues(Hours(minutes.Total), minutes.Children.ToDictionary(c => c.Key, c => Hours(c.Value)));

        static decimal Hours(decimal m) => Math.Round(m / 60, 1, MidpointRounding.AwayFromZero);
    }

    private static readonly OrderState[] Running = [OrderState.AwaitingConfirmation, OrderState.Open, OrderState.InService, OrderState.UnderReview];

    private static IQueryable<string> OrderPaths(IQueryable<Order> orders, FigureScope s) => orders.Join(Subtree(s), o => o.UnitId, u => u.Id, (o, u) => u.Path);

    private static Task<FigureValues> OrdersPlaced(FigureScope s, CancellationToken ct) =>
        CountBy(OrderPaths(s.Db.Set<Order>().Where(o => o.CreatedAt >= s.From && o.CreatedAt < s.To), s), s, ct);

    private static Task<FigureValues> OrdersOpen(FigureScope s, CancellationToken ct) =>
        CountBy(OrderPaths(s.Db.Set<Order>().Where(o => Running.Contains(o.State)), s), s, ct);

    private static Task<FigureValues> OrdersDelivered(FigureScope s, CancellationToken ct) =>
        CountBy(OrderPaths(s.Db.Set<Order>().Where(o => o.DeliveredAt >= s.From && o.DeliveredAt < s.To), s), s, ct);

    private static Task<FigureValues> OrdersOverdue(FigureScope s, CancellationToken ct) =>
        CountBy(OrderPaths(s.Db.Set<Order>().Where(o => Running.Contains(o.State) && o.StepDueAt < s.Now), s), s, ct);

    /// <summary>Minutes from placing to the first acceptance, of the orders placed in the period.</summary>
    private static async Task<FigureValues> AcceptTimes(FigureScope s, double quantile, CancellationToken ct)
    {
        var placed = s.Db.Set<Order>().Where(o => o.CreatedAt >= s.From && o.CreatedAt < s.To)
            .Join(Subtree(s), o => o.UnitId, u => u.Id, (o, u) => new { o.Id, u.Path, o.CreatedAt });
        var orders = await placed.ToListAsync(ct);
        var ids = placed.Select(o => o.Id);
        var accepted = (await s.Db.Set<OrderEvent>().Where(e => e.Action == "accept" && ids.Contains(e.OrderId)).Select(e => new { e.OrderId, e.At }).ToListAsync(ct))
            .GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.Min(e => e.At));
        return Quantiles([.. orders.Where(o => accepted.ContainsKey(o.Id)).Select(o => (o.Path, (accepted[o.Id] - o.CreatedAt).TotalMinutes))], s, quantile);
    }

    /// <summary>Minutes from placing to delivery, of the orders delivered in the period.</summary>
    private static async Task<FigureValues> DeliverTimes(FigureScope s, double quantile, CancellationToken ct)
    {
        var rows = await s.Db.Set<Order>().Where(o => o.DeliveredAt >= s.From && o.DeliveredAt < s.To)
            .Join(Subtree(s), o => o.UnitId, u => u.Id, (o, u) => new { u.Path, o.CreatedAt, o.DeliveredAt }).ToListAsync(ct);
        return Quantiles([.. rows.Select(r => (r.Path, (r.DeliveredAt!.Value - r.CreatedAt).TotalMinutes))], s, quantile);
    }

    private static async Task<FigureValues> AverageRating(FigureScope s, CancellationToken ct) =>
        Ratio(await Ratings(s, ct), s, r => r.Average(x => (decimal)x.Rating), 2);

    private static async Task<FigureValues> GoodShare(FigureScope s, CancellationToken ct) =>
        Ratio(await Ratings(s, ct), s, r => 100m * r.Count(x => x.Rating >= 4) / r.Count, 1);

    private static async Task<List<(string Path, int Rating)>> Ratings(FigureScope s, CancellationToken ct) =>
        [.. (await s.Db.Set<Order>().Where(o => o.Rating != null && o.RatedAt >= s.From && o.RatedAt < s.To)
            .Join(Subtree(s), o => o.UnitId, u => u.Id, (o, u) => new { u.Path, o.Rating }).ToListAsync(ct)).Select(x => (x.Path, x.Rating!.Value))];

    private static FigureValues Ratio(List<(string Path, int Rating)> rows, FigureScope s, Func<List<(string Path, int Rating)>, decimal> value, int digits)
    {
        if (rows.Count == 0)
        {
            return new FigureValues(0, new Dictionary<string, decimal>());
        }

        var children = rows.GroupBy(r => Key(r.Path, s)).ToDictionary(g => g.Key, g => Math.Round(value([.. g]), digits, MidpointRounding.AwayFromZero));
        return new FigureValues(Math.Round(value(rows), digits, MidpointRounding.AwayFromZero), children);
    }

    private static FigureValues Quantiles(List<(string Path, double Minutes)> rows, FigureScope s, double q)
    {
        if (rows.Count == 0)
        {
            return new FigureValues(0, new Dictionary<string, decimal>());
        }

        var children = rows.GroupBy(r => Key(r.Path, s)).ToDictionary(g => g.Key, g => Quantile([.. g.Select(x => x.Minutes)], q));
        return new FigureValues(Quantile([.. rows.Select(x => x.Minutes)], q), children);
    }

    /// <summary>The nearest-rank quantile, in whole minutes.</summary>
    public static decimal Quantile(List<double> values, double q)
    {
        values.Sort();
        var rank = (int)Math.Ceiling(q * values.Count);
        return (decimal)Math.Round(values[Math.Clamp(rank, 1, values.Count) - 1], MidpointRounding.AwayFromZero);
    }

    private static async Task<FigureValues> Points(FigureScope s, TransferKind kind, CancellationToken ct)
    {
        var n = s.ChildKeyLength;
        var rows = await s.Db.Set<PointsTransfer>().Where(t => t.Kind == kind && t.CreatedAt >= s.From && t.CreatedAt < s.To && t.UnitPath.StartsWith(s.Path))
            .GroupBy(t => t.UnitPath.Length >= n ? t.UnitPath.Substring(0, n) : t.UnitPath).Select(g => new { g.Key, Sum = g.Sum(t => t.Amount) }).ToListAsync(ct);
        return Summed(rows.Select(r => (r.Key, (decimal)r.Sum)));
    }

    private static string Key(string path, FigureScope s) => path.Length >= s.ChildKeyLength ? path[..s.ChildKeyLength] : path;
}
