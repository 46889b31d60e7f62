using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

internal sealed record StepView(int Index, string Name, string Kind, string Performer, string PerformerName, string? Level, int DeadlineHours,
    string OnTimeout, bool OneLevelAtATime);

internal sealed record HolderView(UnitRef Unit, UnitRef? Team, string? Volunteer);

internal sealed record TimelineEntry(int Sequence, DateTimeOffset At, string Action, string Step, string Actor, string? Holder, string? Note);

internal sealed record AssignmentView(Guid VolunteerId, string? Number, string Name, DateTimeOffset? CheckInAt, DateTimeOffset? CheckOutAt, int? Minutes,
    bool Withdrawn);

internal sealed record OrderView(
    Guid Id, string Number, string Title, string? Description, UnitRef Platform, string State, string StateName, StepView Step, HolderView Holder,
    UnitRef Place, string? Address, double? Latitude, double? Longitude, DateTimeOffset? WantedAt, string ContactName, string ContactPhone,
    string Channel, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, bool Overdue, string Next, IReadOnlyList<StepView> Steps,
    IReadOnlyList<TimelineEntry> Timeline, IReadOnlyList<AssignmentView> Assignments, IReadOnlyList<Guid> Photos, int? Rating, string? RatingComment,
    string? DeliveryNote, string? PossibleDuplicateOf, IReadOnlyList<string> Actions, int Version, int WorkflowVersion);

internal sealed record OrderRow(Guid Id, string Number, string Title, string Platform, string State, string StateName, string Step, string Holder,
    UnitRef Place, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, bool Overdue, bool PossibleDuplicate, double? DistanceKm);

internal sealed record BoardFigures(UnitRef Unit, int Open, int Overdue, IReadOnlyList<BoardStep> Steps, IReadOnlyList<OrderRow> Orders);

internal sealed record BoardStep(string Name, int Count, int Overdue);

internal sealed record NoticeView(Guid OrderId, string Text, DateTimeOffset At);

internal sealed record PublicReview(string Number, string Title, string Platform, string Place, DateTimeOffset DeliveredAt, int Rating, string? Comment,
    string Team);

/// <summary>Orders as the caller may see them: lists, one order with its timeline, the board, the public review page.</summary>
internal sealed class OrderQueries(AppDbContext db, OrderAccess access, DistrictCache cache, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public static StepView ToView(WorkflowStep s, int index) =>
        new(index, s.Name, s.Kind.ToString(), s.Performer.ToString(), OrderTexts.PerformerName(s), s.Level?.ToString(), s.DeadlineHours, s.OnTimeout.ToString(),
            s.OneLevelAtATime);

    public async Task<OrderView> ViewAsync(Guid id, CancellationToken ct)
    {
        var order = await access.LoadAsync(id, ct);
        return await ViewAsync(order, ct);
    }

    public async Task<OrderView> ViewAsync(Order order, CancellationToken ct) => await ViewAsync(order, await access.ActorAsync(order, ct), ct);

    /// <summary>
    /// The order just placed, in the unit of work that placed it. No one is assigned yet and nobody claims their own
    /// order, so how the caller stands to it follows from the order and the caller's grants; the caller's volunteer
    /// record matters only where volunteers may claim it.
    /// </summary>
    public async Task<OrderView> ViewPlacedAsync(Order order, CancellationToken ct)
    {
        if (Scope.UserId is not { } uid || order.HolderTeamId is not null || order.HolderUnit?.Id != order.HolderUnitId)
        {
            return await ViewAsync(order, ct);
        }

        var speaksForResident = order.RequesterUserId == uid || order.RequesterUserId is null && order.FiledById == uid;
        // Whether the caller is a volunteer matters at this point only to offer someone else's order to claim: a resident
        // ordering for themself (most orders) is not asked, which spares a read of the volunteers table.
        var actor = new OrderActor(uid, "", Scope.CanAdminister(order.HolderUnit!.Path), speaksForResident, false,
            order.OpenForClaim && !speaksForResident ? await access.VolunteerIdAsync(ct) : null);
        return await ViewAsync(order, actor, ct);
    }

    private async Task<OrderView> ViewAsync(Order order, OrderActor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var platform = await PlatformDirectory.NameAsync(db, cache, order.DistrictId, order.PlatformId, ct);
        var teamIds = order.Events.Select(e => e.HolderTeamId).Append(order.HolderTeamId).OfType<Guid>().Distinct().ToList();
        var teams = teamIds.Count == 0 ? [] : await db.Set<Team>().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        // Names of the units already loaded with the order are not read again.
        var units = new Dictionary<Guid, string>();
        foreach (var known in new[] { order.Unit, order.HolderUnit }.OfType<Unit>())
        {
            units[known.Id] = known.Name;
        }

        var unitIds = order.Events.Select(e => e.HolderUnitId).OfType<Guid>().Append(order.HolderUnitId).Distinct().Where(id => !units.ContainsKey(id)).ToList();
        if (unitIds.Count > 0)
        {
            foreach (var (id, name) in await db.Units.Where(u => unitIds.Contains(u.Id)).Select(u => new { u.Id, u.Name }).ToDictionaryAsync(u => u.Id, u => u.Name, ct))
            {
                units[id] = name;
            }
        }

        var duplicate = order.PossibleDuplicateOfId is { } dup
            ? await db.Set<Order>().Where(o => o.Id == dup).Select(o => o.Number).FirstOrDefaultAsync(ct)
            : null;
        var holderVolunteer = order.HolderVolunteerId is { } hv ? order.Assignments.FirstOrDefault(a => a.VolunteerId == hv)?.Volunteer?.Name : null;
        var steps = order.Workflow!.Steps;
        // Seen only because it is open to claim: what a volunteer needs to decide, not who and where exactly.
        var limited = order.OpenForClaim && !actor.IsRequester && order.FiledById != actor.UserId && !actor.AdministersHolder && !Scope.CanOversee(order.Unit!.Path)
                      && !Scope.CanOversee(order.HolderUnit!.Path);
        if (limited)
        {
            return new OrderView(order.Id, order.Number, order.Title, null, new UnitRef(order.PlatformId, platform), order.State.ToString(),
                OrderTexts.StateName(order.State), ToView(order.Step, order.StepIndex), new HolderView(new UnitRef(order.HolderUnitId, units.GetValueOrDefault(order.HolderUnitId) ?? ""), null, null),
                new UnitRef(order.UnitId, order.Unit!.Name), null, order.Latitude is { } la ? Math.Round(la, 2) : null, order.Longitude is { } lo ? Math.Round(lo, 2) : null,
                order.WantedAt, Masking.Name(order.ContactName), Masking.Phone(order.ContactPhone) ?? "", order.Channel.ToString(), order.CreatedAt, order.StepDueAt,
                false, OrderTexts.Next(order, ""), [.. steps.Select(ToView)], [], [], [], null, null, null, null, AvailableActions(order, actor), order.Version, order.Workflow.Version);
        }

        return new OrderView(order.Id, order.Number, order.Title, order.Description, new UnitRef(order.PlatformId, platform), order.State.ToString(),
            OrderTexts.StateName(order.State), ToView(order.Step, order.StepIndex),
            new HolderView(new UnitRef(order.HolderUnitId, units.GetValueOrDefault(order.HolderUnitId) ?? ""),
                order.HolderTeamId is { } t ? new UnitRef(t, teams.GetValueOrDefault(t) ?? "") : null, holderVolunteer),
            new UnitRef(order.UnitId, order.Unit!.Name), order.Address, order.Latitude, order.Longitude, order.WantedAt, order.ContactName,
            actor.IsRequester ? order.ContactPhone : Masking.Phone(order.ContactPhone) ?? "", order.Channel.ToString(), order.CreatedAt, order.StepDueAt,
            order.StepDueAt < now && !order.IsFinished, OrderTexts.Next(order, order.HolderTeamId is { } ht ? teams.GetValueOrDefault(ht) ?? "" : units.GetValueOrDefault(order.HolderUnitId) ?? ""),
            [.. steps.Select(ToView)],
            [.. order.Events.OrderBy(e => e.Sequence).Select(e => new TimelineEntry(e.Sequence, e.At, e.Action, e.StepName, e.ActorName,
                e.HolderTeamId is { } et ? teams.GetValueOrDefault(et) : e.HolderUnitId is { } eu ? units.GetValueOrDefault(eu) : null, e.Note))],
            [.. order.Assignments.OrderBy(a => a.AssignedAt).Select(a => new AssignmentView(a.VolunteerId, a.Volunteer?.Number, a.Volunteer?.Name ?? "",
                a.CheckInAt, a.CheckOutAt, a.Minutes, a.WithdrawnAt is not null))],
            [.. order.Photos.OrderBy(p => p.UploadedAt).Select(p => p.Id)], order.Rating, order.RatingComment, order.DeliveryNote, duplicate,
            AvailableActions(order, actor), order.Version, order.Workflow.Version);
    }

    /// <summary>The moves open to the caller, by name: what the order's own guard allows.</summary>
    public static IReadOnlyList<string> AvailableActions(Order order, OrderActor actor) => [.. order.ActionsFor(actor).Select(OrderActions.Name)];

    /// <summary>
    /// Orders the caller sees. <paramref name="view"/>: "todo" (held by the caller's units, teams or themself: overdue first),
    /// "mine" (asked or filed by the caller), "claimable" (open for volunteers near <paramref name="lat"/>/<paramref name="lng"/>), or all.
    /// </summary>
    public async Task<Paged<OrderRow>> ListAsync(string? view, string? state, Guid? unit, double? lat, double? lng, double? radiusKm, int page,
        int pageSize, CancellationToken ct)
    {
        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var now = clock.GetUtcNow();
        var query = (await access.VisibleAsync(ct)).AsNoTracking();
        var uid = Scope.UserId ?? Guid.Empty;
        switch (view)
        {
            case "mine":
                query = query.Where(o => o.RequesterUserId == uid || o.FiledById == uid);
                break;
            case "todo":
                var volunteerId = await access.VolunteerIdAsync(ct) ?? Guid.Empty;
                var ledTeams = await db.Set<TeamMember>().Where(m => m.VolunteerId == volunteerId && m.IsLeader && m.Status == MembershipStatus.Member)
                    .Select(m => m.TeamId).ToListAsync(ct);
                var held = ScopeQueries.Within<Order>(Scope, o => o.HolderUnit!.Path, Role.Admin)
                    .Or(o => o.HolderTeamId != null && ledTeams.Contains(o.HolderTeamId.Value))
                    .Or(o => o.State == OrderState.InService && o.Assignments.Any(a => a.VolunteerId == volunteerId && a.WithdrawnAt == null && a.CheckOutAt == null));
                query = query.Where(held).Where(o => o.State == OrderState.Open || o.State == OrderState.InService || o.State == OrderState.UnderReview
                                                     || o.State == OrderState.AwaitingConfirmation);
                break;
            case "claimable":
                query = query.Where(o => o.OpenForClaim);
                if (lat is null || lng is null)
                {
                    // Near the volunteer's own station unless they say where they are.
                    var home = await db.Set<Volunteer>().Where(v => v.UserId == uid && v.Status == VolunteerStatus.Active)
                        .Select(v => new { v.HomeUnit!.Latitude, v.HomeUnit.Longitude }).FirstOrDefaultAsync(ct);
                    (lat, lng) = (home?.Latitude, home?.Longitude);
                    radiusKm ??= 5;
                    if (lat is null)
                    {
                        query = query.Where(o => false);
                    }
                }

                break;
        }

        if (!string.IsNullOrWhiteSpace(state) && Enum.TryParse<OrderState>(state, true, out var s))
        {
            query = query.Where(o => o.State == s);
        }

        if (unit is { } u)
        {
            var path = await db.Units.VisibleTo(Scope).Where(x => x.Id == u).Select(x => x.Path).FirstOrDefaultAsync(ct) ?? "\u0001";
            query = query.Where(o => o.Unit!.Path.StartsWith(path) || o.HolderUnit!.Path.StartsWith(path));
        }

        if (lat is { } la && lng is { } ln)
        {
            var (dLat, dLng) = Geo.Box(la, (radiusKm ?? 5) * 1000);
            query = query.Where(o => o.Latitude >= la - dLat && o.Latitude <= la + dLat && o.Longitude >= ln - dLng && o.Longitude <= ln + dLng);
        }

        var total = await query.CountAsync(ct);
        // Overdue first, then the nearest deadline, then the newest.
        var rows = await query
            .OrderBy(o => o.StepDueAt == null || o.StepDueAt >= now ? 1 : 0).ThenBy(o => o.StepDueAt == null ? 1 : 0).ThenBy(o => o.StepDueAt)
            .ThenByDescending(o => o.CreatedAt).ThenBy(o => o.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(o => new
            {
                o.Id,
                o.Number,
                o.Title,
                o.PlatformId,
                o.State,
                o.StepIndex,
                o.StepDueAt,
                o.HolderTeamId,
                HolderName = o.HolderUnit!.Name,
                o.UnitId,
                PlaceName = o.Unit!.Name,
                o.CreatedAt,
                o.PossibleDuplicateOfId,
                o.Latitude,
                o.Longitude,
                o.Workflow!.StepsJson,
                o.WorkflowId,
            })
            .ToListAsync(ct);
        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var teamIds = rows.Select(r => r.HolderTeamId).OfType<Guid>().Distinct().ToList();
        var teams = await db.Set<Team>().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var stepNames = new Dictionary<Guid, IReadOnlyList<WorkflowStep>>();
        return new([.. rows.Select(r =>
        {
            if (!stepNames.TryGetValue(r.WorkflowId, out var steps))
            {
                steps = System.Text.Json.JsonSerializer.Deserialize<List<WorkflowStep>>(r.StepsJson, WorkflowDefinition.Json) ?? [];
                stepNames[r.WorkflowId] = steps;
            }

            var finished = Order.IsFinishedState(r.State);
            return new OrderRow(r.Id, r.Number, r.Title, platforms.GetValueOrDefault(r.PlatformId) ?? "", r.State.ToString(), OrderTexts.StateName(r.State),
                steps.Count > r.StepIndex ? steps[r.StepIndex].Name : "", r.HolderTeamId is { } t ? teams.GetValueOrDefault(t) ?? "" : r.HolderName,
                new UnitRef(r.UnitId, r.PlaceName), r.CreatedAt, r.StepDueAt, !finished && r.StepDueAt < now, r.PossibleDuplicateOfId is not null,
                lat is { } la2 && lng is { } ln2 && r.Latitude is { } ola && r.Longitude is { } olo ? Math.Round(Geo.Meters(la2, ln2, ola, olo) / 1000, 2) : null);
        })], total, page, pageSize);
    }

    /// <summary>The dispatch board of one unit's subtree: open orders by step, overdue counted, the most urgent listed.</summary>
    public async Task<BoardFigures> BoardAsync(Guid? unitId, CancellationToken ct)
    {
        var roots = Scope.Grants.Where(g => g.Role is Role.Admin or Role.Leader).ToList();
        if (roots.Count == 0)
        {
            throw new Infrastructure.Problems.AccessDeniedException("调度看板供中心、所、站管理员和领导查看");
        }

        var unit = await db.Units.VisibleTo(Scope, Role.Admin, Role.Leader).FirstOrDefaultAsync(u => u.Id == (unitId ?? roots[0].UnitId), ct)
                   ?? throw new Infrastructure.Problems.NotVisibleException();
        var now = clock.GetUtcNow();
        var open = db.Set<Order>().AsNoTracking()
            .Where(o => o.Unit!.Path.StartsWith(unit.Path) || o.HolderUnit!.Path.StartsWith(unit.Path))
            .Where(o => o.State == OrderState.AwaitingConfirmation || o.State == OrderState.Open || o.State == OrderState.InService
                        || o.State == OrderState.Delivered || o.State == OrderState.UnderReview);
        var counts = await open.GroupBy(o => new { o.WorkflowId, o.StepIndex, o.State })
            .Select(g => new { g.Key.WorkflowId, g.Key.StepIndex, g.Key.State, Count = g.Count(), Overdue = g.Count(o => o.StepDueAt < now) })
            .ToListAsync(ct);
        var workflowIds = counts.Select(c => c.WorkflowId).Distinct().ToList();
        var workflows = await db.Set<WorkflowDefinition>().Where(w => workflowIds.Contains(w.Id)).ToListAsync(ct);
        var byName = counts.GroupBy(c => c.State == OrderState.UnderReview ? "复核" : workflows.First(w => w.Id == c.WorkflowId).Steps[c.StepIndex].Name)
            .ToDictionary(g => g.Key, g => new BoardStep(g.Key, g.Sum(c => c.Count), g.Sum(c => c.Overdue)));
        // Every step of the current workflow shows, empty ones too, in the workflow's order; older versions' steps follow.
        var current = await Workflows.CurrentAsync(db, unit.DistrictId, clock, ct);
        var steps = current.Steps.Where(s => s.Kind is not (StepKind.Patrol or StepKind.Place) || byName.ContainsKey(s.Name))
            .Select(s => byName.GetValueOrDefault(s.Name) ?? new BoardStep(s.Name, 0, 0)).ToList();
        steps.AddRange(byName.Values.Where(b => steps.All(s => s.Name != b.Name)));
        var list = await ListAsync("todo", null, unit.Id, null, null, null, 1, 20, ct);
        return new BoardFigures(new UnitRef(unit.Id, unit.Name), counts.Sum(c => c.Count), counts.Sum(c => c.Overdue), steps, list.Items);
    }

    /// <summary>Notices to the caller: for the units they administer and the teams they lead, newest first.</summary>
    public async Task<IReadOnlyList<NoticeView>> NoticesAsync(int take, CancellationToken ct)
    {
        var units = Scope.Grants.Where(g => g.Role == Role.Admin).Select(g => g.UnitId).ToList();
        var volunteerId = await access.VolunteerIdAsync(ct) ?? Guid.Empty;
        var teams = await db.Set<TeamMember>().Where(m => m.VolunteerId == volunteerId && m.IsLeader && m.Status == MembershipStatus.Member)
            .Select(m => m.TeamId).ToListAsync(ct);
        var since = clock.GetUtcNow().AddDays(-14);
        return await db.Set<OrderNotice>().AsNoTracking()
            .Where(n => n.CreatedAt > since && (n.UnitId != null && units.Contains(n.UnitId.Value) && n.TeamId == null
                                                || n.TeamId != null && teams.Contains(n.TeamId.Value)))
            .OrderByDescending(n => n.CreatedAt).Take(Math.Clamp(take, 1, 100))
            .Select(n => new NoticeView(n.OrderId, n.Text, n.CreatedAt)).ToListAsync(ct);
    }

    /// <summary>社会评单: delivered and rated orders of a district, for anyone to read; no names, phones or addresses.</summary>
    public async Task<IReadOnlyList<PublicReview>> PublicReviewsAsync(string districtCode, int take, CancellationToken ct)
    {
        var district = await db.Districts.IgnoreQueryFilters().Where(d => d.Code == districtCode).Select(d => (Guid?)d.Id).FirstOrDefaultAsync(ct)
                       ?? throw new Infrastructure.Problems.NotVisibleException();
        var rows = await db.Set<Order>().IgnoreQueryFilters().AsNoTracking()
            .Where(o => o.DistrictId == district && o.Rating != null && o.DeliveredAt != null)
            .OrderByDescending(o => o.RatedAt).Take(Math.Clamp(take, 1, 200))
            .Select(o => new
            {
                o.PlatformId,
                o.Number,
                MenuTitle = db.Set<MenuItem>().IgnoreQueryFilters().Where(m => m.Id == o.MenuItemId).Select(m => m.Title).FirstOrDefault(),
                o.Unit!.Path,
                o.DeliveredAt,
                o.Rating,
                o.RatingComment,
                o.HolderTeamId,
                Holder = o.HolderUnit!.Name,
                o.Id,
                o.ContactName,
            })
            .ToListAsync(ct);
        // The names the comment is likeliest to hold: the resident's, and those of the volunteers who came.
        var orderIds = rows.Select(r => r.Id).ToList();
        var served = (await db.Set<OrderAssignment>().IgnoreQueryFilters().Where(a => orderIds.Contains(a.OrderId))
                .Select(a => new { a.OrderId, a.Volunteer!.Name }).ToListAsync(ct))
            .ToLookup(a => a.OrderId, a => a.Name);
        var platforms = await db.Platforms.IgnoreQueryFilters().Where(p => p.DistrictId == district).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var teamIds = rows.Select(r => r.HolderTeamId).OfType<Guid>().Distinct().ToList();
        var teams = await db.Set<Team>().IgnoreQueryFilters().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var places = await StationNamesAsync(rows.Select(r => r.Path), ct);
        // What the resident typed may name people; the public sees the service (the menu's title or the platform) and the station.
        return [.. rows.Select(r => new PublicReview(r.Number, r.MenuTitle ?? (platforms.GetValueOrDefault(r.PlatformId) + "志愿服务"),
            platforms.GetValueOrDefault(r.PlatformId) ?? "", places.GetValueOrDefault(r.Path) ?? "", r.DeliveredAt!.Value, r.Rating!.Value,
            PersonalText.Scrub(r.RatingComment, [r.ContactName, .. served[r.Id]]), r.HolderTeamId is { } t ? teams.GetValueOrDefault(t) ?? r.Holder : r.Holder))];
    }

    /// <summary>The station (or the nearest place above a grid or building) each path lies in: the most the public is told of where.</summary>
    private async Task<Dictionary<string, string>> StationNamesAsync(IEnumerable<string> paths, CancellationToken ct)
    {
        var list = paths.Distinct().ToList();
        var ids = list.SelectMany(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries)).Distinct().Select(x => Guid.ParseExact(x, "N")).ToList();
        var units = await db.Units.IgnoreQueryFilters().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Name, u.Kind }).ToDictionaryAsync(u => u.Id, ct);
        return list.ToDictionary(p => p, p => p.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(x => units.GetValueOrDefault(Guid.ParseExact(x, "N")))
            .LastOrDefault(u => u is not null && u.Kind is not (UnitKind.Grid or UnitKind.Building))?.Name ?? "");
    }
}

/// <summary>
/// Free text shown to the public: phone and ID numbers people type are blanked, and so are the names the text is known to
/// concern (the resident's, the volunteers'), in full or as their family name with a form of address (刘大爷, 王老师).
/// </summary>
internal static partial class PersonalText
{
    private static readonly string[] FormsOfAddress = ["大爷", "大妈", "大娘", "大姐", "大哥", "阿姨", "奶奶", "爷爷", "叔叔", "婆婆", "师傅", "老师", "同志", "医生", "先生", "女士"];

    public static string? Scrub(string? text, IEnumerable<string>? names = null)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var name in (names ?? []).Select(n => n.Trim()).Where(n => n.Length >= 2).Distinct().OrderByDescending(n => n.Length))
        {
            text = text.Replace(name, Masking.Name(name), StringComparison.Ordinal);
            foreach (var form in FormsOfAddress)
            {
                text = text.Replace(name[0] + form, name[0] + new string('*', form.Length), StringComparison.Ordinal);
            }
        }

        return Digits().Replace(text, m => new string('*', m.Length));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\d[\d\s-]{6,}[\dXx]")]
    private static partial System.Text.RegularExpressions.Regex Digits();
}
