using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The resident's full phone, for those who serve the order; every reveal is audited.</summary>
internal sealed class RevealOrderContact(OrderAccess access, AuditLog audit)
{
    public async Task<string> RunAsync(Guid id, CancellationToken ct)
    {
        var order = await access.LoadAsync(id, ct);
        var actor = await access.ActorAsync(order, ct);
        if (!order.TakesPart(actor) && !actor.IsRequester)
        {
            throw new AccessDeniedException("只有承办单位、承办队伍和被指派的志愿者可以查看居民的完整电话");
        }

        await audit.WriteNowAsync("order.contact-revealed", "order", order.Id.ToString(), order.HolderUnit?.Path, order.Number, ct: ct);
        return order.ContactPhone;
    }
}
