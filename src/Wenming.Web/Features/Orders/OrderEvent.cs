using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>One line of an order's timeline: append-only.</summary>
internal sealed class OrderEvent : IDistrictOwned
{
    private OrderEvent()
    {
    }

    public OrderEvent(Guid districtId, Guid orderId, int sequence, DateTimeOffset at, string action, int stepIndex, string stepName, Guid? actorUserId,
        string actorName, Guid? holderUnitId, Guid? holderTeamId, string? note)
    {
        Id = Ids.New();
        DistrictId = districtId;
        OrderId = orderId;
        Sequence = sequence;
        At = at;
        Action = action;
        StepIndex = stepIndex;
        StepName = stepName;
        ActorUserId = actorUserId;
        ActorName = actorName;
        HolderUnitId = holderUnitId;
        HolderTeamId = holderTeamId;
        ToStepIndex = stepIndex;
        Note = note is { Length: > 500 } ? note[..500] : note;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid OrderId { get; private set; }
    public int Sequence { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Action { get; private set; } = "";
    public int StepIndex { get; private set; }
    public string StepName { get; private set; } = "";
    public Guid? ActorUserId { get; private set; }
    public string ActorName { get; private set; } = "";

    /// <summary>The step the order was at after this event, and who held it.</summary>
    public int ToStepIndex { get; private set; }

    public Guid? HolderUnitId { get; private set; }

    public Guid? HolderTeamId { get; private set; }
    public string? Note { get; private set; }

    public void SetOutcome(int stepIndex, Guid unitId, Guid? teamId)
    {
        ToStepIndex = stepIndex;
        HolderUnitId = unitId;
        HolderTeamId = teamId;
    }
}
