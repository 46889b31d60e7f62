using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Records;

/// <summary>
/// Keeps the service records from the events of orders and activities (it reads nothing of theirs): a delivered order
/// gives each volunteer who checked in and out a record, a credited attendance its volunteer one; an order sent back to
/// be done again takes its round's time away, an organiser's attendance correction sets the sign-up's time anew. Each
/// change is a new entry (<see cref="ServiceRecord"/>).
/// </summary>
internal sealed class RecordKeeper(TimeProvider clock) : IOutboxSubscriber
{
    /// <summary>Who confirmed a record made from the volunteer's own check-in and check-out, with no organiser's word beside it.</summary>
    private const string CheckInOut = "按签到签退记录";

    public string Name => "service-records";

    public bool Wants(string kind) => kind is OrderDelivered.Name or OrderReviewed.Name or AttendanceCredited.Name or AttendanceCorrected.Name;

    public async Task HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (message.Kind)
        {
            case OrderDelivered.Name:
                Delivered(message.Read<OrderDelivered>(), db, now);
                break;
            case OrderReviewed.Name when message.Read<OrderReviewed>() is { Redo: true } redo:
                await RedoneAsync(redo, db, now, ct);
                break;
            case AttendanceCredited.Name:
                await CreditedAsync(message.Read<AttendanceCredited>(), db, now, ct);
                break;
            case AttendanceCorrected.Name:
                await CorrectedAsync(message.Read<AttendanceCorrected>(), db, now, ct);
                break;
        }
    }

    private static void Delivered(OrderDelivered e, AppDbContext db, DateTimeOffset now)
    {
        foreach (var served in e.ServedBy.Where(s => s.Minutes is > 0 && s.CheckInAt is not null && s.CheckOutAt is not null))
        {
            db.Add(new ServiceRecord(e.DistrictId, served.VolunteerId, RecordSource.Order, e.SubjectId, null, e.Title ?? e.Number, e.PlatformId,
                e.HolderUnitId, e.PlaceUnitId, e.HolderTeamId, e.Address, served.CheckInAt!.Value, served.CheckOutAt!.Value, served.Minutes!.Value,
                e.ConfirmedById, e.ConfirmedByName ?? CheckInOut, now));
        }
    }

    /// <summary>复核 sent the order back: the round that was delivered no longer stands, so its time is taken away again.</summary>
    private static async Task RedoneAsync(OrderReviewed e, AppDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var entries = await db.Set<ServiceRecord>().Where(r => r.Source == RecordSource.Order && r.SourceId == e.SubjectId).ToListAsync(ct);
        foreach (var mine in entries.GroupBy(r => r.VolunteerId))
        {
            var standing = mine.Sum(r => r.Minutes);
            if (standing != 0)
            {
                var last = mine.OrderBy(r => r.Id).Last();
                db.Add(ServiceRecord.Correction(last, -standing, last.StartedAt, last.EndedAt, null, "系统", "复核退回重做，本轮服务不计时长", now));
            }
        }
    }

    private static async Task CreditedAsync(AttendanceCredited e, AppDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        if (e.Service is not { } service || e.Minutes <= 0 || await VolunteerOfAsync(db, e.UserId, ct) is not { } volunteerId)
        {
            return;
        }

        db.Add(new ServiceRecord(e.DistrictId, volunteerId, RecordSource.Activity, e.ActivityId, service.SignupId, service.Title, service.PlatformId,
            service.UnitId, service.UnitId, service.TeamId, service.Address, e.CheckInAt, e.CheckOutAt, e.Minutes, null, CheckInOut, now));
    }

    /// <summary>The organiser's correction replaces the sign-up's time: the entry added brings its sum to the corrected minutes.</summary>
    private static async Task CorrectedAsync(AttendanceCorrected e, AppDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        if (e.Service is not { } service || await VolunteerOfAsync(db, e.UserId, ct) is not { } volunteerId)
        {
            return;
        }

        var entries = await db.Set<ServiceRecord>().Where(r => r.SignupId == service.SignupId && r.VolunteerId == volunteerId).ToListAsync(ct);
        var difference = e.Minutes - entries.Sum(r => r.Minutes);
        if (difference == 0)
        {
            return;
        }

        var by = e.CorrectedById is { } id ? await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) : null;
        if (entries.OrderBy(r => r.Id).LastOrDefault() is { } last)
        {
            db.Add(ServiceRecord.Correction(last, difference, e.CheckInAt, e.CheckOutAt, e.CorrectedById, by ?? "组织者", e.Reason, now));
        }
        else
        {
            db.Add(new ServiceRecord(e.DistrictId, volunteerId, RecordSource.Activity, e.ActivityId, service.SignupId, service.Title, service.PlatformId,
                service.UnitId, service.UnitId, service.TeamId, service.Address, e.CheckInAt, e.CheckOutAt, e.Minutes, e.CorrectedById, by ?? "组织者", now));
        }
    }

    private static async Task<Guid?> VolunteerOfAsync(AppDbContext db, Guid userId, CancellationToken ct) =>
        await db.Set<Volunteer>().Where(v => v.UserId == userId).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
}
