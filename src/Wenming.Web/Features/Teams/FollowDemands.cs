using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Teams;

/// <summary>What a need became: a menu item the resident can order, or a project.</summary>
internal sealed record DemandLink(string Kind, Guid Id, string Name);

internal sealed record DemandView(Guid Id, string Text, string? Platform, UnitRef Unit, DateTimeOffset CreatedAt, string Status, string StatusName,
    string? Answer, string? AnsweredBy, DateTimeOffset? AnsweredAt, DemandLink? Link, int Version, bool CanAnswer, bool CanSettle);

/// <summary>Filters of the demand list: a status name, a platform, a unit whose subtree to show.</summary>
internal sealed record DemandFilter(string? Status = null, Guid? Platform = null, Guid? Unit = null);

/// <summary>Needs by status in a subtree over a period (raised from <c>From</c> through <c>To</c>, in the district's days).</summary>
internal sealed record DemandSummary(UnitRef? Unit, DateOnly? From, DateOnly? To, int Received, int Answered, int BecameMenuItem, int BecameProject,
    int Declined, int Total);

internal sealed record DemandAnswerInput(string? Answer, int? Version);

internal sealed record DemandDeclineInput(string? Reason, int? Version);

internal sealed record DemandBecameInput(Guid? MenuItemId, Guid? ProjectId, string? Answer, int? Version);

/// <summary>The demand menu as admins, leaders and team leaders read it, a resident's own needs, and the counts by status.</summary>
internal sealed class DemandQueries(AppDbContext db)
{
    private static readonly Role[] Readers = [Role.Admin, Role.Leader, Role.TeamLeader];

    private DataScope Scope => db.Scope;

    public async Task<Paged<DemandView>> ListAsync(DemandFilter filter, int page, int pageSize, CancellationToken ct)
    {
        if (!Scope.Grants.Any(g => Readers.Contains(g.Role)))
        {
            throw new AccessDeniedException("需求菜单供管理员和队长查看");
        }

        var query = db.Set<Demand>().AsNoTracking().Include(d => d.Unit).VisibleTo(Scope, d => d.Unit!.Path, Readers);
        if (filter.Status is { Length: > 0 } s)
        {
            var status = ParseStatus(s);
            query = query.Where(d => d.Status == status);
        }

        if (filter.Platform is { } p)
        {
            query = query.Where(d => d.PlatformId == p);
        }

        if (filter.Unit is { } u)
        {
            var path = await db.Units.VisibleTo(Scope, Readers).Where(x => x.Id == u).Select(x => x.Path).FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
            query = query.Where(d => d.Unit!.Path.StartsWith(path));
        }

        return await PageAsync(query, page, pageSize, forAdmins: true, ct);
    }

    /// <summary>The needs the caller raised, newest first, with where each stands and the answer.</summary>
    public Task<Paged<DemandView>> MineAsync(int page, int pageSize, CancellationToken ct) =>
        PageAsync(db.Set<Demand>().AsNoTracking().Include(d => d.Unit).Where(d => d.RaisedById == Scope.UserId), page, pageSize, forAdmins: false, ct);

    /// <summary>One need of the caller's reach as the list shows it (404 beyond it).</summary>
    public async Task<DemandView> ViewAsync(Guid id, CancellationToken ct) =>
        (await PageAsync(db.Set<Demand>().AsNoTracking().Include(d => d.Unit).VisibleTo(Scope, d => d.Unit!.Path, Readers).Where(d => d.Id == id),
            1, 1, forAdmins: true, ct)).Items.SingleOrDefault() ?? throw new NotVisibleException();

    /// <summary>The places a reader filters by: the units of their roles and the units right below them.</summary>
    public async Task<IReadOnlyList<UnitRef>> PlacesAsync(CancellationToken ct)
    {
        var roots = Scope.Grants.Where(g => Readers.Contains(g.Role)).Select(g => g.UnitId).Distinct().ToList();
        return await db.Units.AsNoTracking().VisibleTo(Scope, Readers).Where(u => roots.Contains(u.Id) || (u.ParentId != null && roots.Contains(u.ParentId.Value)))
            .OrderBy(u => u.Depth).ThenBy(u => u.Code).Take(300).Select(u => new UnitRef(u.Id, u.Name)).ToListAsync(ct);
    }

    /// <summary>What an admin may link a need to: the active menu items and the projects of their places and above.</summary>
    public async Task<(IReadOnlyList<UnitRef> MenuItems, IReadOnlyList<UnitRef> Projects)> TargetsAsync(CancellationToken ct)
    {
        var menu = await db.Set<MenuItem>().AsNoTracking().Include(m => m.Unit).Where(m => m.IsActive).VisibleOrAbove(Scope, m => m.UnitId, m => m.Unit!.Path)
            .OrderByDescending(m => m.CreatedAt).Take(200).Select(m => new UnitRef(m.Id, m.Title + " · " + m.Team!.Name)).ToListAsync(ct);
        var projects = await db.Set<Project>().AsNoTracking().Include(p => p.Unit).VisibleOrAbove(Scope, p => p.UnitId, p => p.Unit!.Path)
            .OrderByDescending(p => p.CreatedAt).Take(200).Select(p => new UnitRef(p.Id, p.Name)).ToListAsync(ct);
        return (menu, projects);
    }

    /// <summary>Counts by status of the caller's reach as admin or leader, or of one unit's subtree in it.</summary>
    public async Task<DemandSummary> SummaryAsync(Guid? unitId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (!Scope.Grants.Any(g => g.Role is Role.Admin or Role.Leader))
        {
            throw new AccessDeniedException("需求统计供管理员和领导查看");
        }

        if (from > to)
        {
            throw new InputException(new Dictionary<string, string[]> { ["to"] = ["结束日期不能早于开始日期"] });
        }

        var query = db.Set<Demand>().VisibleTo(Scope, d => d.Unit!.Path, Role.Admin, Role.Leader);
        UnitRef? unit = null;
        if (unitId is { } u)
        {
            var found = await db.Units.VisibleTo(Scope, Role.Admin, Role.Leader).Where(x => x.Id == u).Select(x => new { x.Id, x.Name, x.Path })
                .FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
            unit = new UnitRef(found.Id, found.Name);
            query = query.Where(d => d.Unit!.Path.StartsWith(found.Path));
        }

        var c = await CountAsync(query, from, to, ct);
        return new DemandSummary(unit, from, to, c.GetValueOrDefault(DemandStatus.Received), c.GetValueOrDefault(DemandStatus.Answered),
            c.GetValueOrDefault(DemandStatus.BecameMenuItem), c.GetValueOrDefault(DemandStatus.BecameProject), c.GetValueOrDefault(DemandStatus.Declined),
            c.Values.Sum());
    }

    /// <summary>Needs raised in the period by status, in one grouped query; what a dashboard of a subtree counts.</summary>
    public static async Task<Dictionary<DemandStatus, int>> CountAsync(IQueryable<Demand> demands, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (from is { } f)
        {
            var start = Infrastructure.DistrictTime.StartOf(f);
            demands = demands.Where(d => d.CreatedAt >= start);
        }

        if (to is { } t)
        {
            var end = Infrastructure.DistrictTime.StartOf(t.AddDays(1));
            demands = demands.Where(d => d.CreatedAt < end);
        }

        return await demands.GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    public static DemandStatus ParseStatus(string value) =>
        Enum.TryParse<DemandStatus>(value, ignoreCase: true, out var status) && Enum.IsDefined(status)
            ? status
            : throw new InputException(new Dictionary<string, string[]>
            {
                ["status"] = ["状态应为 Received、Answered、BecameMenuItem、BecameProject、Declined 之一"],
            });

    private async Task<Paged<DemandView>> PageAsync(IQueryable<Demand> query, int page, int pageSize, bool forAdmins, CancellationToken ct)
    {
        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenBy(d => d.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var platforms = await db.Platforms.ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var menuIds = rows.Where(d => d.MenuItemId is not null).Select(d => d.MenuItemId!.Value).ToList();
        var projectIds = rows.Where(d => d.ProjectId is not null).Select(d => d.ProjectId!.Value).ToList();
        var menus = menuIds.Count == 0 ? [] : await db.Set<MenuItem>().Where(m => menuIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Title, ct);
        var projects = projectIds.Count == 0 ? [] : await db.Set<Project>().Where(p => projectIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var answererIds = forAdmins ? rows.Where(d => d.AnsweredById is not null).Select(d => d.AnsweredById!.Value).Distinct().ToList() : [];
        var answerers = answererIds.Count == 0 ? [] : await db.Users.Where(u => answererIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return new([.. rows.Select(d => new DemandView(d.Id, d.Text, d.PlatformId is { } p ? platforms.GetValueOrDefault(p) : null,
            new UnitRef(d.UnitId, d.Unit!.Name), d.CreatedAt, d.Status.ToString(), Demand.StatusName(d.Status), d.Answer,
            d.AnsweredById is { } a ? answerers.GetValueOrDefault(a) : null, d.AnsweredAt,
            d.MenuItemId is { } m ? new DemandLink("menuItem", m, menus.GetValueOrDefault(m) ?? "")
            : d.ProjectId is { } j ? new DemandLink("project", j, projects.GetValueOrDefault(j) ?? "") : null,
            d.Version, forAdmins && Scope.CanAdminister(d.Unit.Path) && Demand.CanAnswer(d.Status),
            forAdmins && Scope.CanAdminister(d.Unit.Path) && Demand.IsOpen(d.Status)))], total, page, pageSize);
    }
}

/// <summary>An admin of the need's unit or above answers it, declines it with a reason, or links what it became.</summary>
internal sealed class FollowUpDemand(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public Task<Demand> AnswerAsync(Guid id, DemandAnswerInput input, CancellationToken ct) =>
        SayAsync(id, input.Version, "demand.answered", input.Answer, "answer", "请填写给群众的答复", (d, text, by, now) => d.Reply(text, by, now), ct);

    public Task<Demand> DeclineAsync(Guid id, DemandDeclineInput input, CancellationToken ct) =>
        SayAsync(id, input.Version, "demand.declined", input.Reason, "reason", "暂不采纳须说明理由", (d, text, by, now) => d.Decline(text, by, now), ct);

    public Task<Demand> BecameAsync(Guid id, DemandBecameInput input, CancellationToken ct) =>
        ChangeAsync(id, input.Version, "demand.became", async demand =>
        {
            if (input.MenuItemId is null == input.ProjectId is null)
            {
                throw new InputException(new Dictionary<string, string[]> { ["menuItemId"] = ["请选择一项服务菜单或一个项目（二选一）"] });
            }

            var answer = string.IsNullOrWhiteSpace(input.Answer) ? null : Text(input.Answer, "answer", "");
            // Only what the admin may see: a menu item or project of the district, on their places or above them.
            if (input.MenuItemId is { } menuItemId && !await db.Set<MenuItem>().Include(m => m.Unit).Where(m => m.IsActive)
                    .VisibleOrAbove(Scope, m => m.UnitId, m => m.Unit!.Path).AnyAsync(m => m.Id == menuItemId, ct))
            {
                throw new InputException(new Dictionary<string, string[]> { ["menuItemId"] = ["找不到这项服务菜单"] });
            }

            if (input.ProjectId is { } projectId && !await db.Set<Project>().Include(p => p.Unit)
                    .VisibleOrAbove(Scope, p => p.UnitId, p => p.Unit!.Path).AnyAsync(p => p.Id == projectId, ct))
            {
                throw new InputException(new Dictionary<string, string[]> { ["projectId"] = ["找不到这个项目"] });
            }

            demand.Became(input.MenuItemId, input.ProjectId, answer, Scope.UserId!.Value, clock.GetUtcNow());
        }, ct);

    /// <summary>A change whose words the resident reads (an answer, a reason), required and checked once the caller may act.</summary>
    private Task<Demand> SayAsync(Guid id, int? version, string action, string? words, string field, string missing,
        Action<Demand, string, Guid, DateTimeOffset> change, CancellationToken ct) =>
        ChangeAsync(id, version, action, demand =>
        {
            change(demand, Text(words, field, missing), Scope.UserId!.Value, clock.GetUtcNow());
            return Task.CompletedTask;
        }, ct);

    /// <summary>
    /// Loads the need through the caller's reach (404 beyond it), lets only its admins change it (403), then saves under its
    /// version: of two admins acting at once, the second gets 409.
    /// </summary>
    private async Task<Demand> ChangeAsync(Guid id, int? version, string action, Func<Demand, Task> change, CancellationToken ct)
    {
        var demand = await db.Set<Demand>().Include(d => d.Unit).VisibleTo(Scope, d => d.Unit!.Path).FirstOrDefaultAsync(d => d.Id == id, ct)
                     ?? throw new NotVisibleException();
        if (!Scope.CanAdminister(demand.Unit!.Path))
        {
            throw new AccessDeniedException("只有本单位及上级单位的管理员可以处理需求");
        }

        if (version is { } v && v != demand.Version)
        {
            throw new DomainException("stale-version", "数据已被他人修改，请刷新后重试", 409);
        }

        await change(demand);
        audit.Add(action, "demand", demand.Id.ToString(), demand.Unit.Path, demand.Status.ToString());
        await db.SaveChangesAsync(ct);
        return demand;
    }

    private static string Text(string? value, string field, string missing)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new InputException(new Dictionary<string, string[]> { [field] = [missing] });
        }

        return text.Length <= Demand.MaxAnswer ? text : throw new InputException(new Dictionary<string, string[]> { [field] = [$"不超过 {Demand.MaxAnswer} 字"] });
    }
}
