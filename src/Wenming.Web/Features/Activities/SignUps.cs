using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

internal sealed record SignupResult(Guid Id, string Role, string Status, int? WaitingPosition);

internal sealed record CheckInInput(string? Code, double? Latitude, double? Longitude, string? CoordinateSystem);

internal sealed record CheckInResult(string Direction, DateTimeOffset At, int? Minutes, int PairsToday);

internal sealed record AttendanceRow(Guid SignupId, string Name, string? Number, string Phone, string Role, string Status, int Pairs, int Minutes,
    int CreditedMinutes, bool Corrected);

internal sealed record CorrectionInput(Guid? SignupId, DateTimeOffset? CheckInAt, DateTimeOffset? CheckOutAt, string? Reason);

/// <summary>
/// Sign-ups, the waiting list and attendance. Every sign-up and cancellation of one activity first bumps the activity
/// row inside its transaction: that row lock (PostgreSQL) or the write lock (SQLite) queues them, so the places are
/// counted by one at a time and exactly the capacity is accepted, however many arrive together.
/// </summary>
internal sealed class SignUps(AppDbContext db, ActivityUseCases activities, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public async Task<SignupResult> SignUpAsync(Guid activityId, string? role, CancellationToken ct)
    {
        var uid = Scope.UserId ?? throw new AccessDeniedException("请先登录");
        role = string.IsNullOrWhiteSpace(role) ? Activity.Participant : role.Trim();
        var activity = await activities.Visible().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
        var now = clock.GetUtcNow();
        if (activity.Status != ActivityStatus.Published)
        {
            throw new DomainException("activity-not-published", "活动已结束或已取消", 409);
        }

        if (now < activity.SignupOpensAt || now > activity.SignupClosesAt)
        {
            throw new DomainException("signup-closed", "不在报名时间内", 422);
        }

        if (activity.PlacesFor(role) == 0)
        {
            throw new DomainException("signup-no-such-role", $"本活动没有“{role}”这个名额", 422);
        }

        var volunteerId = await db.Set<Volunteer>().Where(v => v.UserId == uid && v.Status == VolunteerStatus.Active).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        if (role != Activity.Participant && volunteerId is null)
        {
            throw new DomainException("signup-not-volunteer", "志愿者岗位只接受在册志愿者报名", 422);
        }

        await RequireAudienceAsync(activity, volunteerId, ct);

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        // The person's row first: two sign-ups of one person (for this or an overlapping activity) queue, so each check sees the other.
        await db.Users.Where(u => u.Id == uid).ExecuteUpdateAsync(s => s.SetProperty(u => u.ConcurrencyStamp, u => u.ConcurrencyStamp), ct);
        if (await db.Set<ActivitySignup>().AnyAsync(s => s.ActivityId == activityId && s.UserId == uid && s.Status != SignupStatus.Cancelled, ct))
        {
            throw new DomainException("signup-exists", "您已经报名了这个活动", 409);
        }

        // One person, one place at a time: no overlapping activity they are signed up for (or waiting on).
        var clash = await db.Set<ActivitySignup>().Where(s => s.UserId == uid && s.Status != SignupStatus.Cancelled && s.ActivityId != activityId
                                                             && s.Activity!.Status == ActivityStatus.Published
                                                             && s.Activity.StartsAt < activity.EndsAt && s.Activity.EndsAt > activity.StartsAt)
            .Select(s => s.Activity!.Title).FirstOrDefaultAsync(ct);
        if (clash is not null)
        {
            throw new DomainException("signup-overlap", $"您已报名同一时间的活动“{clash}”，不能重复报名", 409);
        }

        // Only now the activity's lock, held for the count, the insert and the commit: as short as the places allow.
        await LockAsync(activityId, ct);
        var accepted = await db.Set<ActivitySignup>().CountAsync(s => s.ActivityId == activityId && s.Role == role && s.Status == SignupStatus.Accepted, ct);
        var status = accepted < activity.PlacesFor(role) ? SignupStatus.Accepted : SignupStatus.Waiting;
        var signup = new ActivitySignup(activity.DistrictId, activityId, uid, volunteerId, role, status, now);
        db.Add(signup);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        int? position = status == SignupStatus.Waiting
            ? await db.Set<ActivitySignup>().CountAsync(s => s.ActivityId == activityId && s.Role == role && s.Status == SignupStatus.Waiting && s.CreatedAt <= now, ct)
            : null;
        return new SignupResult(signup.Id, role, status.ToString(), position);
    }

    /// <summary>Cancels the caller's sign-up; a freed place goes to the first on the waiting list, in the same transaction.</summary>
    public async Task<SignupResult?> CancelAsync(Guid activityId, CancellationToken ct)
    {
        var uid = Scope.UserId ?? throw new AccessDeniedException("请先登录");
        var activity = await activities.Visible().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
        var now = clock.GetUtcNow();
        if (now >= activity.StartsAt)
        {
            throw new DomainException("signup-started", "活动已开始，不能取消报名，请联系组织者", 409);
        }

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        await LockAsync(activityId, ct);
        var signup = await db.Set<ActivitySignup>().FirstOrDefaultAsync(s => s.ActivityId == activityId && s.UserId == uid && s.Status != SignupStatus.Cancelled, ct)
                     ?? throw new NotVisibleException();
        var freed = signup.Status == SignupStatus.Accepted;
        signup.Cancel(now);
        ActivitySignup? promoted = null;
        if (freed)
        {
            promoted = await db.Set<ActivitySignup>().Where(s => s.ActivityId == activityId && s.Role == signup.Role && s.Status == SignupStatus.Waiting)
                .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).FirstOrDefaultAsync(ct);
            promoted?.Promote(now);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return promoted is null ? null : new SignupResult(promoted.Id, promoted.Role, promoted.Status.ToString(), null);
    }

    private static (double Lat, double Lng)? ReadPoint(CheckInInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var point = Geo.ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);
        return errors.Count > 0 ? throw new InputException(errors) : point;
    }

    /// <summary>签到 or 签退 (whichever is next) by the venue's current QR code or by being within the venue's radius.</summary>
    public async Task<CheckInResult> CheckInAsync(Guid activityId, CheckInInput input, CancellationToken ct)
    {
        var uid = Scope.UserId ?? throw new AccessDeniedException("请先登录");
        var activity = await activities.Visible().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
        var rules = await activities.RulesAsync(ct);
        var now = clock.GetUtcNow();
        var signup = await db.Set<ActivitySignup>().AsNoTracking()
                         .FirstOrDefaultAsync(s => s.ActivityId == activityId && s.UserId == uid && s.Status == SignupStatus.Accepted, ct)
                     ?? throw new DomainException("checkin-not-signed-up", "您没有报名这个活动（或仍在候补中）", 422);
        if (activity.Status == ActivityStatus.Cancelled || now < activity.StartsAt.AddMinutes(-30) || now > activity.EndsAt.AddHours(1))
        {
            throw new DomainException("checkin-out-of-time", "不在签到时间内（活动开始前 30 分钟到结束后 1 小时）", 422);
        }

        AttendanceMethod method;
        (double Lat, double Lng)? point = null;
        if (!string.IsNullOrWhiteSpace(input.Code))
        {
            if (!activity.IsFreshCode(input.Code, now, rules.QrWindowSeconds))
            {
                throw new DomainException("checkin-stale-code", "二维码已过期，请扫描现场屏幕上的最新二维码", 422);
            }

            method = AttendanceMethod.QrCode;
        }
        else if (ReadPoint(input) is { } given)
        {
            point = given;
            if (activity.Latitude is not { } aLat || activity.Longitude is not { } aLng)
            {
                throw new DomainException("checkin-no-venue-point", "该活动没有设置地点坐标，请扫描现场二维码签到", 422);
            }

            var meters = Geo.Meters(point.Value.Lat, point.Value.Lng, aLat, aLng);
            if (meters > rules.LocationToleranceMeters)
            {
                throw new DomainException("checkin-too-far", $"您距活动地点 {meters:0} 米，超出允许的 {rules.LocationToleranceMeters} 米", 422);
            }

            method = AttendanceMethod.Location;
        }
        else
        {
            throw new InputException(new Dictionary<string, string[]> { ["code"] = ["请扫描现场二维码，或允许定位后签到"] });
        }

        var today = DistrictTime.Today(now);
        var open = await db.Set<Attendance>().FirstOrDefaultAsync(a => a.SignupId == signup.Id && a.CheckOutAt == null && a.Method != AttendanceMethod.Correction, ct);
        var pairsToday = await db.Set<Attendance>().CountAsync(a => a.UserId == uid && a.Day == today && a.Method != AttendanceMethod.Correction, ct);
        if (open is not null && now - open.CheckInAt < TimeSpan.FromMinutes(2))
        {
            // A second tap (or a resubmitted page) right after checking in is not a check-out at zero minutes.
            return new CheckInResult("in", open.CheckInAt, null, pairsToday);
        }

        if (open is not null)
        {
            open.CheckOut(now, activity);
            await db.SaveChangesAsync(ct);
            return new CheckInResult("out", now, open.Minutes, pairsToday);
        }

        if (pairsToday >= rules.MaxCheckPairsPerDay)
        {
            throw new DomainException("checkin-daily-limit", $"每人每天最多签到签退 {rules.MaxCheckPairsPerDay} 次", 422);
        }

        db.Add(new Attendance(activity.DistrictId, activityId, signup.Id, uid, today, now, method, point?.Lat, point?.Lng));
        await db.SaveChangesAsync(ct);
        return new CheckInResult("in", now, null, pairsToday + 1);
    }

    /// <summary>Attendance as the organiser sees it, with the hours each person is credited under the district's rules.</summary>
    public async Task<IReadOnlyList<AttendanceRow>> AttendanceAsync(Guid activityId, CancellationToken ct)
    {
        var activity = await activities.Visible().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
        if (!await activities.CanManageAsync(activity, ct))
        {
            throw new AccessDeniedException("只有活动的组织者可以查看考勤");
        }

        var rules = await activities.RulesAsync(ct);
        var signups = await db.Set<ActivitySignup>().AsNoTracking().Where(s => s.ActivityId == activityId && s.Status != SignupStatus.Cancelled)
            .OrderBy(s => s.Status).ThenBy(s => s.CreatedAt).Take(5_000)
            .Select(s => new { s.Id, s.UserId, s.Role, s.Status, s.VolunteerId }).ToListAsync(ct);
        var records = await db.Set<Attendance>().AsNoTracking().Where(a => a.ActivityId == activityId).ToListAsync(ct);
        var userIds = signups.Select(s => s.UserId).ToList();
        var users = await db.Users.Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new { u.DisplayName, u.PhoneNumber }, ct);
        var volunteerIds = signups.Select(s => s.VolunteerId).OfType<Guid>().ToList();
        var numbers = await db.Set<Volunteer>().Where(v => volunteerIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Number, ct);
        var duration = (activity.EndsAt - activity.StartsAt).TotalMinutes;
        return [.. signups.Select(s =>
        {
            var mine = records.Where(r => r.SignupId == s.Id).ToList();
            // The organiser's latest correction replaces the scans (and any earlier correction).
            var latest = mine.Where(r => r.Method == AttendanceMethod.Correction).OrderByDescending(r => r.Id).Take(1).ToList();
            var corrected = latest.Count > 0;
            var counted = corrected ? latest : mine.Where(r => r.Method != AttendanceMethod.Correction);
            var minutes = counted.Sum(r => r.Minutes ?? 0);
            var credited = duration > 0 && minutes / duration >= rules.MinAttendanceShare ? minutes : 0;
            var user = users.GetValueOrDefault(s.UserId);
            return new AttendanceRow(s.Id, user?.DisplayName ?? "", s.VolunteerId is { } v ? numbers.GetValueOrDefault(v) : null, Masking.Phone(user?.PhoneNumber) ?? "",
                s.Role, s.Status.ToString(), mine.Count(r => r.Method != AttendanceMethod.Correction), minutes, credited, corrected);
        })];
    }

    /// <summary>The organiser records what really happened, with a reason: appended, never overwriting the scans.</summary>
    public async Task CorrectAsync(Guid activityId, CorrectionInput input, CancellationToken ct)
    {
        var activity = await activities.Visible().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
        if (!await activities.CanManageAsync(activity, ct))
        {
            throw new AccessDeniedException("只有活动的组织者可以更正考勤");
        }

        if (input.SignupId is null || input.CheckInAt is not { } inAt || input.CheckOutAt is not { } outAt || outAt <= inAt
            || string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Length > 300)
        {
            throw new InputException(new Dictionary<string, string[]> { ["reason"] = ["请选择报名人，填写签到、签退时间（签退晚于签到）和更正理由（不超过 300 字）"] });
        }

        var signup = await db.Set<ActivitySignup>().FirstOrDefaultAsync(s => s.Id == input.SignupId && s.ActivityId == activityId && s.Status == SignupStatus.Accepted, ct)
                     ?? throw new NotVisibleException();
        db.Add(Attendance.Correction(activity, signup, inAt.ToUniversalTime(), outAt.ToUniversalTime(), Scope.UserId, input.Reason.Trim()));
        audit.Add("activity.attendance-corrected", "activity", activity.Id.ToString(), activity.Unit!.Path, input.Reason.Trim());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Takes the activity's lock for this transaction: the UPDATE waits for any other sign-up of the same activity.</summary>
    private async Task LockAsync(Guid activityId, CancellationToken ct) =>
        await db.Set<Activity>().Where(a => a.Id == activityId).ExecuteUpdateAsync(s => s.SetProperty(a => a.SignupVersion, a => a.SignupVersion + 1), ct);

    private async Task RequireAudienceAsync(Activity activity, Guid? volunteerId, CancellationToken ct)
    {
        switch (activity.Audience)
        {
            case ActivityAudience.Subtree when !Scope.Grants.Any(g => g.UnitPath.StartsWith(activity.Unit!.Path, StringComparison.Ordinal)):
                throw new DomainException("signup-audience", "本活动只接受本单位辖区的群众和志愿者报名", 422);
            case ActivityAudience.Team when volunteerId is null
                                            || !await db.Set<TeamMember>().AnyAsync(m => m.TeamId == activity.TeamId && m.VolunteerId == volunteerId
                                                                                         && m.Status == MembershipStatus.Member, ct):
                throw new DomainException("signup-audience", "本活动只接受指定队伍的队员报名", 422);
        }
    }
}
