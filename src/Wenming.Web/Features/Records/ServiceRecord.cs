using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

internal enum RecordSource
{
    Order = 1,
    Activity = 2,

    /// <summary>Work done offline with no order or activity on the platform: the organiser names it.</summary>
    Offline = 3,
}

/// <summary>
/// 志愿服务记录: one volunteer's service, as the organising unit recorded and confirmed it. Append-only (the database refuses
/// an update or a delete): a correction is a further entry that names the one it corrects, carries the difference in
/// minutes, the reason and who made it, so a volunteer's hours are always the plain sum of their entries.
/// </summary>
internal sealed class ServiceRecord : IDistrictOwned, IRaisesEvents
{
    /// <summary>Made here and not yet saved: its <see cref="RecordAppended"/> is still to go out.</summary>
    private bool _unpublished;

    private ServiceRecord()
    {
    }

    public ServiceRecord(Guid districtId, Guid volunteerId, RecordSource source, Guid sourceId, Guid? signupId, string title, Guid platformId,
        Guid organizerUnitId, Guid? placeUnitId, Guid? teamId, string? address, DateTimeOffset startedAt, DateTimeOffset endedAt, int minutes,
        Guid? confirmedById, string confirmedByName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        VolunteerId = volunteerId;
        Source = source;
        SourceId = sourceId;
        SignupId = signupId;
        Title = title.Length > 100 ? title[..100] : title;
        PlatformId = platformId;
        OrganizerUnitId = organizerUnitId;
        PlaceUnitId = placeUnitId;
        TeamId = teamId;
        Address = address is { Length: > 200 } ? address[..200] : address;
        StartedAt = startedAt;
        EndedAt = endedAt;
        Minutes = minutes;
        ConfirmedById = confirmedById;
        ConfirmedByName = confirmedByName.Length > 50 ? confirmedByName[..50] : confirmedByName;
        ConfirmedAt = now;
        _unpublished = true;
    }

    public bool HasEvents => _unpublished;

    public IReadOnlyList<IOutboxEvent> TakeEvents()
    {
        if (!_unpublished)
        {
            return [];
        }

        // Built when taken: a backfill or a correction sets its marks after the constructor.
        _unpublished = false;
        return [Appended()];
    }

    private RecordAppended Appended() => new(DistrictId, Id, VolunteerId, Source, SourceId, SignupId, Title, Minutes, Backfilled, CorrectsId is not null, Reason);

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public RecordSource Source { get; private set; }

    /// <summary>The order or the activity served.</summary>
    public Guid SourceId { get; private set; }

    /// <summary>For an activity, the sign-up the time counts towards (an organiser's correction replaces that sign-up's time).</summary>
    public Guid? SignupId { get; private set; }

    public string Title { get; private set; } = "";
    public Guid PlatformId { get; private set; }

    /// <summary>谁组织谁记录、谁记录谁证明: the unit that organised the service records it and certifies it.</summary>
    public Guid OrganizerUnitId { get; private set; }

    public Guid? PlaceUnitId { get; private set; }
    public Guid? TeamId { get; private set; }
    public string? Address { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset EndedAt { get; private set; }

    /// <summary>Service time in minutes; for a correction, the difference it makes (negative when it takes time away).</summary>
    public int Minutes { get; private set; }

    public Guid? ConfirmedById { get; private set; }
    public string ConfirmedByName { get; private set; } = "";
    public DateTimeOffset ConfirmedAt { get; private set; }

    /// <summary>补录: entered afterwards by an organiser for work done offline, with the reason; the district decides whether it earns points.</summary>
    public bool Backfilled { get; private set; }

    /// <summary>The entry this one corrects, with why.</summary>
    public Guid? CorrectsId { get; private set; }

    public string? Reason { get; private set; }

    /// <summary>补录 by an organiser of <paramref name="organizerUnitId"/>: marked as backfilled, with the reason.</summary>
    public static ServiceRecord Backfill(Guid districtId, Guid volunteerId, RecordSource source, Guid sourceId, string title, Guid platformId, Guid organizerUnitId,
        string? address, DateTimeOffset startedAt, DateTimeOffset endedAt, Guid byId, string byName, string reason, DateTimeOffset now) =>
        new(districtId, volunteerId, source, sourceId, null, title, platformId, organizerUnitId, organizerUnitId, null, address, startedAt, endedAt,
            (int)Math.Round((endedAt - startedAt).TotalMinutes), byId, byName, now)
        {
            Backfilled = true,
            Reason = reason.Length > 500 ? reason[..500] : reason,
        };

    /// <summary>A correction of <paramref name="corrected"/> by <paramref name="difference"/> minutes, with the reason and who made it.</summary>
    public static ServiceRecord Correction(ServiceRecord corrected, int difference, DateTimeOffset startedAt, DateTimeOffset endedAt, Guid? byId,
        string byName, string reason, DateTimeOffset now) =>
        new(corrected.DistrictId, corrected.VolunteerId, corrected.Source, corrected.SourceId, corrected.SignupId, corrected.Title, corrected.PlatformId,
            corrected.OrganizerUnitId, corrected.PlaceUnitId, corrected.TeamId, corrected.Address, startedAt, endedAt, difference, byId, byName, now)
        {
            CorrectsId = corrected.Id,
            Backfilled = corrected.Backfilled,
            Reason = reason.Length > 500 ? reason[..500] : reason,
        };
}

/// <summary>
/// A service record was appended (a first record, a backfill or a correction, whose minutes are then the difference): what
/// follows from confirmed hours (points) reads this, never the records themselves. One service is the same
/// <see cref="Source"/>, <see cref="SourceId"/> and <see cref="SignupId"/> of the same volunteer.
/// </summary>
internal sealed record RecordAppended(Guid DistrictId, Guid SubjectId, Guid VolunteerId, RecordSource Source, Guid SourceId, Guid? SignupId, string Title,
    int Minutes, bool Backfilled, bool Correction, string? Reason) : IOutboxEvent
{
    public const string Name = "record.appended";

    public string Kind => Name;
}
