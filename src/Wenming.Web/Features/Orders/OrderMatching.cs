using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

internal sealed record Recommendation(Guid Id, string Name, string? Number, string Place, double? DistanceKm, int Score, IReadOnlyList<string> Reasons);

internal sealed record Recommendations(IReadOnlyList<Recommendation> Teams, IReadOnlyList<Recommendation> Volunteers, int VolunteersConsidered);

/// <summary>
/// Who should take an order: teams and volunteers ranked by platform and skills, distance, availability at the wanted
/// time and current load, each with the reasons for its place. Volunteers are drawn from the stations nearest the
/// order (widening until enough are found), so a district of 100,000 volunteers costs the same as one of 2,000.
/// </summary>
internal sealed class OrderMatching(AppDbContext db, OrderAccess access, TimeProvider clock)
{
    private const int EnoughVolunteers = 400;
    private static readonly double[] RadiiKm = [3, 8, 20, 60];

    public async Task<Recommendations> RecommendAsync(Guid orderId, CancellationToken ct)
    {
        var order = await access.LoadAsync(orderId, ct);
        var actor = await access.ActorAsync(order, ct);
        if (!actor.AdministersHolder && !actor.LeadsHolderTeam)
        {
            throw new AccessDeniedException("只有承办单位管理员或承办队伍队长可以查看派单推荐");
        }

        return await RecommendAsync(order, ct);
    }

    public async Task<Recommendations> RecommendAsync(Order order, CancellationToken ct)
    {
        var holderPath = order.HolderUnit?.Path ?? await db.Units.Where(u => u.Id == order.HolderUnitId).Select(u => u.Path).SingleAsync(ct);
        var text = order.Title + " " + order.Description;
        var now = clock.GetUtcNow();
        var monthAgo = now.AddDays(-30);

        // Load: open assignments count fully, last month's half; held orders for teams.
        var openByVolunteer = await db.Set<OrderAssignment>().Where(a => a.WithdrawnAt == null && (a.CheckOutAt == null || a.CheckOutAt > monthAgo))
            .GroupBy(a => a.VolunteerId).Select(g => new { g.Key, Open = g.Count(a => a.CheckOutAt == null), Recent = g.Count(a => a.CheckOutAt != null) })
            .ToDictionaryAsync(x => x.Key, x => (x.Open, x.Recent), ct);
        var heldByTeam = await db.Set<Order>().Where(o => o.HolderTeamId != null && (o.State == OrderState.Open || o.State == OrderState.InService))
            .GroupBy(o => o.HolderTeamId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);

        var teams = await db.Set<Team>().AsNoTracking().Where(t => t.Unit!.Path.StartsWith(holderPath) && t.Unit.ClosedAt == null)
            .Select(t => new { t.Id, t.Name, t.PlatformId, UnitName = t.Unit!.Name, t.Unit.Latitude, t.Unit.Longitude }).Take(2_000).ToListAsync(ct);
        var menuTeam = order.MenuItemId is { } menuId ? await db.Set<MenuItem>().Where(m => m.Id == menuId).Select(m => (Guid?)m.TeamId).FirstOrDefaultAsync(ct) : null;
        var rankedTeams = teams.Select(t =>
        {
            var reasons = new List<string>();
            var score = 0;
            if (t.Id == menuTeam)
            {
                score += 50;
                reasons.Add("群众点的就是该队的菜单服务");
            }

            if (t.PlatformId == order.PlatformId)
            {
                score += 30;
                reasons.Add("服务平台对口");
            }

            var km = Km(order, t.Latitude, t.Longitude);
            score += DistanceScore(km, 10, 25, reasons);
            var held = heldByTeam.GetValueOrDefault(t.Id);
            if (held > 0)
            {
                score -= 5 * held;
                reasons.Add($"手上有 {held} 单在办");
            }

            return new Recommendation(t.Id, t.Name, null, t.UnitName, km, score, reasons);
        }).OrderByDescending(r => r.Score).ThenBy(r => r.DistanceKm ?? double.MaxValue).Take(10).ToList();

        var candidates = await NearbyVolunteersAsync(order, holderPath, ct);
        var slot = Slot(order.WantedAt);
        var rankedVolunteers = candidates.Select(v =>
        {
            var reasons = new List<string>();
            var score = 0;
            if (v.PreferredPlatformIds.Contains(order.PlatformId))
            {
                score += 20;
                reasons.Add("意向服务平台一致");
            }

            var skills = v.Skills.Where(s => s.Length >= 2 && text.Contains(s, StringComparison.Ordinal)).Take(2).ToList();
            if (skills.Count > 0)
            {
                score += 20 * skills.Count;
                reasons.Add("擅长" + string.Join("、", skills));
            }

            var category = v.ServiceCategories.FirstOrDefault(c => c.Length >= 2 && text.Contains(c, StringComparison.Ordinal));
            if (category is not null)
            {
                score += 10;
                reasons.Add($"服务类别“{category}”");
            }

            var km = Km(order, v.Latitude, v.Longitude);
            score += DistanceScore(km, 5, 30, reasons);
            if (slot is { } bit)
            {
                if ((v.Availability & (1 << bit.Bit)) != 0)
                {
                    score += 15;
                    reasons.Add($"{bit.Words}有空");
                }
                else
                {
                    score -= 10;
                    reasons.Add($"{bit.Words}通常没空");
                }
            }

            var (open, recent) = openByVolunteer.GetValueOrDefault(v.Id);
            if (open + recent > 0)
            {
                score -= 8 * open + 3 * recent;
                reasons.Add(open > 0 ? $"有 {open} 单未完成" : $"近 30 天已服务 {recent} 单");
            }
            else
            {
                score += 5;
                reasons.Add("近期没有派单，优先照顾");
            }

            return new Recommendation(v.Id, v.Name, v.Number, v.UnitName, km, score, reasons);
        }).OrderByDescending(r => r.Score).ThenBy(r => r.DistanceKm ?? double.MaxValue).Take(10).ToList();

        return new Recommendations(rankedTeams, rankedVolunteers, candidates.Count);
    }

    private sealed record Candidate(Guid Id, string Name, string? Number, List<string> Skills, List<string> ServiceCategories, List<Guid> PreferredPlatformIds,
        int Availability, string UnitName, double? Latitude, double? Longitude);

    /// <summary>Active volunteers of the holder's subtree whose home stations are nearest the order, widening the circle until enough.</summary>
    private async Task<List<Candidate>> NearbyVolunteersAsync(Order order, string holderPath, CancellationToken ct)
    {
        var volunteers = db.Set<Volunteer>().AsNoTracking().Where(v => v.Status == VolunteerStatus.Active && v.HomeUnit!.Path.StartsWith(holderPath));
        if (order.Latitude is not { } lat || order.Longitude is not { } lng)
        {
            return await Project(volunteers.OrderBy(v => v.Id).Take(EnoughVolunteers)).ToListAsync(ct);
        }

        List<Candidate> found = [];
        foreach (var km in RadiiKm)
        {
            var (dLat, dLng) = Geo.Box(lat, km * 1000);
            var units = await db.Units.Where(u => u.Path.StartsWith(holderPath) && u.Latitude >= lat - dLat && u.Latitude <= lat + dLat
                                                  && u.Longitude >= lng - dLng && u.Longitude <= lng + dLng)
                .Select(u => new { u.Id, u.Latitude, u.Longitude }).ToListAsync(ct);
            var nearest = units.OrderBy(u => Geo.Meters(lat, lng, u.Latitude!.Value, u.Longitude!.Value)).Select(u => u.Id).Take(60).ToList();
            if (nearest.Count == 0)
            {
                continue;
            }

            found = await Project(volunteers.Where(v => nearest.Contains(v.HomeUnitId)).Take(EnoughVolunteers * 3)).ToListAsync(ct);
            if (found.Count >= EnoughVolunteers)
            {
                break;
            }
        }

        return found;
    }

    private static IQueryable<Candidate> Project(IQueryable<Volunteer> q) =>
        q.Select(v => new Candidate(v.Id, v.Name, v.Number, v.Skills, v.ServiceCategories, v.PreferredPlatformIds, v.Availability, v.HomeUnit!.Name,
            v.HomeUnit.Latitude, v.HomeUnit.Longitude));

    private static double? Km(Order order, double? lat, double? lng) =>
        order.Latitude is { } a && order.Longitude is { } b && lat is { } c && lng is { } d ? Math.Round(Geo.Meters(a, b, c, d) / 1000, 2) : null;

    private static int DistanceScore(double? km, double scaleKm, int max, List<string> reasons)
    {
        if (km is not { } d)
        {
            return 0;
        }

        reasons.Add($"距离 {d:0.#} 公里");
        return (int)Math.Round(max * Math.Max(0, 1 - d / scaleKm));
    }

    /// <summary>The wanted time's bit in the weekly availability (Monday = 0; morning, afternoon, evening), in the district's zone.</summary>
    private static (int Bit, string Words)? Slot(DateTimeOffset? wanted)
    {
        if (wanted is not { } w)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(w, DistrictTimeJsonConverter.Zone);
        var day = ((int)local.DayOfWeek + 6) % 7;
        var part = local.Hour < 12 ? 0 : local.Hour < 18 ? 1 : 2;
        string[] days = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        string[] parts = ["上午", "下午", "晚上"];
        return (day * 3 + part, days[day] + parts[part]);
    }
}
