using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Files;

namespace Wenming.Web.Features.Orders;

/// <summary>A photo of the service, by those who took part: who may is checked before the upload is read.</summary>
internal sealed class AddOrderPhoto(AppDbContext db, OrderAccess access, IFileStore files, TimeProvider clock)
{
    public async Task<OrderPhoto> RunAsync(Guid orderId, IFormFile? file, CancellationToken ct)
    {
        var order = await access.LoadAsync(orderId, ct);
        var actor = await access.ActorAsync(order, ct);
        order.RequireMayAddPhoto(actor);
        var (content, type) = await Images.ReadUploadAsync(file, ct);
        var name = $"orders/{order.Id:N}/{Ids.New():N}";
        order.AddPhoto(actor, name, type, clock.GetUtcNow());
        await files.SaveAsync(name, content, ct);
        await db.SaveChangesAsync(ct);
        return order.Photos[^1];
    }
}
