using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Orders;

/// <summary>A resident confirms a grid worker's record by the link in their SMS (no account needed).</summary>
internal sealed class ConfirmOrderByToken(AppDbContext db, OrderAccess access, OrderNotifier notifier, TimeProvider clock)
{
    /// <summary>The order an SMS confirmation link points to, if any (nothing changes).</summary>
    public async Task<Order?> FindByTokenAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 40)
        {
            return null;
        }

        var hash = Tokens.Hash(token);
        return await db.Set<Order>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(o => o.ConfirmTokenHash == hash, ct);
    }

    public async Task<Order?> RunAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 40)
        {
            return null;
        }

        var hash = Tokens.Hash(token);
        var id = await db.Set<Order>().IgnoreQueryFilters().Where(o => o.ConfirmTokenHash == hash).Select(o => new { o.Id, o.DistrictId }).FirstOrDefaultAsync(ct);
        if (id is null)
        {
            return null;
        }

        using var system = db.Scope.AsSystem();
        var order = await access.LoadAsync(id.Id, ct);
        if (order.ConfirmedAt is not null || order.IsFinished)
        {
            return order;
        }

        order.Confirm(new OrderActor(order.RequesterUserId, order.ContactName + "（短信确认）", false, true, false, null), await access.PlacesAsync(order, ct),
            clock.GetUtcNow());
        notifier.Stage(order, OrderActions.Name(OrderAction.Confirm));
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(order, OrderActions.Name(OrderAction.Confirm), null, ct);
        return order;
    }
}
