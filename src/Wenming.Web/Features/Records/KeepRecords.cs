using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>补录: an organiser records work done offline, for an activity of their unit or for offline work they name.</summary>
internal sealed record BackfillInput(Guid? ActivityId, string? Title, Guid? PlatformId, Guid? UnitId, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
    string? Address, string? Reason);

internal sealed record CorrectionRequestInput(int? Minutes, string? Reason);

internal sealed record DecisionReason(string? Reason);

internal sealed record CorrectionRequestView(Guid Id, Guid RecordId, Guid VolunteerId, string Volunteer, string Title, DateTimeOffset StartedAt, int CurrentMinutes,
    int Minutes, string Reason, string Status, string? Decision, DateTimeOffset CreatedAt);

/// <summary>
/// What organisers and volunteers do to records besides the events: backfill (补录), a volunteer's request for a correction,
/// and the organising unit's answer. 谁组织谁记录: only an admin of the organising unit (or above it) records and decides.
/// </summary>
internal sealed class KeepRecords(AppDbContext db, VolunteerRecords records, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public async Task<ServiceRecord> BackfillAsync(Guid volunteerId, BackfillInput input, CancellationToken ct)
    {
        var volunteer = await records.ReachableAsync(volunteerId, ct);
        if (!Scope.IsAdmin)
        {
            throw new AccessDeniedException("只有组织单位的管理员可以补录服务记录");
        }

        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Trim().Length is < 4 or > 500)
        {
            errors["reason"] = ["请写明补录的原因（4 到 500 字）"];
        }

        if (input.StartedAt is not { } started || input.EndedAt is not { } ended || ended <= started || ended > now || started < now.AddYears(-1))
        {
            errors["startedAt"] = ["请填写服务的开始和结束时间：结束晚于开始，在过去一年之内"];
            throw new InputException(errors);
        }

        RecordSource source;
        Guid sourceId, platformId, unitId;
        string title;
        string? address;
        if (input.ActivityId is { } activityId)
        {
            var activity = await db.Set<Activity>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == activityId, ct) ?? throw new NotVisibleException();
            (source, sourceId, platformId, unitId, title, address) = (RecordSource.Activity, activity.Id, activity.PlatformId, activity.UnitId, activity.Title, activity.Address);
            // Backfilled time is capped by the activity's own length, and lies within it.
            if (started < activity.StartsAt || ended > activity.EndsAt)
            {
                errors["startedAt"] = [$"补录的时间应在活动时间之内（{Infrastructure.DistrictTime.Minute(activity.StartsAt)} 至 {Infrastructure.DistrictTime.Minute(activity.EndsAt)}）"];
            }
        }
        else
        {
            title = input.Title?.Trim() ?? "";
            if (title.Length is < 2 or > 100)
            {
                errors["title"] = ["请写明服务内容（2 到 100 字）"];
            }

            if (input.PlatformId is not { } platform || !await db.Platforms.AnyAsync(p => p.Id == platform, ct))
            {
                errors["platformId"] = ["请选择服务平台"];
                platform = Guid.Empty;
            }

            if (ended - started > TimeSpan.FromHours(12))
            {
                errors["endedAt"] = ["一次补录不超过 12 小时"];
            }

            unitId = input.UnitId ?? Scope.Grants.FirstOrDefault(g => g.Role == Accounts.Role.Admin)?.UnitId ?? Guid.Empty;
            (source, sourceId, platformId, address) = (RecordSource.Offline, Ids.New(), platform, input.Address?.Trim());
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        await RequireOrganiserAsync(unitId, "只有组织单位的管理员可以补录服务记录", ct);
        var record = ServiceRecord.Backfill(volunteer.DistrictId, volunteer.Id, source, sourceId, title, platformId, unitId, address, started, ended,
            Scope.UserId!.Value, Scope.DisplayName ?? "管理员", input.Reason!.Trim(), now);
        db.Add(record);
        await VolunteerTotal.CountAsync(db, now, ct);
        await db.SaveChangesAsync(ct);
        return record;
    }

    /// <summary>The volunteer asks the organising unit to set one service's time to what it really was.</summary>
    public async Task<CorrectionRequest> RequestAsync(Guid recordId, CorrectionRequestInput input, CancellationToken ct)
    {
        var record = await db.Set<ServiceRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == recordId, ct) ?? throw new NotVisibleException();
        var volunteer = await records.ReachableAsync(record.VolunteerId, ct);
        if (volunteer.UserId != Scope.UserId)
        {
            throw new AccessDeniedException("只有志愿者本人可以申请更正自己的记录");
        }

        if (input.Minutes is not (>= 0 and <= 24 * 60) || string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Trim().Length is < 4 or > 500)
        {
            throw new InputException(new Dictionary<string, string[]>
            {
                ["minutes"] = ["请填写这次服务实际的时长（0 到 1440 分钟）和申请更正的理由（4 到 500 字）"],
            });
        }

        if (await db.Set<CorrectionRequest>().AnyAsync(c => c.RecordId == recordId && c.Status == CorrectionStatus.Pending, ct))
        {
            throw new DomainException("correction-pending", "这条记录已有待处理的更正申请", 409);
        }

        var request = new CorrectionRequest(record.DistrictId, record, input.Minutes.Value, input.Reason.Trim(), clock.GetUtcNow());
        db.Add(request);
        await db.SaveChangesAsync(ct);
        return request;
    }

    /// <summary>The requests waiting for the units the caller administers.</summary>
    public async Task<IReadOnlyList<CorrectionRequestView>> PendingAsync(CancellationToken ct)
    {
        if (!Scope.IsAdmin)
        {
            throw new AccessDeniedException("只有组织单位的管理员处理更正申请");
        }

        var units = db.Units.VisibleTo(Scope, Accounts.Role.Admin).Select(u => u.Id);
        var pending = await db.Set<CorrectionRequest>().AsNoTracking()
            .Where(c => c.Status == CorrectionStatus.Pending && units.Contains(c.OrganizerUnitId)).OrderBy(c => c.CreatedAt).Take(500).ToListAsync(ct);
        return await ViewsAsync(pending, ct);
    }

    /// <summary>Accepted: a correction entry brings the service's time to what the volunteer asked. Refused: the reason is kept.</summary>
    public async Task<CorrectionRequestView> DecideAsync(Guid requestId, bool accept, DecisionReason input, CancellationToken ct)
    {
        var request = await db.Set<CorrectionRequest>().FirstOrDefaultAsync(c => c.Id == requestId, ct) ?? throw new NotVisibleException();
        await RequireOrganiserAsync(request.OrganizerUnitId, "只有组织单位的管理员处理更正申请", ct);
        var reason = input.Reason?.Trim() ?? "";
        if (reason.Length is < 2 or > 500)
        {
            throw new InputException(new Dictionary<string, string[]> { ["reason"] = ["请写明同意或驳回的理由（2 到 500 字）"] });
        }

        var now = clock.GetUtcNow();
        request.Decide(accept, Scope.UserId!.Value, reason, now);
        if (accept)
        {
            var record = await db.Set<ServiceRecord>().AsNoTracking().FirstAsync(r => r.Id == request.RecordId, ct);
            var service = await Service(record).ToListAsync(ct);
            var difference = request.Minutes - service.Sum(r => r.Minutes);
            if (difference != 0)
            {
                var last = service.OrderBy(r => r.Id).Last();
                db.Add(ServiceRecord.Correction(last, difference, last.StartedAt, last.EndedAt, Scope.UserId, Scope.DisplayName ?? "管理员",
                    $"志愿者申请更正：{request.Reason}；组织单位同意：{reason}", now));
            }
        }

        await VolunteerTotal.CountAsync(db, now, ct);
        await db.SaveChangesAsync(ct);
        return (await ViewsAsync([request], ct))[0];
    }

    /// <summary>Every entry of the same service of the same volunteer: the first record and the corrections after it.</summary>
    private IQueryable<ServiceRecord> Service(ServiceRecord record) =>
        db.Set<ServiceRecord>().Where(r => r.VolunteerId == record.VolunteerId && r.Source == record.Source && r.SourceId == record.SourceId
                                           && r.SignupId == record.SignupId);

    /// <summary>An admin over the organising unit passes; one who cannot even see it learns nothing of it (404).</summary>
    private async Task RequireOrganiserAsync(Guid unitId, string refusal, CancellationToken ct)
    {
        var path = await db.Units.Where(u => u.Id == unitId).Select(u => u.Path).FirstOrDefaultAsync(ct);
        if (path is null || !Scope.CanAdminister(path))
        {
            throw path is not null && Scope.CanRead(path) ? new AccessDeniedException(refusal) : new NotVisibleException();
        }
    }

    private async Task<IReadOnlyList<CorrectionRequestView>> ViewsAsync(IReadOnlyList<CorrectionRequest> requests, CancellationToken ct)
    {
        var recordIds = requests.Select(r => r.RecordId).ToList();
        var rows = await db.Set<ServiceRecord>().AsNoTracking().Where(r => recordIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        var volunteerIds = requests.Select(r => r.VolunteerId).Distinct().ToList();
        var names = await db.Set<Volunteers.Volunteer>().Where(v => volunteerIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        var views = new List<CorrectionRequestView>();
        foreach (var r in requests)
        {
            var record = rows[r.RecordId];
            var current = await Service(record).SumAsync(x => x.Minutes, ct);
            views.Add(new CorrectionRequestView(r.Id, r.RecordId, r.VolunteerId, names.GetValueOrDefault(r.VolunteerId, ""), record.Title, record.StartedAt, current,
                r.Minutes, r.Reason, r.Status.ToString(), r.Decision, r.CreatedAt));
        }

        return views;
    }
}
