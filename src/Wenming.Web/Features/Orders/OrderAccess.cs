using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>
/// Who sees an order, and how the caller stands to one: the single place orders are scoped. An order is seen by the
/// person who asked (or the grid worker who filed it), admins and leaders over its place or its holder, the holding
/// team's members and the volunteers sent; volunteers also see orders open for them to claim.
/// </summary>
internal sealed class OrderAccess(AppDbContext db)
{
    private DataScope Scope => db.Scope;

    private (bool Read, Guid? Id) _volunteer;

    /// <summary>The caller's active volunteer record in this district, if any (read once per request).</summary>
    public async Task<Guid?> VolunteerIdAsync(CancellationToken ct)
    {
        if (!_volunteer.Read)
        {
            _volunteer = (true, Scope.UserId is { } uid
                ? await db.Set<Volunteer>().Where(v => v.UserId == uid && v.Status == VolunteerStatus.Active).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct)
                : null);
        }

        return _volunteer.Id;
    }

    public async Task<IQueryable<Order>> VisibleAsync(CancellationToken ct)
    {
        var orders = db.Set<Order>().AsQueryable();
        if (Scope.IsSystem)
        {
            return orders;
        }

        var uid = Scope.UserId ?? Guid.Empty;
        var volunteerId = await VolunteerIdAsync(ct) ?? Guid.Empty;
        var teamIds = volunteerId == Guid.Empty
            ? []
            : await db.Set<TeamMember>().Where(m => m.VolunteerId == volunteerId && m.Status == MembershipStatus.Member).Select(m => m.TeamId).ToListAsync(ct);
        Expression<Func<Order, bool>> own = o => o.RequesterUserId == uid || o.FiledById == uid
                                                 || (o.HolderTeamId != null && teamIds.Contains(o.HolderTeamId.Value))
                                                 || o.Assignments.Any(a => a.VolunteerId == volunteerId)
                                                 || o.Events.Any(e => e.ActorUserId == uid); // whoever acted on it keeps reading it
        var filter = own
            .Or(ScopeQueries.Within<Order>(Scope, o => o.Unit!.Path, Role.Admin, Role.Leader))
            .Or(ScopeQueries.Within<Order>(Scope, o => o.HolderUnit!.Path, Role.Admin, Role.Leader));
        if (volunteerId != Guid.Empty)
        {
            // Open for volunteers to claim (抢单): the nearby filter narrows it further where it is listed.
            filter = filter.Or(o => o.OpenForClaim);
        }

        return orders.Where(filter);
    }

    /// <summary>One order with what moving it needs (workflow, timeline, assignments, photos), or 404.</summary>
    public async Task<Order> LoadAsync(Guid id, CancellationToken ct)
    {
        var visible = await VisibleAsync(ct);
        var order = await visible.Include(o => o.Workflow).Include(o => o.Unit).Include(o => o.HolderUnit)
                        .Include(o => o.Events).Include(o => o.Assignments).ThenInclude(a => a.Volunteer).Include(o => o.Photos)
                        .AsSplitQuery().FirstOrDefaultAsync(o => o.Id == id, ct)
                    ?? throw new NotVisibleException();
        return order;
    }

    /// <summary>How the caller stands to this order.</summary>
    public async Task<OrderActor> ActorAsync(Order order, CancellationToken ct)
    {
        if (Scope.IsSystem)
        {
            return OrderActor.System;
        }

        var uid = Scope.UserId!.Value;
        var name = Scope.DisplayName ?? await db.Users.Where(u => u.Id == uid).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "";
        var administers = Scope.CanAdminister(order.HolderUnit!.Path);
        var leads = false;
        if (order.HolderTeamId is { } teamId)
        {
            leads = administers || await db.Set<TeamMember>().AnyAsync(m => m.TeamId == teamId && m.IsLeader && m.Status == MembershipStatus.Member
                                                                           && m.Volunteer!.UserId == uid && m.Volunteer.Status == VolunteerStatus.Active, ct);
        }

        var role = administers ? "管理员" : leads ? "队长" : null;
        // The resident speaks for the order; the grid worker who filed it does only for a resident with no account.
        var speaksForResident = order.RequesterUserId == uid || order.RequesterUserId is null && order.FiledById == uid;
        return new OrderActor(uid, role is null ? name : $"{name}（{role}）", administers, speaksForResident, leads, await VolunteerIdAsync(ct));
    }

    /// <summary>The place's ancestors by kind, read from its path.</summary>
    public async Task<OrderPlaces> PlacesAsync(Order order, CancellationToken ct)
    {
        var path = order.Unit?.Path ?? await db.Units.Where(u => u.Id == order.UnitId).Select(u => u.Path).SingleAsync(ct);
        return await PlacesAsync(order.UnitId, path, ct);
    }

    public async Task<OrderPlaces> PlacesAsync(Guid unitId, string path, CancellationToken ct)
    {
        var ids = Unit.PathIds(path);
        var line = await db.Units.Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Kind, u.Depth }).ToListAsync(ct);
        return Places(unitId, line.Select(u => (u.Id, u.Kind, u.Depth)));
    }

    public static OrderPlaces Places(Guid unitId, IEnumerable<Unit> line) => Places(unitId, line.Select(u => (u.Id, u.Kind, u.Depth)));

    private static OrderPlaces Places(Guid unitId, IEnumerable<(Guid Id, UnitKind Kind, int Depth)> line)
    {
        var byKind = new Dictionary<UnitKind, Guid>();
        foreach (var u in line.OrderByDescending(u => u.Depth))
        {
            byKind.TryAdd(u.Kind, u.Id); // the nearest of each kind
        }

        return new OrderPlaces(byKind, unitId);
    }
}
