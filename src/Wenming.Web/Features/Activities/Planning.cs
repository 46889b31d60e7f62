using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

internal sealed record PlanInput(Guid? UnitId, int? Year, int? Month, Guid? PlatformId, Guid? TemplateId, string? Title, int? Count);

internal sealed record PlanCell(int Month, string Platform, int Planned, int Held);

internal sealed record PlanView(UnitRef Unit, int Year, IReadOnlyList<PlanCell> Cells, int Planned, int Held, IReadOnlyList<PlanLine> Lines);

internal sealed record PlanLine(Guid Id, int Month, string Platform, string Title, int Count);

internal sealed record ProjectInput(string? Name, Guid? UnitId, Guid? TeamId, Guid? PlatformId, string? Goals, DateOnly? StartsOn, DateOnly? EndsOn, string? Partners);

internal sealed record ProjectRow(Guid Id, string Name, UnitRef Unit, string? Team, string? Platform, string? Goals, DateOnly? StartsOn, DateOnly? EndsOn,
    string? Partners, int Activities, int Orders);

internal sealed record ProjectView(ProjectRow Project, IReadOnlyList<ActivityRow> Activities, IReadOnlyList<ProjectOrder> Orders);

internal sealed record ProjectOrder(Guid Id, string Number, string Title, string State);

internal sealed record LectureTotal(Guid Id, string Name, int Sessions, int Audience);

internal sealed record LectureTotals(int Sessions, int Audience, IReadOnlyList<LectureTotal> ByLecturer, IReadOnlyList<LectureTotal> ByTeam,
    IReadOnlyList<LectureTotal> ByUnit, IReadOnlyList<LectureTotal> ByVenueType, IReadOnlyList<LectureTotal> ByForm);

/// <summary>Yearly plans against what was held, the project library, and the lecture counts (五微七进).</summary>
internal sealed class Planning(AppDbContext db, ActivityUseCases activities, Orders.OrderAccess orderAccess, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public async Task<PlanView> PlanAsync(Guid? unitId, int? year, CancellationToken ct)
    {
        var unit = await OwnUnitAsync(unitId, ct);
        if (!Scope.CanOversee(unit.Path))
        {
            throw new AccessDeniedException("年度活动计划供管理员和领导查看");
        }

        var (y, from, to) = Year(year);
        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var planned = await db.Set<PlanEntry>().AsNoTracking().Where(p => p.Year == y && p.Unit!.Path.StartsWith(unit.Path))
            .Select(p => new { p.Id, p.UnitId, p.Month, p.PlatformId, p.Title, p.Count }).ToListAsync(ct);
        var held = await db.Set<Activity>().AsNoTracking()
            .Where(a => a.Unit!.Path.StartsWith(unit.Path) && a.Status != ActivityStatus.Cancelled && a.StartsAt >= from && a.StartsAt < to)
            .Select(a => new { a.StartsAt, a.PlatformId }).ToListAsync(ct);
        var heldCells = held.GroupBy(a => (TimeZoneInfo.ConvertTime(a.StartsAt, DistrictTimeJsonConverter.Zone).Month, a.PlatformId))
            .ToDictionary(g => g.Key, g => g.Count());
        var plannedCells = planned.GroupBy(p => (p.Month, p.PlatformId)).ToDictionary(g => g.Key, g => g.Sum(p => p.Count));
        var cells = plannedCells.Keys.Union(heldCells.Keys).OrderBy(k => k.Item1).ThenBy(k => platforms.GetValueOrDefault(k.Item2))
            .Select(k => new PlanCell(k.Item1, platforms.GetValueOrDefault(k.Item2) ?? "", plannedCells.GetValueOrDefault(k), heldCells.GetValueOrDefault(k)))
            .ToList();
        return new PlanView(new UnitRef(unit.Id, unit.Name), y, cells, planned.Sum(p => p.Count), held.Count,
            [.. planned.Where(p => p.UnitId == unit.Id).OrderBy(p => p.Month).Select(p => new PlanLine(p.Id, p.Month, platforms.GetValueOrDefault(p.PlatformId) ?? "", p.Title, p.Count))]);
    }

    public async Task<PlanEntry> AddPlanAsync(PlanInput input, CancellationToken ct)
    {
        var unit = await OwnUnitAsync(input.UnitId, ct);
        if (!Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有本单位管理员可以制定年度活动计划");
        }

        var today = DistrictTime.Today(clock.GetUtcNow());
        ActivityTemplate? template = input.TemplateId is { } tid ? await db.Set<ActivityTemplate>().FirstOrDefaultAsync(t => t.Id == tid && t.Status == TemplateStatus.Approved, ct) : null;
        var errors = new Dictionary<string, string[]>();
        if (input.Year is not { } year || year < today.Year - 1 || year > today.Year + 1 || input.Month is not (>= 1 and <= 12))
        {
            errors["month"] = ["请选择今年前后一年内的年份和 1 到 12 月"];
        }

        if (input.Count is not (>= 1 and <= 1000))
        {
            errors["count"] = ["计划场次应在 1 到 1000 之间"];
        }

        if (input.TemplateId is not null && template is null)
        {
            errors["templateId"] = ["活动库中没有这个已入库的活动"];
        }

        var platformId = input.PlatformId ?? template?.PlatformId;
        var title = (input.Title ?? template?.Title)?.Trim();
        if (platformId is null || string.IsNullOrWhiteSpace(title) || title.Length > 100)
        {
            errors["title"] = ["请选择活动库中的活动，或填写活动名称（不超过 100 字）和服务平台"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        await PlatformRules.EnsureKnownAsync(db, [platformId!.Value], ct, "platformId");
        var entry = new PlanEntry(Scope.DistrictId, unit.Id, input.Year!.Value, input.Month!.Value, platformId.Value, template?.Id, title!, input.Count!.Value, clock.GetUtcNow());
        db.Add(entry);
        audit.Add("plan.added", "plan", entry.Id.ToString(), unit.Path, $"{entry.Year}-{entry.Month:D2} {entry.Title} ×{entry.Count}");
        await db.SaveChangesAsync(ct);
        return entry;
    }

    // ---- projects ----

    public async Task<IReadOnlyList<ProjectRow>> ProjectsAsync(Guid? platform, Guid? unit, CancellationToken ct)
    {
        var query = db.Set<Project>().AsNoTracking().Include(p => p.Unit).VisibleOrAbove(Scope, p => p.UnitId, p => p.Unit!.Path);
        if (platform is { } pl)
        {
            query = query.Where(p => p.PlatformId == pl);
        }

        if (unit is { } u)
        {
            var path = await db.Units.Where(x => x.Id == u).Select(x => x.Path).FirstOrDefaultAsync(ct) ?? "\u0001";
            query = query.Where(p => p.Unit!.Path.StartsWith(path));
        }

        var rows = await query.OrderBy(p => p.Name).Take(500).Select(p => new
        {
            p.Id,
            p.Name,
            p.UnitId,
            UnitName = p.Unit!.Name,
            p.TeamId,
            p.PlatformId,
            p.Goals,
            p.StartsOn,
            p.EndsOn,
            p.Partners,
            Activities = db.Set<Activity>().Count(a => a.ProjectId == p.Id && a.Status != ActivityStatus.Cancelled),
            Orders = db.Set<Orders.Order>().Count(o => o.ProjectId == p.Id),
        }).ToListAsync(ct);
        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var teamIds = rows.Select(r => r.TeamId).OfType<Guid>().ToList();
        var teams = await db.Set<Team>().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return [.. rows.Select(r => new ProjectRow(r.Id, r.Name, new UnitRef(r.UnitId, r.UnitName), r.TeamId is { } t ? teams.GetValueOrDefault(t) : null,
            r.PlatformId is { } p ? platforms.GetValueOrDefault(p) : null, r.Goals, r.StartsOn, r.EndsOn, r.Partners, r.Activities, r.Orders))];
    }

    public async Task<ProjectView> ProjectAsync(Guid id, CancellationToken ct)
    {
        var row = (await ProjectsAsync(null, null, ct)).FirstOrDefault(p => p.Id == id) ?? throw new NotVisibleException();
        var list = await activities.Visible().AsNoTracking().Where(a => a.ProjectId == id).OrderByDescending(a => a.StartsAt).Take(100)
            .Select(a => new ActivityRow(a.Id, a.Title, "", new UnitRef(a.UnitId, a.Unit!.Name), a.StartsAt, a.EndsAt, a.Address, a.Status.ToString(), a.Capacity, 0,
                a.LectureForm != null)).ToListAsync(ct);
        var orders = await (await orderAccess.VisibleAsync(ct)).AsNoTracking().Where(o => o.ProjectId == id).OrderByDescending(o => o.CreatedAt).Take(100)
            .Select(o => new ProjectOrder(o.Id, o.Number, o.Title, o.State.ToString())).ToListAsync(ct);
        return new ProjectView(row, list, orders);
    }

    public async Task<Project> CreateProjectAsync(ProjectInput input, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100 || input.Goals is { Length: > 2000 } || input.Partners is { Length: > 500 }
            || input.StartsOn > input.EndsOn || input.TeamId is { } teamId && !await db.Set<Team>().AnyAsync(t => t.Id == teamId, ct))
        {
            throw new InputException(new Dictionary<string, string[]> { ["name"] = ["请填写项目名称（不超过 100 字）；目标不超过 2000 字，合作方不超过 500 字；结束日期不早于开始日期；队伍须是本区的队伍"] });
        }

        var unit = await OwnUnitAsync(input.UnitId, ct);
        if (!Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有管理员可以建立项目");
        }

        if (input.PlatformId is { } p)
        {
            await PlatformRules.EnsureKnownAsync(db, [p], ct, "platformId");
        }

        if (await db.Set<Project>().AnyAsync(x => x.Name == input.Name.Trim(), ct))
        {
            throw new DomainException("project-name-taken", "本区已有同名项目", 409);
        }

        var project = new Project(Scope.DistrictId, unit.Id, input.TeamId, input.Name.Trim(), input.PlatformId, input.Goals?.Trim(), input.StartsOn, input.EndsOn,
            input.Partners?.Trim(), Scope.UserId, clock.GetUtcNow());
        db.Add(project);
        audit.Add("project.created", "project", project.Id.ToString(), unit.Path, project.Name);
        await db.SaveChangesAsync(ct);
        return project;
    }

    /// <summary>A year asked about (this one by default) and its span in stored (UTC) times; a year outside 2000–2100 is bad input.</summary>
    private (int Year, DateTimeOffset From, DateTimeOffset To) Year(int? year)
    {
        var y = year ?? DistrictTime.Today(clock.GetUtcNow()).Year;
        if (y is < 2000 or > 2100)
        {
            throw new InputException(new Dictionary<string, string[]> { ["year"] = ["年份应在 2000 至 2100 之间"] });
        }

        var from = new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime();
        return (y, from, from.AddYears(1));
    }

    // ---- lectures ----

    /// <summary>Lecture sessions and audience of a unit's subtree in a year: by lecturer, team, unit, venue (七进) and form (五微).</summary>
    public async Task<LectureTotals> LectureTotalsAsync(Guid? unitId, int? year, CancellationToken ct)
    {
        var unit = await OwnUnitAsync(unitId, ct);
        var (_, from, to) = Year(year);
        var sessions = await db.Set<Activity>().AsNoTracking()
            .Where(a => a.LectureForm != null && a.Status != ActivityStatus.Cancelled && a.Unit!.Path.StartsWith(unit.Path) && a.StartsAt >= from && a.StartsAt < to)
            .Select(a => new { a.UnitId, UnitName = a.Unit!.Name, a.TeamId, a.LecturerIds, a.AudienceCount, a.VenueType, a.LectureForm }).ToListAsync(ct);
        var lecturerIds = sessions.SelectMany(s => s.LecturerIds).Distinct().ToList();
        var names = await db.Set<Volunteer>().Where(v => lecturerIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        var teamIds = sessions.Select(s => s.TeamId).OfType<Guid>().Distinct().ToList();
        var teams = await db.Set<Team>().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        static List<LectureTotal> Sum<TKey>(IEnumerable<(TKey Key, string Name, int Audience)> rows, Func<TKey, Guid> id) =>
            [.. rows.GroupBy(r => r.Key).Select(g => new LectureTotal(id(g.Key), g.First().Name, g.Count(), g.Sum(r => r.Audience))).OrderByDescending(t => t.Sessions)];
        return new LectureTotals(sessions.Count, sessions.Sum(s => s.AudienceCount ?? 0),
            Sum(sessions.SelectMany(s => s.LecturerIds.Select(l => (l, names.GetValueOrDefault(l) ?? "", s.AudienceCount ?? 0))), k => k),
            Sum(sessions.Where(s => s.TeamId is not null).Select(s => (s.TeamId!.Value, teams.GetValueOrDefault(s.TeamId.Value) ?? "", s.AudienceCount ?? 0)), k => k),
            Sum(sessions.Select(s => (s.UnitId, s.UnitName, s.AudienceCount ?? 0)), k => k),
            Sum(sessions.Select(s => (s.VenueType ?? "", s.VenueType ?? "", s.AudienceCount ?? 0)), _ => Guid.Empty),
            Sum(sessions.Select(s => (s.LectureForm ?? "", s.LectureForm ?? "", s.AudienceCount ?? 0)), _ => Guid.Empty));
    }

    /// <summary>The unit asked for, or the caller's first; it must be within their reach.</summary>
    private async Task<Unit> OwnUnitAsync(Guid? unitId, CancellationToken ct)
    {
        var id = unitId ?? Scope.Grants.OrderBy(g => g.Role == Role.Admin ? 0 : 1).FirstOrDefault()?.UnitId ?? throw new NotVisibleException();
        return await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == id, ct) ?? throw new NotVisibleException();
    }
}
