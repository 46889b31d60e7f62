using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>A volunteer sent to deliver an order, with where and when they checked in and out.</summary>
internal sealed class OrderAssignment : IDistrictOwned
{
    private OrderAssignment()
    {
    }

    public OrderAssignment(Guid districtId, Guid orderId, Guid volunteerId, Guid? assignedById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        OrderId = orderId;
        VolunteerId = volunteerId;
        AssignedById = assignedById;
        AssignedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid OrderId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public Guid? AssignedById { get; private set; }
    public DateTimeOffset AssignedAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public DateTimeOffset? CheckInAt { get; private set; }
    public double? CheckInLatitude { get; private set; }
    public double? CheckInLongitude { get; private set; }
    public DateTimeOffset? CheckOutAt { get; private set; }
    public double? CheckOutLatitude { get; private set; }
    public double? CheckOutLongitude { get; private set; }

    /// <summary>Service time, check-in to check-out: what the volunteer's service record and hours are made from.</summary>
    public int? Minutes { get; private set; }

    public Volunteers.Volunteer? Volunteer { get; private set; }

    public void CheckIn(double? lat, double? lng, DateTimeOffset now)
    {
        CheckInAt = now;
        CheckInLatitude = lat;
        CheckInLongitude = lng;
    }

    public void CheckOut(double? lat, double? lng, DateTimeOffset now)
    {
        CheckOutAt = now;
        CheckOutLatitude = lat;
        CheckOutLongitude = lng;
        Minutes = (int)Math.Round((now - CheckInAt!.Value).TotalMinutes);
    }

    public void Withdraw(DateTimeOffset now) => WithdrawnAt = now;
}

/// <summary>A photo of what was done, attached by whoever delivered the order.</summary>
internal sealed class OrderPhoto : Infrastructure.Files.StoredPhoto
{
    private OrderPhoto()
    {
    }

    public OrderPhoto(Guid districtId, Guid orderId, string fileName, string contentType, Guid? uploadedById, DateTimeOffset now)
        : base(districtId, fileName, contentType, uploadedById, now) => OrderId = orderId;

    public Guid OrderId { get; private set; }
}
