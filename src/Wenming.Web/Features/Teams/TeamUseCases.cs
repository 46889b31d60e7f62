using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Teams;

internal sealed record TeamInput(Guid? UnitId, string? Level, string? Name, Guid? PlatformId, Guid? ParentTeamId, string? Description);

internal sealed record TeamRow(Guid Id, string Name, string Level, string LevelName, UnitRef Unit, string? Platform, int Members);

internal sealed record MemberView(Guid Id, Guid VolunteerId, string? Number, string Name, string Phone, string Status, bool IsLeader);

internal sealed record MenuView(Guid Id, string Title, Guid PlatformId, string Platform, string? Description, string? Availability,
    int Capacity, Guid TeamId, string Team, UnitRef Area, double? DistanceKm);

internal sealed record TeamView(Guid Id, string Name, string Level, string LevelName, UnitRef Unit, string? Platform, string? Description,
    IReadOnlyList<MemberView> Members, IReadOnlyList<MenuView> Menu, IReadOnlyList<RecentWork> RecentWork, bool CanManage);

/// <summary>A service the team delivered: what, where, when, how long, how it was rated (no one's personal data).</summary>
internal sealed record RecentWork(string Kind, string Title, string Place, DateTimeOffset At, int Minutes, int? Rating);

internal sealed record MenuInput(string? Title, Guid? PlatformId, string? Description, string? Availability, int? Capacity, Guid? UnitId);

internal sealed record DemandInput(string? Text, Guid? PlatformId, Guid? UnitId);

/// <summary>Teams, their members and their menus: created by admins, run by their leaders, joined by volunteers.</summary>
internal sealed class TeamUseCases(AppDbContext db, AuditLog audit, DistrictCache cache, TimeProvider clock)
{
    public const string MenuCacheKind = "menu";

    private DataScope Scope => db.Scope;

    /// <summary>Teams of the caller's units, their ancestors (a volunteer joins the station's or the center's) and below.</summary>
    /// <summary>Whether the caller sees the team (its unit in their reach or above one of their places).</summary>
    public async Task<bool> SeesAsync(Guid id, CancellationToken ct) => await Visible().AnyAsync(t => t.Id == id, ct);

    private IQueryable<Team> Visible() => db.Set<Team>().Include(t => t.Unit).VisibleOrAbove(Scope, t => t.UnitId, t => t.Unit!.Path);

    public async Task<Paged<TeamRow>> ListAsync(int page, int pageSize, string? search, Guid? unit, CancellationToken ct)
    {
        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var query = Visible().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            query = query.Where(t => t.Name.Contains(search));
        }

        if (unit is { } u)
        {
            query = query.Where(t => t.UnitId == u);
        }

        var total = await query.CountAsync(ct);
        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var rows = await query.OrderBy(t => t.Unit!.Depth).ThenBy(t => t.Level).ThenBy(t => t.Name).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(t => new
            {
                t.Id,
                t.Name,
                t.Level,
                t.UnitId,
                UnitName = t.Unit!.Name,
                t.PlatformId,
                Members = db.Set<TeamMember>().Count(m => m.TeamId == t.Id && m.Status == MembershipStatus.Member)
            })
            .ToListAsync(ct);
        return new([.. rows.Select(r => new TeamRow(r.Id, r.Name, r.Level.ToString(), Team.LevelName(r.Level), new UnitRef(r.UnitId, r.UnitName),
            r.PlatformId is { } p ? platforms.GetValueOrDefault(p) : null, r.Members))], total, page, pageSize);
    }

    public async Task<TeamView> ViewAsync(Guid id, CancellationToken ct)
    {
        var team = await Visible().AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotVisibleException();
        var canManage = await CanManageAsync(team, ct);
        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var members = await db.Set<TeamMember>().AsNoTracking().Include(m => m.Volunteer)
            .Where(m => m.TeamId == id && (m.Status == MembershipStatus.Member || (canManage && m.Status == MembershipStatus.Requested)))
            .OrderByDescending(m => m.IsLeader).ThenBy(m => m.RequestedAt).Take(500).ToListAsync(ct);
        var menu = await MenuQuery().Where(m => m.TeamId == id).ToListAsync(ct);
        var work = await db.Set<Orders.Order>().AsNoTracking().Where(o => o.HolderTeamId == id && o.DeliveredAt != null)
            .OrderByDescending(o => o.DeliveredAt).Take(10)
            .Select(o => new
            {
                // The menu's title or the platform, not what the resident typed (it may name people).
                Title = db.Set<MenuItem>().Where(m => m.Id == o.MenuItemId).Select(m => m.Title).FirstOrDefault()
                        ?? db.Platforms.Where(p => p.Id == o.PlatformId).Select(p => p.Name + "志愿服务").FirstOrDefault() ?? "",
                Place = o.HolderUnit!.Name,
                o.DeliveredAt,
                o.Rating,
                Minutes = o.Assignments.Sum(a => a.Minutes ?? 0),
            })
            .ToListAsync(ct);
        return new TeamView(team.Id, team.Name, team.Level.ToString(), Team.LevelName(team.Level), new UnitRef(team.UnitId, team.Unit!.Name),
            team.PlatformId is { } p ? platforms.GetValueOrDefault(p) : null, team.Description,
            [.. members.Select(m => new MemberView(m.Id, m.VolunteerId, m.Volunteer!.Number, m.Volunteer.Name, Masking.Phone(m.Volunteer.Phone) ?? "",
                m.Status.ToString(), m.IsLeader))],
            [.. menu.Select(m => ToMenuView(m, platforms, null))],
            [.. work.Select(w => new RecentWork("order", w.Title, w.Place, w.DeliveredAt!.Value, w.Minutes, w.Rating))], canManage);
    }

    public async Task<Team> CreateAsync(TeamInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 100)
        {
            errors["name"] = ["队伍名称不能为空，且不超过 100 个字"];
        }

        if (!Team.TryParseLevel(input.Level, out var level))
        {
            errors["level"] = ["层级应为 总队、支队、大队、分队、小队 之一"];
        }

        if (input.UnitId is null)
        {
            errors["unitId"] = ["请选择队伍所属单位"];
        }

        if (input.Description is { Length: > 1000 })
        {
            errors["description"] = ["简介不超过 1000 字"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var unit = await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == input.UnitId, ct) ?? throw new NotVisibleException();
        if (!Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有管理员可以在本单位及下级单位组建队伍");
        }

        if (input.PlatformId is { } p)
        {
            await PlatformRules.EnsureKnownAsync(db, [p], ct, "platformId");
        }

        if (input.ParentTeamId is { } parent && !await Visible().AnyAsync(t => t.Id == parent, ct))
        {
            throw new InputException(new Dictionary<string, string[]> { ["parentTeamId"] = ["上级队伍不存在"] });
        }

        var team = new Team(Scope.DistrictId, unit.Id, input.ParentTeamId, level, input.Name!.Trim(), input.PlatformId, input.Description?.Trim(), clock.GetUtcNow());
        db.Add(team);
        audit.Add("team.created", "team", team.Id.ToString(), unit.Path, team.Name);
        await db.SaveChangesAsync(ct);
        return team;
    }

    /// <summary>The signed-in volunteer asks to join; the team's leader or an admin decides.</summary>
    public async Task<TeamMember> JoinAsync(Guid teamId, CancellationToken ct)
    {
        var team = await Visible().FirstOrDefaultAsync(t => t.Id == teamId, ct) ?? throw new NotVisibleException();
        var volunteer = await db.Set<Volunteer>().FirstOrDefaultAsync(v => v.UserId == Scope.UserId, ct)
                        ?? throw new DomainException("not-a-volunteer", "请先注册成为志愿者，再申请加入队伍");
        if (volunteer.Status != VolunteerStatus.Active)
        {
            throw new DomainException("volunteer-not-active", "志愿者注册审核通过后才能加入队伍");
        }

        if (await db.Set<TeamMember>().AnyAsync(m => m.TeamId == teamId && m.VolunteerId == volunteer.Id, ct))
        {
            throw new DomainException("membership-exists", "您已申请或已加入该队伍", 409);
        }

        var member = new TeamMember(Scope.DistrictId, team.Id, volunteer.Id, clock.GetUtcNow());
        db.Add(member);
        await db.SaveChangesAsync(ct);
        return member;
    }

    public async Task<TeamMember> DecideAsync(Guid teamId, Guid memberId, bool accept, CancellationToken ct)
    {
        var team = await Visible().FirstOrDefaultAsync(t => t.Id == teamId, ct) ?? throw new NotVisibleException();
        if (!await CanManageAsync(team, ct))
        {
            throw new AccessDeniedException("只有队长或管理员可以审核入队申请");
        }

        var member = await db.Set<TeamMember>().FirstOrDefaultAsync(m => m.Id == memberId && m.TeamId == teamId, ct) ?? throw new NotVisibleException();
        if (accept)
        {
            member.Accept(Scope.UserId!.Value, clock.GetUtcNow());
        }
        else
        {
            member.Decline(Scope.UserId!.Value, clock.GetUtcNow());
        }

        audit.Add(accept ? "team.member.accepted" : "team.member.declined", "team", team.Id.ToString(), team.Unit!.Path, member.VolunteerId.ToString());
        await db.SaveChangesAsync(ct);
        return member;
    }

    public async Task<MenuItem> AddMenuItemAsync(Guid teamId, MenuInput input, CancellationToken ct)
    {
        var team = await Visible().FirstOrDefaultAsync(t => t.Id == teamId, ct) ?? throw new NotVisibleException();
        if (!await CanManageAsync(team, ct))
        {
            throw new AccessDeniedException("只有队长或管理员可以发布服务菜单");
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Title) || input.Title.Trim().Length > 100)
        {
            errors["title"] = ["服务名称不能为空，且不超过 100 个字"];
        }

        if (input.PlatformId is null)
        {
            errors["platformId"] = ["请选择服务平台"];
        }

        if (input.Capacity is < 1 or > 10_000)
        {
            errors["capacity"] = ["同时可接单数应在 1 到 10000 之间"];
        }

        if (input.Description is { Length: > 1000 } || input.Availability is { Length: > 100 })
        {
            errors["description"] = ["说明不超过 1000 字，服务时间不超过 100 字"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        await PlatformRules.EnsureKnownAsync(db, [input.PlatformId!.Value], ct, "platformId");
        var area = team.Unit!;
        if (input.UnitId is { } areaId && areaId != team.UnitId)
        {
            area = await db.Units.FirstOrDefaultAsync(u => u.Id == areaId && u.Path.StartsWith(team.Unit!.Path), ct)
                   ?? throw new InputException(new Dictionary<string, string[]> { ["unitId"] = ["服务范围须在队伍所属单位之内"] });
        }

        var item = new MenuItem(Scope.DistrictId, team.Id, area.Id, input.Title!.Trim(), input.PlatformId.Value, input.Description?.Trim(),
            input.Availability?.Trim(), input.Capacity ?? 1, clock.GetUtcNow());
        db.Add(item);
        audit.Add("menu.published", "team", team.Id.ToString(), area.Path, item.Title);
        await db.SaveChangesAsync(ct);
        return item;
    }

    /// <summary>The menu a person can order from: services offered to the places they belong to, searchable, nearest first.</summary>
    public async Task<Paged<MenuView>> MenuAsync(Guid? platformId, string? search, double? lat, double? lng, double? radiusKm, int page,
        int pageSize, CancellationToken ct)
    {
        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        if (!Scope.IsSystem)
        {
            return await CachedMenuAsync(platformId, search, lat, lng, radiusKm, page, pageSize, ct);
        }

        var query = MenuQuery();
        if (platformId is { } p)
        {
            query = query.Where(m => m.PlatformId == p);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            query = query.Where(m => m.Title.Contains(search) || (m.Description != null && m.Description.Contains(search)) || m.Team!.Name.Contains(search));
        }

        var platforms = await db.Platforms.ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var items = (await query.OrderBy(m => m.CreatedAt).Take(2_000).ToListAsync(ct)).Select(m => ToMenuView(m, platforms, Distance(m.Unit!, lat, lng))).ToList();
        return Page(items, lat, radiusKm, page, pageSize);
    }

    /// <summary>Within the radius if one is asked, nearest first with a point (else by platform and title), one page.</summary>
    private static Paged<MenuView> Page(List<MenuView> items, double? lat, double? radiusKm, int page, int pageSize)
    {
        if (radiusKm is { } r && lat is not null)
        {
            items = [.. items.Where(i => i.DistanceKm is { } d && d <= r)];
        }

        items = lat is null ? [.. items.OrderBy(i => i.Platform).ThenBy(i => i.Title)] : [.. items.OrderBy(i => i.DistanceKm ?? double.MaxValue)];
        return new([.. items.Skip((page - 1) * pageSize).Take(pageSize)], items.Count, page, pageSize);
    }

    /// <summary>One active menu item as the resident's menu shows it, with where its area lies.</summary>
    private sealed record MenuEntry(Guid Id, string Title, Guid PlatformId, string? Description, string? Availability, int Capacity, Guid TeamId,
        string Team, Guid UnitId, string UnitName, string UnitPath, double? Latitude, double? Longitude, DateTimeOffset CreatedAt);

    /// <summary>
    /// The menu of a person's places, from the district's active items in <see cref="DistrictCache"/> (a save of a menu item,
    /// team, unit or platform forgets them): every request reads and filters a few thousand items in memory, where the
    /// database would join and scan them for each.
    /// </summary>
    private async Task<Paged<MenuView>> CachedMenuAsync(Guid? platformId, string? search, double? lat, double? lng, double? radiusKm, int page, int pageSize,
        CancellationToken ct)
    {
        var districtId = Scope.DistrictId;
        var all = await cache.GetAsync(MenuCacheKind, districtId, async c => (await db.Set<MenuItem>().AsNoTracking()
            .Where(m => m.DistrictId == districtId && m.IsActive)
            .Select(m => new MenuEntry(m.Id, m.Title, m.PlatformId, m.Description, m.Availability, m.Capacity, m.TeamId, m.Team!.Name, m.UnitId, m.Unit!.Name,
                m.Unit.Path, m.Unit.Latitude, m.Unit.Longitude, m.CreatedAt))
            .ToListAsync(c)).OrderBy(m => m.CreatedAt).ToArray(), ct) ?? [];
        var platforms = (await PlatformDirectory.AllAsync(db, cache, districtId, ct)).ToDictionary(x => x.Id, x => x.Name);
        var words = string.IsNullOrWhiteSpace(search) ? null : search;
        var items = all.Where(m => (platformId is null || m.PlatformId == platformId) && Scope.SeesOrAbove(m.UnitPath)
                                   && (words is null || m.Title.Contains(words, StringComparison.Ordinal) || m.Team.Contains(words, StringComparison.Ordinal)
                                       || m.Description?.Contains(words, StringComparison.Ordinal) == true))
            .Take(2_000)
            .Select(m => new MenuView(m.Id, m.Title, m.PlatformId, platforms.GetValueOrDefault(m.PlatformId) ?? "", m.Description, m.Availability, m.Capacity,
                m.TeamId, m.Team, new UnitRef(m.UnitId, m.UnitName), Distance(m.Latitude, m.Longitude, lat, lng)))
            .ToList();
        return Page(items, lat, radiusKm, page, pageSize);
    }

    public async Task<Demand> RaiseDemandAsync(DemandInput input, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Text) || input.Text.Trim().Length is < 4 or > 500)
        {
            throw new InputException(new Dictionary<string, string[]> { ["text"] = ["请用 4 到 500 个字描述您的需求"] });
        }

        var unitId = input.UnitId ?? (Scope.Grants is [var first, ..] ? first.UnitId : (Guid?)null) ?? throw new AccessDeniedException("您还没有所属的实践站");
        var unit = await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw new NotVisibleException();
        if (input.PlatformId is { } p)
        {
            await PlatformRules.EnsureKnownAsync(db, [p], ct, "platformId");
        }

        var demand = new Demand(Scope.DistrictId, unit.Id, input.PlatformId, input.Text.Trim(), Scope.UserId!.Value, clock.GetUtcNow());
        db.Add(demand);
        await db.SaveChangesAsync(ct);
        return demand;
    }

    private IQueryable<MenuItem> MenuQuery() =>
        db.Set<MenuItem>().AsNoTracking().Include(m => m.Team).Include(m => m.Unit).Where(m => m.IsActive)
            .VisibleOrAbove(Scope, m => m.UnitId, m => m.Unit!.Path);

    private async Task<bool> CanManageAsync(Team team, CancellationToken ct) =>
        Scope.CanAdminister(team.Unit!.Path)
        || await db.Set<TeamMember>().AnyAsync(m => m.TeamId == team.Id && m.IsLeader && m.Status == MembershipStatus.Member
                                                   && m.Volunteer!.UserId == Scope.UserId && m.Volunteer.Status == VolunteerStatus.Active, ct);

    private static MenuView ToMenuView(MenuItem m, IReadOnlyDictionary<Guid, string> platforms, double? distance) =>
        new(m.Id, m.Title, m.PlatformId, platforms.GetValueOrDefault(m.PlatformId) ?? "", m.Description, m.Availability, m.Capacity, m.TeamId,
            m.Team!.Name, new UnitRef(m.UnitId, m.Unit!.Name), distance);

    /// <summary>Great-circle distance from the caller to the place that offers the service.</summary>
    public static double? Distance(Unit unit, double? lat, double? lng) => Distance(unit.Latitude, unit.Longitude, lat, lng);

    private static double? Distance(double? placeLat, double? placeLng, double? lat, double? lng) =>
        lat is null || lng is null || placeLat is null || placeLng is null
            ? null
            : Math.Round(Infrastructure.Geo.Meters(lat.Value, lng.Value, placeLat.Value, placeLng.Value) / 1000, 2);
}
