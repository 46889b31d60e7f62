using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Honours;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Points;

/// <summary>
/// Earns the points that are not for hours, from the events of orders and honours (it reads nothing else of theirs): each
/// volunteer who served an order its resident rates well earns the district's <see cref="PointsRules.PerGoodRating"/>, and
/// a volunteer given an honour its <see cref="PointsRules.HonourBonus"/>, at the rule of the moment. What no longer stands
/// is taken back: a rated order sent back by review to be done again, an honour withdrawn. Each movement has its own
/// idempotency key, so the same event handed over twice moves points once; a take-back never overdraws.
/// </summary>
internal sealed class BonusKeeper(TimeProvider clock) : IOutboxSubscriber
{
    public string Name => "points-bonuses";

    public bool Wants(string kind) => kind is OrderRated.Name or OrderReviewed.Name or HonourAwarded.Name or HonourWithdrawn.Name;

    public async Task HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (message.Kind)
        {
            case OrderRated.Name when message.Read<OrderRated>() is { Stars: >= PointsRules.GoodRating, VolunteerIds.Count: > 0 } e:
                var perRating = (await RulesAsync(db, e.DistrictId, ct))?.PerGoodRating ?? PointsRules.DefaultPerGoodRating;
                foreach (var volunteerId in e.VolunteerIds.Distinct())
                {
                    await EarnOnceAsync(db, e.DistrictId, volunteerId, perRating, $"「{e.Title}」获得 {e.Stars} 星好评", RatingSource(e.SubjectId),
                        $"rating:{e.SubjectId:N}:{e.RatedAt.UtcTicks}:{volunteerId:N}", now, ct);
                }

                break;
            case OrderReviewed.Name when message.Read<OrderReviewed>() is { Redo: true, VolunteerIds.Count: > 0 } e:
                foreach (var volunteerId in e.VolunteerIds.Distinct())
                {
                    await TakeBackOnceAsync(db, e.DistrictId, volunteerId, $"「{e.Title}」复核后重新办理，好评积分冲回", RatingSource(e.SubjectId),
                        $"rating-back:{e.SubjectId:N}:{e.ReviewedAt.UtcTicks}:{volunteerId:N}", now, ct);
                }

                break;
            case HonourAwarded.Name when message.Read<HonourAwarded>() is { VolunteerId: { } volunteerId } e:
                var bonus = (await RulesAsync(db, e.DistrictId, ct))?.HonourBonus ?? PointsRules.DefaultHonourBonus;
                await EarnOnceAsync(db, e.DistrictId, volunteerId, bonus, $"获得荣誉「{e.TitleName}」（{e.Period}）", HonourSource(e.SubjectId),
                    HonourSource(e.SubjectId), now, ct);
                break;
            case HonourWithdrawn.Name when message.Read<HonourWithdrawn>() is { VolunteerId: { } volunteerId } e:
                await TakeBackOnceAsync(db, e.DistrictId, volunteerId, $"荣誉「{e.TitleName}」（{e.Period}）已撤销：{e.Reason}", HonourSource(e.SubjectId),
                    $"honour-back:{e.SubjectId:N}", now, ct);
                break;
        }
    }

    private static string RatingSource(Guid orderId) => $"rating:{orderId:N}";

    private static string HonourSource(Guid awardId) => $"honour:{awardId:N}";

    private static Task<PointsRules?> RulesAsync(AppDbContext db, Guid districtId, CancellationToken ct) =>
        db.Set<PointsRules>().AsNoTracking().FirstOrDefaultAsync(r => r.DistrictId == districtId, ct);

    private static async Task EarnOnceAsync(AppDbContext db, Guid districtId, Guid volunteerId, int points, string reason, string source, string key,
        DateTimeOffset now, CancellationToken ct)
    {
        if (points > 0 && !await Earnings.DoneAsync(db, districtId, key, ct))
        {
            await Earnings.EarnAsync(db, districtId, volunteerId, points, reason, source, key, now, ct);
        }
    }

    /// <summary>Takes back what the volunteer still holds from <paramref name="source"/> (all its earnings less what went back before).</summary>
    private static async Task TakeBackOnceAsync(AppDbContext db, Guid districtId, Guid volunteerId, string reason, string source, string key,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await Earnings.DoneAsync(db, districtId, key, ct))
        {
            return;
        }

        var held = await Earnings.StandingAsync(db, districtId, volunteerId, source, ct);
        if (held > 0)
        {
            await Earnings.ReverseAsync(db, districtId, volunteerId, held, reason, source, key, now, ct);
        }
    }
}
