using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Records;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Points;

/// <summary>
/// Earns points from the records as they are appended (<see cref="RecordAppended"/>; it reads nothing else of theirs): a
/// confirmed service earns the district's points per hour, and an order's service its bonus; a correction that takes
/// hours away takes their points back with a reversing transfer. Backfilled hours earn only where the district says so.
/// A reversal never overdraws: what was spent already stays spent, and the reason says how much could not be taken back.
/// </summary>
internal sealed class PointsKeeper(TimeProvider clock) : IOutboxSubscriber
{
    public string Name => "points";

    public bool Wants(string kind) => kind is RecordAppended.Name;

    public async Task HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var e = message.Read<RecordAppended>();
        if (e.Minutes == 0 || e.Backfilled && !await db.Set<RecordRules>().AnyAsync(r => r.DistrictId == e.DistrictId && r.BackfillEarnsPoints, ct))
        {
            return;
        }

        var key = $"{(int)e.Source}:{e.SourceId:N}:{e.SignupId:N}";
        var earning = await db.Set<PointsEarning>().FirstOrDefaultAsync(x => x.VolunteerId == e.VolunteerId && x.ServiceKey == key, ct);
        if (earning is null)
        {
            var rules = await db.Set<PointsRules>().AsNoTracking().FirstOrDefaultAsync(r => r.DistrictId == e.DistrictId, ct);
            earning = new PointsEarning(e.DistrictId, e.VolunteerId, key, e.Source == RecordSource.Order, rules?.PerHour ?? PointsRules.DefaultPerHour,
                rules?.PerOrder ?? PointsRules.DefaultPerOrder);
            db.Add(earning);
        }

        var due = earning.Add(e.Minutes);
        if (due == 0)
        {
            await db.SaveChangesAsync(ct);
            return;
        }

        var now = clock.GetUtcNow();
        var hours = Math.Round(Math.Abs(e.Minutes) / 60m, 1, MidpointRounding.AwayFromZero).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        var source = $"record:{e.SubjectId:N}";
        if (due > 0)
        {
            var reason = e.Correction ? $"「{e.Title}」时长更正增加 {hours} 小时" : $"「{e.Title}」服务 {hours} 小时{(earning.IsOrder && earning.Points == 0 ? "，完成订单" : "")}";
            await Earnings.EarnAsync(db, e.DistrictId, e.VolunteerId, due, reason, source, source, now, ct);
            earning.Moved(due);
        }
        else
        {
            var reason = $"「{e.Title}」时长更正减少 {hours} 小时：{e.Reason}";
            earning.Moved(-await Earnings.ReverseAsync(db, e.DistrictId, e.VolunteerId, -due, reason, source, source, now, ct));
        }

        await db.SaveChangesAsync(ct);
    }
}
