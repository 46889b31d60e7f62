using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The body of <c>POST /api/v1/orders/{id}/actions/{action}</c>; each action reads the fields it needs.</summary>
internal sealed record OrderActionInput(
    string? Note = null,
    string? Reason = null,
    Guid? UnitId = null,
    Guid? TeamId = null,
    Guid[]? VolunteerIds = null,
    double? Latitude = null,
    double? Longitude = null,
    string? CoordinateSystem = null,
    int? Stars = null,
    string? Comment = null,
    string? Outcome = null,
    Guid? IntoOrderId = null,
    int? Version = null);

/// <summary>
/// Moves an order: loads it through the caller's scope, reads what the move is given, lets the order's own method decide,
/// saves, and tells whoever holds it next. 404 if the caller cannot see it; 403/409/422 when the order's rules say no.
/// </summary>
internal sealed class ActOnOrder(AppDbContext db, OrderAccess access, OrderNotifier notifier, AuditLog audit, TimeProvider clock)
{
    private static readonly HashSet<OrderAction> Audited = [OrderAction.Escalate, OrderAction.Reject, OrderAction.Reopen, OrderAction.Merge];

    public async Task<Order> RunAsync(Guid id, string actionName, OrderActionInput input, CancellationToken ct)
    {
        if (!OrderActions.TryParse(actionName, out var action))
        {
            throw new DomainException("order-unknown-action", $"没有“{actionName}”这个操作", 404);
        }

        return await RunAsync(id, action, input, ct);
    }

    public async Task<Order> RunAsync(Guid id, OrderAction action, OrderActionInput input, CancellationToken ct)
    {
        Order order;
        try
        {
            order = await access.LoadAsync(id, ct);
        }
        catch (NotVisibleException) when (action == OrderAction.Accept)
        {
            // Volunteers saw it while it was open to claim; losing the race is a conflict, not a vanished order.
            throw await TakenByAnotherVolunteerAsync(id, ct) ? new DomainException("order-already-taken", "该订单已被其他志愿者接走", 409) : new NotVisibleException();
        }

        if (input.Version is { } version && version != order.Version)
        {
            // The caller acted on what they saw; if the order moved since, they look again rather than act on a step they never saw.
            throw new DomainException("stale-version", "订单刚被他人处理过，请刷新后再操作", 409);
        }

        var actor = await access.ActorAsync(order, ct);
        // The state and the actor before what the move is given: a wrong step is 409 whatever the input.
        if (order.Refusal(action, actor) is { } refusal)
        {
            throw refusal;
        }

        var now = clock.GetUtcNow();
        switch (action)
        {
            case OrderAction.Confirm:
                order.Confirm(actor, await access.PlacesAsync(order, ct), now);
                break;
            case OrderAction.Collect or OrderAction.Draft:
                order.CompleteUnitStep(action, actor, await access.PlacesAsync(order, ct), OrderInputs.Note(input.Note), now);
                break;
            case OrderAction.Dispatch:
                await DispatchAsync(order, actor, input, now, ct);
                break;
            case OrderAction.Accept:
                if (order.AcceptIsClaim)
                {
                    await EnsureNearEnoughToClaimAsync(order, actor.VolunteerId!.Value, ct);
                }

                order.Accept(actor, await access.PlacesAsync(order, ct), OrderInputs.Note(input.Note), now);
                break;
            case OrderAction.Resolve:
                order.Resolve(actor, OrderInputs.Note(input.Note), now);
                break;
            case OrderAction.Escalate:
                order.Escalate(actor, (await ParentOfHolderAsync(order, ct))!, automatic: false, OrderInputs.Note(input.Note), now);
                break;
            case OrderAction.Reject:
                order.Reject(actor, OrderInputs.Required(input.Reason ?? input.Note, "reason", "请写明退单理由"), now);
                break;
            case OrderAction.Assign:
                order.Assign(actor, await AssignableAsync(order, input.VolunteerIds, ct), now);
                break;
            case OrderAction.CheckIn or OrderAction.CheckOut:
                var (lat, lng, meters) = Position(order, input);
                var radius = order.Workflow!.CheckInRadiusMeters;
                if (action == OrderAction.CheckIn)
                {
                    order.CheckIn(actor, lat, lng, meters, radius, now);
                }
                else
                {
                    order.CheckOut(actor, lat, lng, meters, radius, now);
                }

                break;
            case OrderAction.Deliver:
                order.Deliver(actor, OrderInputs.Note(input.Note), await access.PlacesAsync(order, ct), now);
                break;
            case OrderAction.Rate:
                if (input.Stars is not (>= 1 and <= 5) || input.Comment is { Length: > 500 })
                {
                    throw new InputException(new Dictionary<string, string[]> { ["stars"] = ["请给出 1 到 5 星，评价不超过 500 字"] });
                }

                order.Rate(actor, input.Stars.Value, input.Comment?.Trim(), await ReviewUnitAsync(order, ct), now);
                break;
            case OrderAction.Review:
                if (input.Outcome is not ("close" or "redo"))
                {
                    throw new InputException(new Dictionary<string, string[]> { ["outcome"] = ["复核结果应为 close（结单）或 redo（重新办理）"] });
                }

                order.Review(actor, input.Outcome == "redo", OrderInputs.Note(input.Note), now);
                break;
            case OrderAction.Reopen:
                order.Reopen(actor, await ReviewUnitAsync(order, ct), OrderInputs.Required(input.Reason ?? input.Note, "reason", "请写明重新打开的理由"), now);
                break;
            case OrderAction.Cancel:
                order.Cancel(actor, OrderInputs.Note(input.Reason ?? input.Note), now);
                break;
            case OrderAction.Merge:
                var into = input.IntoOrderId is { } intoId
                    ? await access.LoadAsync(intoId, ct)
                    : throw new InputException(new Dictionary<string, string[]> { ["intoOrderId"] = ["请选择要合并到的订单"] });
                order.MergeInto(actor, into, now);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action));
        }

        var name = OrderActions.Name(action);
        if (Audited.Contains(action))
        {
            audit.Add("order." + name, "order", order.Id.ToString(), order.HolderUnit?.Path, order.Number);
        }

        notifier.Stage(order, name);
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(order, name, null, ct);
        return order;
    }

    /// <summary>Someone else claimed it: the order now has a volunteer holding it, and the caller is a volunteer who could have.</summary>
    private async Task<bool> TakenByAnotherVolunteerAsync(Guid id, CancellationToken ct) =>
        await access.VolunteerIdAsync(ct) is { } mine
        && await db.Set<Order>().AnyAsync(o => o.Id == id && o.HolderVolunteerId != null && o.HolderVolunteerId != mine, ct);

    private async Task EnsureNearEnoughToClaimAsync(Order order, Guid volunteerId, CancellationToken ct)
    {
        var radiusKm = order.Workflow!.ClaimRadiusKm;
        var home = await db.Set<Volunteer>().Where(v => v.Id == volunteerId).Select(v => new { v.HomeUnit!.Latitude, v.HomeUnit.Longitude }).SingleAsync(ct);
        if (order.Latitude is { } lat && order.Longitude is { } lng && home.Latitude is { } hLat && home.Longitude is { } hLng
            && Geo.Meters(lat, lng, hLat, hLng) > radiusKm * 1000)
        {
            throw new DomainException("order-too-far", $"该订单距您所在站点超过 {radiusKm:0.#} 公里，请由附近的志愿者接单", 422);
        }
    }

    private async Task DispatchAsync(Order order, OrderActor actor, OrderActionInput input, DateTimeOffset now, CancellationToken ct)
    {
        var holder = order.HolderUnit!;
        if (input.TeamId is { } teamId)
        {
            var team = await db.Set<Team>().Include(t => t.Unit).FirstOrDefaultAsync(t => t.Id == teamId, ct)
                       ?? throw new DomainException("order-dispatch-target", "只能派给本单位、下级或上级单位的队伍", 422);
            order.DispatchToTeam(actor, holder, team.Id, team.Name, team.Unit!, now);
            return;
        }

        if (input.UnitId is { } unitId)
        {
            var child = await db.Units.FirstOrDefaultAsync(u => u.Id == unitId, ct)
                        ?? throw new DomainException("order-dispatch-target", "只能派给本单位的下一级所、站", 422);
            order.DispatchDown(actor, child, holder, now);
            return;
        }

        throw new InputException(new Dictionary<string, string[]> { ["teamId"] = ["请选择派往的队伍（teamId）或下级单位（unitId）"] });
    }

    /// <summary>Volunteers the caller may send: members of the holding team, or (for a unit handling it) active volunteers of its subtree.</summary>
    private async Task<IReadOnlyList<(Guid Id, string Name)>> AssignableAsync(Order order, Guid[]? ids, CancellationToken ct)
    {
        if (ids is not { Length: > 0 and <= 50 })
        {
            throw new InputException(new Dictionary<string, string[]> { ["volunteerIds"] = ["请选择 1 到 50 名志愿者"] });
        }

        var found = await OrderMatching.Assignable(db, order, order.HolderUnit!.Path).Where(v => ids.Contains(v.Id)).Select(v => new { v.Id, v.Name }).ToListAsync(ct);
        if (found.Count != ids.Distinct().Count())
        {
            throw new DomainException("order-assign-outside", order.HolderTeamId is null ? "只能指派本单位在岗的志愿者" : "只能指派本队在岗的队员", 422);
        }

        return [.. found.Select(f => (f.Id, f.Name))];
    }

    private static (double? Lat, double? Lng, double? Meters) Position(Order order, OrderActionInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var point = Geo.ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);
        if (errors.Count > 0 || (point is null && order.Latitude is not null))
        {
            throw new InputException(errors.Count > 0 ? errors : new Dictionary<string, string[]> { ["latitude"] = ["签到签退需要您当前的位置，请允许定位"] });
        }

        double? meters = point is { } p && order.Latitude is { } lat && order.Longitude is { } lng ? Geo.Meters(p.Lat, p.Lng, lat, lng) : null;
        return (point?.Lat, point?.Lng, meters);
    }

    /// <summary>The unit above the one that delivered (or holds) the order reviews a bad rating.</summary>
    private async Task<Unit> ReviewUnitAsync(Order order, CancellationToken ct) => await ParentOfHolderAsync(order, ct) ?? order.HolderUnit!;

    private async Task<Unit?> ParentOfHolderAsync(Order order, CancellationToken ct) =>
        order.HolderUnit!.ParentId is { } parentId ? await db.Units.FirstOrDefaultAsync(u => u.Id == parentId, ct) : null;
}

/// <summary>Free text a move is given, checked the same way by every move.</summary>
internal static class OrderInputs
{
    public static string? Note(string? note)
    {
        if (note is { Length: > 500 })
        {
            throw new InputException(new Dictionary<string, string[]> { ["note"] = ["说明不超过 500 字"] });
        }

        return string.IsNullOrWhiteSpace(note) ? null : note.Trim();
    }

    public static string Required(string? text, string field, string message) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Length > 500
            ? throw new InputException(new Dictionary<string, string[]> { [field] = [message] })
            : text.Trim();
}
