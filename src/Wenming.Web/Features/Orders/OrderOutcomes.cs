using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Orders;

/// <summary>A volunteer's part in a delivered order: the service time their record and hours are made from.</summary>
internal sealed record ServedBy(Guid VolunteerId, DateTimeOffset? CheckInAt, DateTimeOffset? CheckOutAt, int? Minutes);

/// <summary>
/// 送单 done: who served, where and how long, what the service was and who confirmed the delivery (a holder's admin or leader,
/// in the name of its unit; none when a volunteer who served reported it): what the volunteers' service records are made from.
/// </summary>
internal sealed record OrderDelivered(Guid DistrictId, Guid SubjectId, string Number, Guid PlatformId, Guid? MenuItemId, Guid PlaceUnitId,
    Guid HolderUnitId, Guid? HolderTeamId, DateTimeOffset DeliveredAt, IReadOnlyList<ServedBy> ServedBy, string? Title = null, string? Address = null,
    Guid? ConfirmedById = null, string? ConfirmedByName = null) : IOutboxEvent
{
    public const string Name = "order.delivered";

    public string Kind => Name;
}

/// <summary>
/// 评单: the stars, whether the order closed or went to review, and the volunteers whose service was rated (those who
/// checked out in the round delivered) with what the service was. Written before the volunteers and the title were added,
/// a payload reads them as null.
/// </summary>
internal sealed record OrderRated(Guid DistrictId, Guid SubjectId, int Stars, bool UnderReview, DateTimeOffset RatedAt, IReadOnlyList<Guid>? VolunteerIds = null,
    string? Title = null) : IOutboxEvent
{
    public const string Name = "order.rated";

    public string Kind => Name;
}

/// <summary>
/// 复核: closed as it was, or sent back to be done again (its service round no longer stands, nor its rating); for a redo,
/// the volunteers of that round and what the service was (null in a payload written before they were added).
/// </summary>
internal sealed record OrderReviewed(Guid DistrictId, Guid SubjectId, bool Redo, DateTimeOffset ReviewedAt, IReadOnlyList<Guid>? VolunteerIds = null,
    string? Title = null) : IOutboxEvent
{
    public const string Name = "order.reviewed";

    public string Kind => Name;
}

/// <summary>The resident withdrew the order before the service began.</summary>
internal sealed record OrderCancelled(Guid DistrictId, Guid SubjectId, DateTimeOffset CancelledAt) : IOutboxEvent
{
    public const string Name = "order.cancelled";

    public string Kind => Name;
}
