using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

internal enum CorrectionStatus
{
    Pending = 1,
    Accepted = 2,
    Refused = 3,
}

/// <summary>
/// A volunteer's request to correct the time of one of their services; the organising unit accepts it (a correction entry is
/// appended) or refuses it, each with a reason.
/// </summary>
internal sealed class CorrectionRequest : IDistrictOwned
{
    private CorrectionRequest()
    {
    }

    public CorrectionRequest(Guid districtId, ServiceRecord record, int minutes, string reason, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        RecordId = record.Id;
        VolunteerId = record.VolunteerId;
        OrganizerUnitId = record.OrganizerUnitId;
        Minutes = minutes;
        Reason = reason;
        Status = CorrectionStatus.Pending;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid RecordId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public Guid OrganizerUnitId { get; private set; }

    /// <summary>The service's time in all, as the volunteer says it was.</summary>
    public int Minutes { get; private set; }

    public string Reason { get; private set; } = "";
    public CorrectionStatus Status { get; private set; }
    public Guid? DecidedById { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? Decision { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public int Version { get; private set; }

    public void Decide(bool accept, Guid byId, string reason, DateTimeOffset now)
    {
        if (Status != CorrectionStatus.Pending)
        {
            throw new DomainException("correction-decided", "这条更正申请已经处理过了", 409);
        }

        Status = accept ? CorrectionStatus.Accepted : CorrectionStatus.Refused;
        DecidedById = byId;
        DecidedAt = now;
        Decision = reason;
        Version++;
    }
}
