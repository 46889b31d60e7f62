using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>A message to whoever now holds an order (a unit's admins, a team's leader, a person).</summary>
internal sealed class OrderNotice : IDistrictOwned
{
    private OrderNotice()
    {
    }

    public OrderNotice(Guid districtId, Guid orderId, Guid? unitId, Guid? teamId, Guid? userId, string text, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        OrderId = orderId;
        UnitId = unitId;
        TeamId = teamId;
        UserId = userId;
        Text = text;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid OrderId { get; private set; }
    public Guid? UnitId { get; private set; }
    public Guid? TeamId { get; private set; }
    public Guid? UserId { get; private set; }
    public string Text { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
}
