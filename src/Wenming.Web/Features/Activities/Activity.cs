using System.Security.Cryptography;
using System.Text.Json;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

/// <summary>
/// A district's rules for activities, the ones people use against fake hours among them. One row per district,
/// created with the defaults the first time it is read.
/// </summary>
internal sealed class ActivityRules : IDistrictOwned
{
    public const string LibraryRuleWords = "凡是没有纳入区中心“活动库”的活动，原则上不得到基层群众中开展";
    public static readonly string[] DefaultLectureForms = ["微党课", "微宣讲", "微访谈", "微视频", "微课堂"];
    public static readonly string[] DefaultVenueTypes = ["机关", "农村", "社区", "企业", "学校", "网络", "家庭"];

    private ActivityRules()
    {
    }

    public ActivityRules(Guid districtId, bool libraryGate)
    {
        DistrictId = districtId;
        LibraryGate = libraryGate;
        LocationToleranceMeters = 500;
        MaxCheckPairsPerDay = 3;
        MinAttendanceShare = 0.6;
        FutureOnly = true;
        QrWindowSeconds = 30;
        LectureForms = [.. DefaultLectureForms];
        VenueTypes = [.. DefaultVenueTypes];
    }

    public Guid DistrictId { get; private set; }

    /// <summary>Kaizhou's rule: activities are published only from approved library entries.</summary>
    public bool LibraryGate { get; private set; }

    public int LocationToleranceMeters { get; private set; }
    public int MaxCheckPairsPerDay { get; private set; }

    /// <summary>Below this share of the activity attended, no hours are credited.</summary>
    public double MinAttendanceShare { get; private set; }

    public bool FutureOnly { get; private set; }

    /// <summary>How long one venue QR code lives; a code is accepted in its own window and the one after.</summary>
    public int QrWindowSeconds { get; private set; }

    public List<string> LectureForms { get; private set; } = [];
    public List<string> VenueTypes { get; private set; } = [];
    public int Version { get; private set; }

    public void Change(bool libraryGate, int toleranceMeters, int maxPairs, double minShare, bool futureOnly, IReadOnlyList<string> forms,
        IReadOnlyList<string> venues)
    {
        LibraryGate = libraryGate;
        LocationToleranceMeters = toleranceMeters;
        MaxCheckPairsPerDay = maxPairs;
        MinAttendanceShare = minShare;
        FutureOnly = futureOnly;
        LectureForms = [.. forms];
        VenueTypes = [.. venues];
        Version++;
    }
}

internal enum TemplateStatus
{
    Proposed = 1,
    Approved = 2,
    Returned = 3,
}

/// <summary>An entry of the center's activity library (活动库): proposed by institutes and stations, approved by the center.</summary>
internal sealed class ActivityTemplate : IDistrictOwned
{
    private ActivityTemplate()
    {
    }

    public ActivityTemplate(Guid districtId, Guid proposedByUnitId, Guid? proposedById, TemplateDetails d, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ProposedByUnitId = proposedByUnitId;
        ProposedById = proposedById;
        Apply(d);
        Status = TemplateStatus.Proposed;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Title { get; private set; } = "";
    public Guid PlatformId { get; private set; }
    public string? Description { get; private set; }
    public string? Format { get; private set; }
    public int SuggestedMinutes { get; private set; }
    public int SuggestedSize { get; private set; }
    public string? Audience { get; private set; }
    public string? Materials { get; private set; }

    /// <summary>Units whose subtrees may use the entry; empty for the whole district.</summary>
    public List<Guid> AllowedUnitIds { get; private set; } = [];

    public Guid ProposedByUnitId { get; private set; }
    public Guid? ProposedById { get; private set; }
    public TemplateStatus Status { get; private set; }
    public string? ReturnReason { get; private set; }
    public Guid? DecidedById { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public void Approve(Guid? byUserId, DateTimeOffset now)
    {
        if (Status == TemplateStatus.Approved)
        {
            throw new DomainException("template-already-approved", "该活动已在活动库中", 409);
        }

        Status = TemplateStatus.Approved;
        ReturnReason = null;
        Decide(byUserId, now);
    }

    public void Return(string reason, Guid? byUserId, DateTimeOffset now)
    {
        if (Status != TemplateStatus.Proposed)
        {
            throw new DomainException("template-not-proposed", "只能退回待审核的活动", 409);
        }

        Status = TemplateStatus.Returned;
        ReturnReason = reason;
        Decide(byUserId, now);
    }

    /// <summary>A returned entry, improved and sent again.</summary>
    public void Resubmit(TemplateDetails d, DateTimeOffset now)
    {
        if (Status != TemplateStatus.Returned)
        {
            throw new DomainException("template-not-returned", "只有被退回的活动可以修改后重新提交", 409);
        }

        Apply(d);
        Status = TemplateStatus.Proposed;
        UpdatedAt = now;
        Version++;
    }

    private void Decide(Guid? byUserId, DateTimeOffset now)
    {
        DecidedById = byUserId;
        DecidedAt = now;
        UpdatedAt = now;
        Version++;
    }

    private void Apply(TemplateDetails d)
    {
        Title = d.Title;
        PlatformId = d.PlatformId;
        Description = d.Description;
        Format = d.Format;
        SuggestedMinutes = d.SuggestedMinutes;
        SuggestedSize = d.SuggestedSize;
        Audience = d.Audience;
        Materials = d.Materials;
        AllowedUnitIds = [.. d.AllowedUnitIds];
    }
}

internal sealed record TemplateDetails(string Title, Guid PlatformId, string? Description, string? Format, int SuggestedMinutes, int SuggestedSize,
    string? Audience, string? Materials, IReadOnlyList<Guid> AllowedUnitIds);

internal enum ActivityAudience
{
    Everyone = 1,
    Subtree = 2,
    Team = 3,
}

internal enum ActivityStatus
{
    Published = 1,
    Cancelled = 2,
    Finished = 3,
}

/// <summary>A volunteer role an activity needs, and how many.</summary>
internal sealed record VolunteerRole(string Name, int Count);

/// <summary>A planned event (活动): published by a unit, joined by volunteers and residents, attended by QR code or location.</summary>
internal sealed class Activity : IDistrictOwned
{
    public const string Participant = "参与者";

    private Activity()
    {
    }

    public Activity(Guid districtId, Guid unitId, ActivityDetails d, Guid? createdById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        Title = d.Title;
        PlatformId = d.PlatformId;
        TemplateId = d.TemplateId;
        ProjectId = d.ProjectId;
        TeamId = d.TeamId;
        Description = d.Description;
        StartsAt = d.StartsAt;
        EndsAt = d.EndsAt;
        Address = d.Address;
        Latitude = d.Latitude;
        Longitude = d.Longitude;
        Capacity = d.Capacity;
        RolesJson = JsonSerializer.Serialize(d.Roles, Orders.WorkflowDefinition.Json);
        SignupOpensAt = d.SignupOpensAt ?? now;
        SignupClosesAt = d.SignupClosesAt ?? d.StartsAt;
        Audience = d.Audience;
        LectureForm = d.LectureForm;
        VenueType = d.VenueType;
        Topic = d.Topic;
        LecturerIds = [.. d.LecturerIds];
        QrSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Status = ActivityStatus.Published;
        CreatedById = createdById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }

    /// <summary>The organising unit.</summary>
    public Guid UnitId { get; private set; }

    public Guid? TeamId { get; private set; }
    public Guid? TemplateId { get; private set; }
    public Guid? ProjectId { get; private set; }
    public string Title { get; private set; } = "";
    public Guid PlatformId { get; private set; }
    public string? Description { get; private set; }
    public DateTimeOffset StartsAt { get; private set; }
    public DateTimeOffset EndsAt { get; private set; }
    public string? Address { get; private set; }
    public double? Latitude { get; private set; }
    public double? Longitude { get; private set; }

    /// <summary>Participants (residents and others joining, not serving).</summary>
    public int Capacity { get; private set; }

    public string RolesJson { get; private set; } = "[]";
    public DateTimeOffset SignupOpensAt { get; private set; }
    public DateTimeOffset SignupClosesAt { get; private set; }
    public ActivityAudience Audience { get; private set; }
    public string? LectureForm { get; private set; }
    public string? VenueType { get; private set; }
    public string? Topic { get; private set; }
    public List<Guid> LecturerIds { get; private set; } = [];
    public int? AudienceCount { get; private set; }
    public int? Beneficiaries { get; private set; }
    public string? Summary { get; private set; }
    public string QrSecret { get; private set; } = "";
    public ActivityStatus Status { get; private set; }
    public Guid? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Bumped under a row lock by every sign-up and cancellation: they queue per activity (see SignUps).</summary>
    public int SignupVersion { get; private set; }

    public Organization.Unit? Unit { get; private set; }

    public IReadOnlyList<VolunteerRole> Roles => JsonSerializer.Deserialize<List<VolunteerRole>>(RolesJson, Orders.WorkflowDefinition.Json) ?? [];

    public bool IsLecture => LectureForm is not null;

    public int PlacesFor(string role) => role == Participant ? Capacity : Roles.FirstOrDefault(r => r.Name == role)?.Count ?? 0;

    public void Cancel()
    {
        if (Status != ActivityStatus.Published)
        {
            throw new DomainException("activity-not-published", "活动已结束或已取消", 409);
        }

        Status = ActivityStatus.Cancelled;
    }

    /// <summary>After the activity: what it achieved, for the record and the plan page.</summary>
    public void Report(string? summary, int? beneficiaries, int? audienceCount, DateTimeOffset now)
    {
        if (Status == ActivityStatus.Cancelled)
        {
            throw new DomainException("activity-cancelled", "活动已取消", 409);
        }

        if (now < StartsAt)
        {
            throw new DomainException("activity-not-started", "活动开始后才能填写总结", 409);
        }

        Summary = summary;
        Beneficiaries = beneficiaries;
        AudienceCount = audienceCount ?? AudienceCount;
        Status = ActivityStatus.Finished;
    }

    /// <summary>The venue code of the window containing <paramref name="at"/>: what the rotating QR shows.</summary>
    public string CodeAt(DateTimeOffset at, int windowSeconds)
    {
        var window = at.ToUnixTimeSeconds() / windowSeconds;
        var mac = HMACSHA256.HashData(Convert.FromBase64String(QrSecret), BitConverter.GetBytes(window));
        return Convert.ToHexString(mac, 0, 5);
    }

    /// <summary>A code is good in its own window and the next: a photo of an older code does not work.</summary>
    public bool IsFreshCode(string? code, DateTimeOffset now, int windowSeconds) =>
        code is { Length: 10 } && (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(code.ToUpperInvariant()),
                                       System.Text.Encoding.ASCII.GetBytes(CodeAt(now, windowSeconds)))
                                   || CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(code.ToUpperInvariant()),
                                       System.Text.Encoding.ASCII.GetBytes(CodeAt(now.AddSeconds(-windowSeconds), windowSeconds))));
}

internal sealed record ActivityDetails(string Title, Guid PlatformId, Guid? TemplateId, Guid? ProjectId, Guid? TeamId, string? Description,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Address, double? Latitude, double? Longitude, int Capacity, IReadOnlyList<VolunteerRole> Roles,
    DateTimeOffset? SignupOpensAt, DateTimeOffset? SignupClosesAt, ActivityAudience Audience, string? LectureForm, string? VenueType, string? Topic,
    IReadOnlyList<Guid> LecturerIds);

internal enum SignupStatus
{
    Accepted = 1,
    Waiting = 2,
    Cancelled = 3,
}

/// <summary>Someone signed up for an activity, as a participant or in a volunteer role; beyond the places, on the waiting list.</summary>
internal sealed class ActivitySignup : IDistrictOwned
{
    private ActivitySignup()
    {
    }

    public ActivitySignup(Guid districtId, Guid activityId, Guid userId, Guid? volunteerId, string role, SignupStatus status, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ActivityId = activityId;
        UserId = userId;
        VolunteerId = volunteerId;
        Role = role;
        Status = status;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid? VolunteerId { get; private set; }
    public string Role { get; private set; } = "";
    public SignupStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? PromotedAt { get; private set; }
    public DateTimeOffset? CancelledAt { get; private set; }
    public Activity? Activity { get; private set; }

    public void Cancel(DateTimeOffset now)
    {
        if (Status == SignupStatus.Cancelled)
        {
            throw new DomainException("signup-cancelled", "已经取消过报名", 409);
        }

        Status = SignupStatus.Cancelled;
        CancelledAt = now;
    }

    /// <summary>Moves up from the waiting list when a place frees.</summary>
    public void Promote(DateTimeOffset now)
    {
        Status = SignupStatus.Accepted;
        PromotedAt = now;
    }
}

internal enum AttendanceMethod
{
    QrCode = 1,
    Location = 2,
    Correction = 3,
}

/// <summary>One check-in / check-out pair at an activity. Append-only: an organiser's correction is a new row that replaces the raw ones.</summary>
internal sealed class Attendance : IDistrictOwned, Infrastructure.Events.IRaisesEvents
{
    private Attendance()
    {
    }

    public Attendance(Guid districtId, Guid activityId, Guid signupId, Guid userId, DateOnly day, DateTimeOffset checkInAt, AttendanceMethod method,
        double? lat, double? lng)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ActivityId = activityId;
        SignupId = signupId;
        UserId = userId;
        Day = day;
        CheckInAt = checkInAt;
        Method = method;
        CheckInLatitude = lat;
        CheckInLongitude = lng;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid SignupId { get; private set; }
    public Guid UserId { get; private set; }

    /// <summary>The local day (Asia/Shanghai), for the pairs-per-day rule.</summary>
    public DateOnly Day { get; private set; }

    public DateTimeOffset CheckInAt { get; private set; }
    public DateTimeOffset? CheckOutAt { get; private set; }
    public AttendanceMethod Method { get; private set; }
    public double? CheckInLatitude { get; private set; }
    public double? CheckInLongitude { get; private set; }
    public int? Minutes { get; private set; }
    public Guid? CorrectedById { get; private set; }
    public string? Reason { get; private set; }

    private Infrastructure.Events.IOutboxEvent? _event;

    public bool HasEvents => _event is not null;

    public IReadOnlyList<Infrastructure.Events.IOutboxEvent> TakeEvents()
    {
        var taken = _event;
        _event = null;
        return taken is null ? [] : [taken];
    }

    /// <summary>The organiser's record of what really happened: appended beside the scans, never replacing them.</summary>
    public static Attendance Correction(Activity activity, ActivitySignup signup, DateTimeOffset checkIn, DateTimeOffset checkOut, Guid? byUserId,
        string reason)
    {
        var a = new Attendance(activity.DistrictId, activity.Id, signup.Id, signup.UserId, Infrastructure.DistrictTime.Today(checkIn), checkIn,
            AttendanceMethod.Correction, null, null)
        {
            CorrectedById = byUserId,
            Reason = reason,
        };
        a.Close(checkOut, activity);
        a._event = new AttendanceCorrected(a.DistrictId, a.Id, a.ActivityId, a.UserId, a.Day, a.CheckInAt, checkOut, a.Minutes!.Value, byUserId, reason)
        {
            Service = AttendedService.Of(activity, signup),
        };
        return a;
    }

    /// <summary>签退: the attendance is credited with its time inside the activity's hours.</summary>
    public void CheckOut(DateTimeOffset at, Activity activity)
    {
        if (CheckOutAt is not null)
        {
            throw new DomainException("checkin-already-out", "已经签退过了", 409);
        }

        Close(at, activity);
        _event = new AttendanceCredited(DistrictId, Id, ActivityId, UserId, Day, CheckInAt, at, Minutes!.Value, Method.ToString())
        {
            Service = AttendedService.Of(activity, SignupId),
        };
    }

    /// <summary>Time inside the activity's own hours counts; before the start and after the end does not.</summary>
    private void Close(DateTimeOffset at, Activity activity)
    {
        CheckOutAt = at;
        var from = CheckInAt > activity.StartsAt ? CheckInAt : activity.StartsAt;
        var to = at < activity.EndsAt ? at : activity.EndsAt;
        Minutes = to > from ? (int)Math.Round((to - from).TotalMinutes) : 0;
    }
}

/// <summary>
/// What an attendance was for, as its service record shows it: the sign-up it counts towards, the activity's title and platform,
/// the organising unit (and team) and the place.
/// </summary>
internal sealed record AttendedService(Guid SignupId, string Title, Guid PlatformId, Guid UnitId, Guid? TeamId, string? Address)
{
    public static AttendedService Of(Activity activity, Guid signupId) =>
        new(signupId, activity.Title, activity.PlatformId, activity.UnitId, activity.TeamId, activity.Address);

    public static AttendedService Of(Activity activity, ActivitySignup signup) => Of(activity, signup.Id);
}

/// <summary>签退 at an activity: the attendance is credited with its minutes (what service records and hours are made from).</summary>
internal sealed record AttendanceCredited(Guid DistrictId, Guid SubjectId, Guid ActivityId, Guid UserId, DateOnly Day, DateTimeOffset CheckInAt,
    DateTimeOffset CheckOutAt, int Minutes, string Method) : Infrastructure.Events.IOutboxEvent
{
    public AttendedService? Service { get; init; }

    public const string Name = "attendance.credited";

    public string Kind => Name;
}

/// <summary>An organiser's correction of the attendance, with the reason: it stands beside the scans.</summary>
internal sealed record AttendanceCorrected(Guid DistrictId, Guid SubjectId, Guid ActivityId, Guid UserId, DateOnly Day, DateTimeOffset CheckInAt,
    DateTimeOffset CheckOutAt, int Minutes, Guid? CorrectedById, string Reason) : Infrastructure.Events.IOutboxEvent
{
    public AttendedService? Service { get; init; }

    public const string Name = "attendance.corrected";

    public string Kind => Name;
}
