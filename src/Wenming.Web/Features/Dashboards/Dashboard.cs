using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Records;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Dashboards;

internal sealed record FigureView(string Key, string Name, string Measure, decimal Value, string? List);

/// <summary>A child's figures; <paramref name="Own"/> marks the row of what the unit itself holds (本级).</summary>
internal sealed record ChildFigures(Guid UnitId, string Name, string Kind, bool Own, IReadOnlyDictionary<string, decimal> Values);

internal sealed record SeriesPoint(string Period, decimal Orders, decimal Hours, decimal Activities);

internal sealed record PlatformFigures(string Platform, decimal Orders, decimal Hours);

internal sealed record ScreenFigure(string Name, decimal Value, string Measure);

/// <param name="Activities">Activities held at the station and below over the last 30 days: its colour on the map.</param>
internal sealed record ScreenStation(string Name, double Longitude, double Latitude, int Activities);

internal sealed record ScreenItem(string Title, string Unit, string What, DateTimeOffset At);

internal sealed record ScreenView(string Unit, DateTimeOffset At, IReadOnlyList<ScreenFigure> Figures, IReadOnlyList<ScreenStation> Stations,
    IReadOnlyList<ScreenItem> Orders, IReadOnlyList<ScreenItem> Activities);

/// <param name="Value">Null where the unit has no value (a time or a rating with no such orders).</param>
internal sealed record RankingRow(int Rank, Guid UnitId, string Unit, string Parent, decimal? Value);

internal sealed record RankingView(Guid UnitId, string Unit, string Figure, string Name, string Measure, int Levels, DateOnly From, DateOnly To,
    IReadOnlyList<RankingRow> Rows);

/// <param name="Grain">"day" or "month": the series' step, by the length of the period.</param>
internal sealed record DashboardView(Guid UnitId, string Unit, DateOnly From, DateOnly To, DateTimeOffset ComputedAt, IReadOnlyList<FigureView> Figures,
    IReadOnlyList<ChildFigures> Children, string Grain, IReadOnlyList<SeriesPoint> Series, IReadOnlyList<PlatformFigures> ByPlatform);

/// <summary>
/// The dashboard of any unit an admin or leader oversees: every registered figure (<see cref="Figures.All"/>) for the subtree
/// and for each child side by side, over a period of district days; orders, hours and activities over time and by platform.
/// </summary>
internal sealed class Dashboard(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxDays = 3 * 366;

    public async Task<DashboardView> ForAsync(Guid? unitId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var unit = await OverseenAsync(unitId, ct);
        var now = clock.GetUtcNow();
        var (first, last) = Period(from, to, now);
        var scope = new FigureScope(db, unit.Path, DistrictTime.StartOf(first), DistrictTime.StartOf(last.AddDays(1)), now);
        var values = new List<(Figure Figure, FigureValues Values)>();
        foreach (var figure in Figures.All)
        {
            values.Add((figure, await figure.Compute(scope, ct)));
        }

        var children = await db.Units.AsNoTracking().Where(u => u.ParentId == unit.Id && u.ClosedAt == null).OrderBy(u => u.Code)
            .Select(u => new { u.Id, u.Name, u.Kind, u.Path }).ToListAsync(ct);
        var rows = children.Select(c => new ChildFigures(c.Id, c.Name, UnitKinds.ChineseName(c.Kind), false,
            values.ToDictionary(v => v.Figure.Key, v => v.Values.Children.GetValueOrDefault(c.Path)))).ToList();
        if (values.Any(v => v.Values.Children.ContainsKey(unit.Path)))
        {
            rows.Insert(0, new ChildFigures(unit.Id, unit.Name, "本级", true, values.ToDictionary(v => v.Figure.Key, v => v.Values.Children.GetValueOrDefault(unit.Path))));
        }

        var figures = values.Select(v => new FigureView(v.Figure.Key, v.Figure.Name, v.Figure.Measure, v.Values.Total, v.Figure.List?.Replace("{unit}", unit.Id.ToString(), StringComparison.Ordinal)))
            .ToList();
        var grain = last.DayNumber - first.DayNumber <= 62 ? "day" : "month";
        return new DashboardView(unit.Id, unit.Name, first, last, now, figures, rows, grain, await SeriesAsync(scope, grain, first, last, ct), await PlatformsAsync(scope, ct));
    }

    /// <summary>
    /// The big screen's figures: this year's headline figures, the stations with coordinates and their activities of the last
    /// 30 days (the map), and the latest orders and activities. Read every refresh; small and bounded whatever the district.
    /// </summary>
    public async Task<ScreenView> ScreenAsync(Guid? unitId, CancellationToken ct)
    {
        var unit = await OverseenAsync(unitId, ct);
        var now = clock.GetUtcNow();
        var today = DistrictTime.Today(now);
        var scope = new FigureScope(db, unit.Path, DistrictTime.StartOf(new DateOnly(today.Year, 1, 1)), DistrictTime.StartOf(today.AddDays(1)), now);
        var figures = new List<ScreenFigure>();
        foreach (var key in (string[])["volunteers", "teams", "activitiesHeld", "serviceHours", "ordersPlaced", "ordersDelivered", "goodShare", "beneficiaries"])
        {
            var figure = Figures.Find(key)!;
            figures.Add(new ScreenFigure(figure.Name, (await figure.Compute(scope, ct)).Total, figure.Measure));
        }

        var month = DistrictTime.StartOf(today.AddDays(-30));
        var stations = await db.Units.AsNoTracking()
            .Where(u => u.Path.StartsWith(unit.Path) && u.Kind == UnitKind.Station && u.ClosedAt == null && u.Latitude != null && u.Longitude != null)
            .OrderBy(u => u.Code).Select(u => new { u.Name, u.Latitude, u.Longitude, u.Path }).Take(2000).ToListAsync(ct);
        var held = await db.Set<Activity>().Where(a => a.Status != ActivityStatus.Cancelled && a.StartsAt >= month && a.StartsAt < now)
            .Join(db.Units.Where(u => u.Path.StartsWith(unit.Path)), a => a.UnitId, u => u.Id, (a, u) => u.Path).ToListAsync(ct);
        var stationViews = stations.Select(st => new ScreenStation(st.Name, st.Longitude!.Value, st.Latitude!.Value,
            held.Count(p => p.StartsWith(st.Path, StringComparison.Ordinal)))).ToList();
        var subtree = db.Units.Where(u => u.Path.StartsWith(unit.Path)).Select(u => u.Id);
        var orders = await db.Set<Order>().Where(o => subtree.Contains(o.UnitId)).OrderByDescending(o => o.CreatedAt).Take(10)
            .Select(o => new { o.Title, Unit = o.Unit!.Name, o.State, o.CreatedAt }).ToListAsync(ct);
        var activities = await db.Set<Activity>().Where(a => subtree.Contains(a.UnitId) && a.Status != ActivityStatus.Cancelled)
            .OrderByDescending(a => a.StartsAt).Take(10).Select(a => new { a.Title, Unit = a.Unit!.Name, a.StartsAt }).ToListAsync(ct);
        return new ScreenView(unit.Name, now, figures, stationViews,
            [.. orders.Select(o => new ScreenItem(o.Title, o.Unit, OrderTexts.StateName(o.State), o.CreatedAt))],
            [.. activities.Select(a => new ScreenItem(a.Title, a.Unit, a.StartsAt > now ? "即将开展" : "已开展", a.StartsAt))]);
    }

    /// <summary>
    /// The units one or two levels below (institutes of a center, stations of a center or an institute) ranked on one figure
    /// over a period: the most first, or the least for times and overdue orders; equal values share a rank.
    /// </summary>
    public async Task<RankingView> RankingAsync(Guid? unitId, string? figureKey, int? levels, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var unit = await OverseenAsync(unitId, ct);
        var figure = Figures.Find(figureKey ?? "serviceHours")
                     ?? throw new InputException(new Dictionary<string, string[]> { ["figure"] = ["没有这个指标：" + string.Join("、", Figures.All.Select(f => f.Key))] });
        var depth = levels ?? 1;
        if (depth is < 1 or > 2)
        {
            throw new InputException(new Dictionary<string, string[]> { ["levels"] = ["排名范围为下一级（1）或下两级（2）"] });
        }

        var now = clock.GetUtcNow();
        var (first, last) = Period(from, to, now);
        var values = await figure.Compute(new FigureScope(db, unit.Path, DistrictTime.StartOf(first), DistrictTime.StartOf(last.AddDays(1)), now, depth), ct);
        var target = unit.Depth + depth;
        var units = await db.Units.AsNoTracking()
            .Where(u => u.Path.StartsWith(unit.Path) && u.Depth == target && u.ClosedAt == null && u.Kind != UnitKind.Grid && u.Kind != UnitKind.Building)
            .Select(u => new { u.Id, u.Name, u.Path, u.ParentId }).ToListAsync(ct);
        var parentIds = units.Select(u => u.ParentId).Distinct().ToList();
        var parents = await db.Units.AsNoTracking().Where(u => parentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        // A unit without a value (a time or a rating with no such orders) ranks after every unit with one.
        var scored = units.Select(u => (u, Value: values.Children.TryGetValue(u.Path, out var v) ? v : figure.Undefined ? (decimal?)null : 0))
            .OrderBy(x => x.Value is null).ThenBy(x => figure.LowerIsBetter ? x.Value : -x.Value).ThenBy(x => x.u.Name, StringComparer.Ordinal).ToList();
        var rows = new List<RankingRow>();
        for (var i = 0; i < scored.Count; i++)
        {
            var rank = i > 0 && scored[i].Value == scored[i - 1].Value ? rows[i - 1].Rank : i + 1;
            rows.Add(new RankingRow(rank, scored[i].u.Id, scored[i].u.Name, scored[i].u.ParentId is { } p ? parents.GetValueOrDefault(p, "") : "", scored[i].Value));
        }

        return new RankingView(unit.Id, unit.Name, figure.Key, figure.Name, figure.Measure, depth, first, last, rows);
    }

    public async Task<Stream> ExportRankingAsync(Guid? unitId, string? figureKey, int? levels, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var view = await RankingAsync(unitId, figureKey, levels, from, to, ct);
        audit.Add("dashboard.ranking-exported", "unit", view.UnitId.ToString(), null, $"{view.Figure} {view.From:yyyy-MM-dd}..{view.To:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, view.Rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["名次"] = r.Rank,
            ["单位"] = r.Unit,
            ["上级单位"] = r.Parent,
            [$"{view.Name}（{view.Measure}）"] = r.Value,
        }), "排名", ct);
        stream.Position = 0;
        return stream;
    }

    /// <summary>A period of district days: this year to today by default, at most <see cref="MaxDays"/> long.</summary>
    private static (DateOnly First, DateOnly Last) Period(DateOnly? from, DateOnly? to, DateTimeOffset now)
    {
        var today = DistrictTime.Today(now);
        var (first, last) = (from ?? new DateOnly(today.Year, 1, 1), to ?? today);
        if (last < first || last.DayNumber - first.DayNumber > MaxDays || first.Year < 2000 || last.Year > 2100)
        {
            throw new InputException(new Dictionary<string, string[]> { ["from"] = [$"起止日期有误：2000 至 2100 年之间，开始不晚于结束，跨度不超过 {MaxDays} 天"] });
        }

        return (first, last);
    }

    /// <summary>The children's table as .xlsx: a row a child (and 本级), a column a figure.</summary>
    public async Task<Stream> ExportAsync(Guid? unitId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var view = await ForAsync(unitId, from, to, ct);
        audit.Add("dashboard.exported", "unit", view.UnitId.ToString(), null, $"{view.From:yyyy-MM-dd}..{view.To:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        var total = new ChildFigures(view.UnitId, view.Unit + "（合计）", "", false, view.Figures.ToDictionary(f => f.Key, f => f.Value));
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, view.Children.Append(total).Select(c =>
        {
            var row = new Dictionary<string, object?> { ["单位"] = c.Name, ["类型"] = c.Kind };
            foreach (var f in view.Figures)
            {
                row[$"{f.Name}（{f.Measure}）"] = c.Values.GetValueOrDefault(f.Key);
            }

            return (IReadOnlyDictionary<string, object?>)row;
        }), $"{view.From:yyyyMMdd}-{view.To:yyyyMMdd}", ct);
        stream.Position = 0;
        return stream;
    }

    /// <summary>The unit named, or the caller's first overseen unit; another subtree is 404, a place the caller reaches but does not oversee 403.</summary>
    private async Task<Unit> OverseenAsync(Guid? unitId, CancellationToken ct)
    {
        var id = unitId ?? db.Scope.Grants.FirstOrDefault(g => g.Role is Role.Admin or Role.Leader)?.UnitId
                 ?? throw new AccessDeniedException("只有管理员和领导可以查看数据看板");
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (unit is null || !db.Scope.CanRead(unit.Path))
        {
            throw new NotVisibleException();
        }

        return db.Scope.CanOversee(unit.Path) ? unit : throw new AccessDeniedException("只有管理员和领导可以查看数据看板");
    }

    private async Task<IReadOnlyList<SeriesPoint>> SeriesAsync(FigureScope s, string grain, DateOnly first, DateOnly last, CancellationToken ct)
    {
        var subtree = db.Units.Where(u => u.Path.StartsWith(s.Path)).Select(u => u.Id);
        var orders = await db.Set<Order>().Where(o => subtree.Contains(o.UnitId) && o.CreatedAt >= s.From && o.CreatedAt < s.To).Select(o => o.CreatedAt).ToListAsync(ct);
        var records = await db.Set<ServiceRecord>().Where(r => subtree.Contains(r.OrganizerUnitId) && r.StartedAt >= s.From && r.StartedAt < s.To)
            .Select(r => new { r.StartedAt, r.Minutes }).ToListAsync(ct);
        var activities = await db.Set<Activity>().Where(a => subtree.Contains(a.UnitId) && a.Status != ActivityStatus.Cancelled && a.StartsAt >= s.From
                                                             && a.StartsAt < s.To && a.StartsAt < s.Now).Select(a => a.StartsAt).ToListAsync(ct);
        string Bucket(DateTimeOffset at)
        {
            var day = DistrictTime.Today(at);
            return grain == "day" ? day.ToString("yyyy-MM-dd") : day.ToString("yyyy-MM");
        }

        var periods = new List<string>();
        for (var d = first; d <= last; d = grain == "day" ? d.AddDays(1) : new DateOnly(d.Year, d.Month, 1).AddMonths(1))
        {
            periods.Add(grain == "day" ? d.ToString("yyyy-MM-dd") : d.ToString("yyyy-MM"));
        }

        var o = orders.GroupBy(Bucket).ToDictionary(g => g.Key, g => (decimal)g.Count());
        var h = records.GroupBy(r => Bucket(r.StartedAt)).ToDictionary(g => g.Key, g => Math.Round(g.Sum(r => r.Minutes) / 60m, 1, MidpointRounding.AwayFromZero));
        var a = activities.GroupBy(Bucket).ToDictionary(g => g.Key, g => (decimal)g.Count());
        return [.. periods.Select(p => new SeriesPoint(p, o.GetValueOrDefault(p), h.GetValueOrDefault(p), a.GetValueOrDefault(p)))];
    }

    private async Task<IReadOnlyList<PlatformFigures>> PlatformsAsync(FigureScope s, CancellationToken ct)
    {
        var subtree = db.Units.Where(u => u.Path.StartsWith(s.Path)).Select(u => u.Id);
        var orders = await db.Set<Order>().Where(o => subtree.Contains(o.UnitId) && o.CreatedAt >= s.From && o.CreatedAt < s.To).GroupBy(o => o.PlatformId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var minutes = await db.Set<ServiceRecord>().Where(r => subtree.Contains(r.OrganizerUnitId) && r.StartedAt >= s.From && r.StartedAt < s.To)
            .GroupBy(r => r.PlatformId).Select(g => new { g.Key, Sum = g.Sum(r => (long)r.Minutes) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        var platforms = await db.Platforms.AsNoTracking().OrderBy(p => p.SortOrder).Select(p => new { p.Id, p.Name }).ToListAsync(ct);
        return [.. platforms.Where(p => orders.ContainsKey(p.Id) || minutes.ContainsKey(p.Id))
            .Select(p => new PlatformFigures(p.Name, orders.GetValueOrDefault(p.Id), Math.Round(minutes.GetValueOrDefault(p.Id) / 60m, 1, MidpointRounding.AwayFromZero)))];
    }
}

internal static class DashboardEndpoints
{
    public static IServiceCollection AddDashboards(this IServiceCollection services) => services.AddScoped<Dashboard>().AddScoped<Assessments>();

    public static IEndpointRouteBuilder MapDashboards(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/dashboard").WithTags("Dashboards").RequireAuthorization();
        g.MapGet("/", async (Dashboard d, CancellationToken ct, Guid? unit = null, DateOnly? from = null, DateOnly? to = null) =>
                TypedResults.Ok(await d.ForAsync(unit, from, to, ct)))
            .WithSummary("A unit's figures over a period (district days, this year by default): each for the subtree and each child side by side, with the list behind it; orders, hours and activities over time and by platform (admins and leaders of the unit or above)");
        g.MapGet("/export", async (Dashboard d, CancellationToken ct, Guid? unit = null, DateOnly? from = null, DateOnly? to = null) =>
                TypedResults.File(await d.ExportAsync(unit, from, to, ct), Organization.OrganizationEndpoints.XlsxType, "dashboard.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The children's figures as .xlsx: a row a child, a column a figure, and the total (admins and leaders)");
        g.MapGet("/screen", async (Dashboard d, CancellationToken ct, Guid? unit = null) => TypedResults.Ok(await d.ScreenAsync(unit, ct)))
            .WithSummary("The big screen's data: this year's headline figures, the stations on the map with their activities of the last 30 days, the latest orders and activities (admins and leaders)");
        g.MapGet("/rankings", async (Dashboard d, CancellationToken ct, Guid? unit = null, string? figure = null, int? levels = null, DateOnly? from = null,
                DateOnly? to = null) => TypedResults.Ok(await d.RankingAsync(unit, figure, levels, from, to, ct)))
            .WithSummary("The units one (levels=1) or two (levels=2) levels below ranked on a figure (?figure=serviceHours by default) over a period (admins and leaders)");
        g.MapGet("/rankings/export", async (Dashboard d, CancellationToken ct, Guid? unit = null, string? figure = null, int? levels = null, DateOnly? from = null,
                DateOnly? to = null) => TypedResults.File(await d.ExportRankingAsync(unit, figure, levels, from, to, ct), Organization.OrganizationEndpoints.XlsxType,
                "ranking.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The ranking as .xlsx (admins and leaders)");
        return app;
    }
}
