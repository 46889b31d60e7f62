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
/// time and current load, each with the reasons for its place. The <see cref="EnoughVolunteers"/> candidates are the
/// volunteers of the places nearest the order, nearest first (widening until enough are found), so a district of
/// 100,000 volunteers costs the same as one of 2,000.
/// </summary>
internal sealed class OrderMatching(AppDbContext db, OrderAccess access, DistrictCache cache, TimeProvider clock)
{
    private const int EnoughVolunteers = 400;
    private const int MostForLoad = 5;
    private static readonly double[] RadiiKm = [3, 8, 20, 60];

    /// <summary>A district's teams at open places, as ranking reads them: from <see cref="DistrictCache"/>.</summary>
    private async Task<TeamCandidate[]> TeamsAsync(Guid districtId, CancellationToken ct) =>
        await cache.GetAsync("teams", districtId, async c => await db.Set<Team>().AsNoTracking().Where(t => t.DistrictId == districtId && t.Unit!.ClosedAt == null)
            .Select(t => new TeamCandidate(t.Id, t.Name, t.PlatformId, t.Unit!.Path, t.Unit.Name, t.Unit.Latitude, t.Unit.Longitude)).ToArrayAsync(c), ct) ?? [];

    public async Task<Recommendations> RecommendAsync(Guid orderId, CancellationToken ct)
    {
        // The order and its holder, seen through OrderAccess's rule; not its timeline, assignments and photos, which ranking does not read.
        var order = await (await access.VisibleAsync(ct)).AsNoTracking().Include(o => o.HolderUnit).Include(o => o.Workflow)
                        .FirstOrDefaultAsync(o => o.Id == orderId, ct)
                    ?? throw new NotVisibleException();
        var actor = await access.ActorAsync(order, ct);
        if (!actor.AdministersHolder && !actor.LeadsHolderTeam)
        {
            throw new AccessDeniedException("只有承办单位管理员或承办队伍队长可以查看派单推荐");
        }

        return await RecommendAsync(order, actor, ct);
    }

    /// <summary>
    /// Teams when <paramref name="actor"/> may dispatch the order (each one the dispatch would take), volunteers when they
    /// may assign (each one the assignment would take); an empty list for a move they cannot make now.
    /// </summary>
    public async Task<Recommendations> RecommendAsync(Order order, OrderActor actor, CancellationToken ct)
    {
        var holderPath = order.HolderUnit?.Path ?? await db.Units.Where(u => u.Id == order.HolderUnitId).Select(u => u.Path).SingleAsync(ct);
        var text = order.Title + " " + order.Description;
        var now = clock.GetUtcNow();
        var monthAgo = now.AddDays(-30);

        List<Recommendation> rankedTeams = [];
        if (order.Allows(OrderAction.Dispatch, actor))
        {
            // Held orders weigh on teams.
            var heldByTeam = await db.Set<Order>().Where(o => o.HolderTeamId != null && (o.State == OrderState.Open || o.State == OrderState.InService))
                .GroupBy(o => o.HolderTeamId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
            var oneLevel = order.Step.OneLevelAtATime;
            var teams = (await TeamsAsync(order.DistrictId, ct))
                .Where(t => t.UnitPath.StartsWith(holderPath, StringComparison.Ordinal) && DispatchTargets.TeamRefusal(holderPath, t.UnitPath, oneLevel) is null).ToList();
            var menuTeam = order.MenuItemId is { } menuId ? await db.Set<MenuItem>().Where(m => m.Id == menuId).Select(m => (Guid?)m.TeamId).FirstOrDefaultAsync(ct) : null;
            // Scored without words first; only the ten shown get their reasons written.
            rankedTeams = Top(teams, t => Km(order, t.Latitude, t.Longitude), (t, km, reasons) => ScoreTeam(t, km, order, menuTeam, heldByTeam, reasons),
                (t, km, score, reasons) => new Recommendation(t.Id, t.Name, null, t.UnitName, km, score, reasons));
        }

        if (!order.Allows(OrderAction.Assign, actor))
        {
            return new Recommendations(rankedTeams, [], 0);
        }

        var candidates = order.HolderTeamId is null ? await NearbyVolunteersAsync(order, holderPath, ct) : await FirstAssignableAsync(order, holderPath, ct);
        var rankedVolunteers = await RankVolunteersAsync(order, text, Slot(order.WantedAt), candidates, monthAgo, ct);
        return new Recommendations(rankedTeams, rankedVolunteers, candidates.Count);
    }

    /// <summary>
    /// The volunteers an assignment takes: active members of the holding team, or else active volunteers of the holding
    /// unit's subtree (<paramref name="holderPath"/>).
    /// </summary>
    public static IQueryable<Volunteer> Assignable(AppDbContext db, Order order, string holderPath)
    {
        var query = db.Set<Volunteer>().Where(v => v.Status == VolunteerStatus.Active);
        return order.HolderTeamId is { } teamId
            ? query.Where(v => db.Set<TeamMember>().Any(m => m.TeamId == teamId && m.VolunteerId == v.Id && m.Status == MembershipStatus.Member))
            : query.Where(v => v.HomeUnit!.Path.StartsWith(holderPath));
    }

    private async Task<List<Candidate>> FirstAssignableAsync(Order order, string holderPath, CancellationToken ct) =>
        await Assignable(db, order, holderPath).AsNoTracking().OrderBy(v => v.Id).Take(EnoughVolunteers)
            .Select(v => new Candidate(v.Id, v.Name, v.Number, v.Skills, v.ServiceCategories, v.PreferredPlatformIds, v.Availability, v.HomeUnit!.Name,
                v.HomeUnit.Latitude, v.HomeUnit.Longitude))
            .ToListAsync(ct);

    /// <summary>
    /// The ten best volunteers. Their load (open assignments count fully, last month's less) is the one part of the score
    /// read from the database per volunteer, and it adds at most <see cref="MostForLoad"/>: so it is read best first, in
    /// growing batches, until no volunteer still unread could reach the tenth place. The same ten, in the same order, as
    /// reading everyone's, for a few dozen index lookups instead of one per candidate.
    /// </summary>
    private async Task<List<Recommendation>> RankVolunteersAsync(Order order, string text, (int Bit, string Words)? slot, List<Candidate> candidates,
        DateTimeOffset monthAgo, CancellationToken ct)
    {
        var queue = candidates.Select((v, i) =>
        {
            var km = Km(order, v.Latitude, v.Longitude);
            return (Index: i, Base: ScoreVolunteer(v, km, order, text, slot, null, null), Km: km);
        }).OrderByDescending(x => x.Base).ToList();
        var loads = new Dictionary<Guid, (int Open, int Recent)>();
        var scored = new List<(int Index, int Score, double? Km)>();
        var read = 0;
        for (var batch = 40; read < queue.Count; batch *= 2)
        {
            var next = queue.Skip(read).Take(batch).ToList();
            var ids = next.Select(x => candidates[x.Index].Id).ToList();
            var found = await db.Set<OrderAssignment>()
                .Where(a => ids.Contains(a.VolunteerId) && a.WithdrawnAt == null && (a.CheckOutAt == null || a.CheckOutAt > monthAgo))
                .GroupBy(a => a.VolunteerId).Select(g => new { g.Key, Open = g.Count(a => a.CheckOutAt == null), Recent = g.Count(a => a.CheckOutAt != null) })
                .ToListAsync(ct);
            foreach (var f in found)
            {
                loads[f.Key] = (f.Open, f.Recent);
            }

            scored.AddRange(next.Select(x => (x.Index, x.Base + LoadScore(loads.GetValueOrDefault(candidates[x.Index].Id), null), x.Km)));
            read += next.Count;
            if (read < queue.Count && scored.Count >= 10 && queue[read].Base + MostForLoad < scored.Select(x => x.Score).OrderDescending().ElementAt(9))
            {
                break;
            }
        }

        return [.. scored.OrderByDescending(x => x.Score).ThenBy(x => x.Km ?? double.MaxValue).ThenBy(x => x.Index).Take(10).Select(x =>
        {
            var v = candidates[x.Index];
            var reasons = new List<string>();
            ScoreVolunteer(v, x.Km, order, text, slot, loads.GetValueOrDefault(v.Id), reasons);
            return new Recommendation(v.Id, v.Name, v.Number, v.UnitName, x.Km, x.Score, reasons);
        })];
    }

    /// <summary>
    /// The ten best by score, then distance (a stable sort: ties keep their order). Scoring is done twice for those ten,
    /// the second time writing the reasons, so the thousands ranked pay for numbers only.
    /// </summary>
    private static List<Recommendation> Top<T>(List<T> items, Func<T, double?> km, Func<T, double?, List<string>?, int> score,
        Func<T, double?, int, List<string>, Recommendation> make)
    {
        var scored = new (int Index, int Score, double? Km)[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var distance = km(items[i]);
            scored[i] = (i, score(items[i], distance, null), distance);
        }

        return [.. scored.OrderByDescending(x => x.Score).ThenBy(x => x.Km ?? double.MaxValue).Take(10).Select(x =>
        {
            var reasons = new List<string>();
            score(items[x.Index], x.Km, reasons);
            return make(items[x.Index], x.Km, x.Score, reasons);
        })];
    }

    private static int ScoreTeam(TeamCandidate t, double? km, Order order, Guid? menuTeam, Dictionary<Guid, int> heldByTeam, List<string>? reasons)
    {
        var score = 0;
        if (t.Id == menuTeam)
        {
            score += 50;
            reasons?.Add("群众点的就是该队的菜单服务");
        }

        if (t.PlatformId == order.PlatformId)
        {
            score += 30;
            reasons?.Add("服务平台对口");
        }

        score += DistanceScore(km, 10, 25, reasons);
        var held = heldByTeam.GetValueOrDefault(t.Id);
        if (held > 0)
        {
            score -= 5 * held;
            reasons?.Add($"手上有 {held} 单在办");
        }

        return score;
    }

    /// <summary>A volunteer's score; without <paramref name="load"/>, all but the load's part.</summary>
    private static int ScoreVolunteer(Candidate v, double? km, Order order, string text, (int Bit, string Words)? slot, (int Open, int Recent)? load,
        List<string>? reasons)
    {
        var score = 0;
        if (v.PreferredPlatformIds.Contains(order.PlatformId))
        {
            score += 20;
            reasons?.Add("意向服务平台一致");
        }

        var skills = 0;
        foreach (var s in v.Skills)
        {
            if (skills < 2 && s.Length >= 2 && text.Contains(s, StringComparison.Ordinal))
            {
                skills++;
            }
        }

        if (skills > 0)
        {
            score += 20 * skills;
            reasons?.Add("擅长" + string.Join("、", v.Skills.Where(s => s.Length >= 2 && text.Contains(s, StringComparison.Ordinal)).Take(2)));
        }

        var category = v.ServiceCategories.FirstOrDefault(c => c.Length >= 2 && text.Contains(c, StringComparison.Ordinal));
        if (category is not null)
        {
            score += 10;
            reasons?.Add($"服务类别“{category}”");
        }

        score += DistanceScore(km, 5, 30, reasons);
        if (slot is { } bit)
        {
            if ((v.Availability & (1 << bit.Bit)) != 0)
            {
                score += 15;
                reasons?.Add($"{bit.Words}有空");
            }
            else
            {
                score -= 10;
                reasons?.Add($"{bit.Words}通常没空");
            }
        }

        return load is { } l ? score + LoadScore(l, reasons) : score;
    }

    /// <summary>Open assignments count fully, last month's less; none at all is a plus (at most <see cref="MostForLoad"/>).</summary>
    private static int LoadScore((int Open, int Recent) load, List<string>? reasons)
    {
        var (open, recent) = load;
        if (open + recent > 0)
        {
            reasons?.Add(open > 0 ? $"有 {open} 单未完成" : $"近 30 天已服务 {recent} 单");
            return -(8 * open + 3 * recent);
        }

        reasons?.Add("近期没有派单，优先照顾");
        return MostForLoad;
    }

    private sealed record TeamCandidate(Guid Id, string Name, Guid? PlatformId, string UnitPath, string UnitName, double? Latitude, double? Longitude);

    private sealed record Candidate(Guid Id, string Name, string? Number, List<string> Skills, List<string> ServiceCategories, List<Guid> PreferredPlatformIds,
        int Availability, string UnitName, double? Latitude, double? Longitude);

    /// <summary>Active volunteers of the holder's subtree whose home stations are nearest the order, widening the circle until enough.</summary>
    private async Task<List<Candidate>> NearbyVolunteersAsync(Order order, string holderPath, CancellationToken ct)
    {
        var volunteers = db.Set<Volunteer>().AsNoTracking().Where(v => v.Status == VolunteerStatus.Active);
        if (order.Latitude is not { } lat || order.Longitude is not { } lng)
        {
            return await FirstAssignableAsync(order, holderPath, ct);
        }

        // The holder's places with a map point: once a box holds them all, a wider one finds no one new.
        var subtree = (await Organization.UnitDirectory.AllAsync(db, cache, order.DistrictId, ct)).Values
            .Where(u => !u.IsClosed && u.Latitude is not null && u.Longitude is not null && u.Path.StartsWith(holderPath, StringComparison.Ordinal)).ToList();
        List<Candidate> found = [];
        var asked = new HashSet<Guid>();
        foreach (var km in RadiiKm)
        {
            var (dLat, dLng) = Geo.Box(lat, km * 1000);
            var units = subtree.Where(u => u.Latitude >= lat - dLat && u.Latitude <= lat + dLat && u.Longitude >= lng - dLng && u.Longitude <= lng + dLng).ToList();
            var everywhere = units.Count == subtree.Count;
            // Places not read yet, nearest first. The places are the holder's, so no join is needed to keep to its subtree, and
            // their names and coordinates are already here.
            var nearest = units.Where(u => !asked.Contains(u.Id)).OrderBy(u => Geo.Meters(lat, lng, u.Latitude!.Value, u.Longitude!.Value)).Take(60).ToList();
            for (var i = 0; i < nearest.Count && found.Count < EnoughVolunteers;)
            {
                // Nearest places first, as many at a time as should fill the list at the volunteers per place seen so far
                // (one place first, at most twice as many places as last time).
                var perPlace = asked.Count == 0 ? 0 : Math.Max(1.0, (double)found.Count / asked.Count);
                var take = perPlace == 0 ? 1 : Math.Clamp((int)Math.Ceiling((EnoughVolunteers - found.Count) / perPlace), 1, Math.Max(1, asked.Count * 2));
                var part = nearest.Skip(i).Take(take).ToDictionary(u => u.Id);
                i += part.Count;
                asked.UnionWith(part.Keys);
                var ids = part.Keys.ToList();
                // Any of these places' volunteers fill the list (the ranking below orders them), so the limit has no ORDER BY,
                // and EF warns of that once per process. With one (by id), PostgreSQL reads and sorts every volunteer of the
                // places before it stops (matching bench, one run each: p50 at the center 3.68 ms without, 5.10 ms with).
                var rows = await volunteers.Where(v => ids.Contains(v.HomeUnitId)).Take(EnoughVolunteers - found.Count)
                    .Select(v => new { v.Id, v.Name, v.Number, v.Skills, v.ServiceCategories, v.PreferredPlatformIds, v.Availability, v.HomeUnitId })
                    .ToListAsync(ct);
                found.AddRange(rows.Select(v =>
                {
                    var home = part[v.HomeUnitId];
                    return new Candidate(v.Id, v.Name, v.Number, v.Skills, v.ServiceCategories, v.PreferredPlatformIds, v.Availability, home.Name,
                        home.Latitude, home.Longitude);
                }));
            }

            if (found.Count >= EnoughVolunteers || everywhere)
            {
                break;
            }
        }

        return found;
    }

    private static double? Km(Order order, double? lat, double? lng) =>
        order.Latitude is { } a && order.Longitude is { } b && lat is { } c && lng is { } d ? Math.Round(Geo.Meters(a, b, c, d) / 1000, 2) : null;

    private static int DistanceScore(double? km, double scaleKm, int max, List<string>? reasons)
    {
        if (km is not { } d)
        {
            return 0;
        }

        reasons?.Add($"距离 {d:0.#} 公里");
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
