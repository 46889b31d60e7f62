using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Points;
using Wenming.Web.Features.Volunteers;

namespace Wenming.Tests.Points;

/// <summary>Shop items and settled redemptions on a chosen unit, arranged in the database for the policy walk.</summary>
internal static class PointsData
{
    private static readonly System.Text.RegularExpressions.Regex DemoAccount = new(@"^1380\d0000\d\d$");

    public static Task<Guid> ItemOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var item = new ShopItem(unit.DistrictId, unit.Id, "策略测试物品", null, 1, null, 0, DateTimeOffset.UtcNow);
        db.Add(item);
        await db.SaveChangesAsync();
        return item.Id;
    });

    /// <summary>
    /// A redemption at the unit's shop by a volunteer of its district who is none of the demo accounts, already cancelled (the
    /// points moved as they do: earned, reserved, returned), so collecting or cancelling it again answers 409 to whoever may.
    /// </summary>
    public static Task<Guid> CancelledRedemptionOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var candidates = await db.Set<Volunteer>().Where(v => v.DistrictId == unit.DistrictId && v.Status == VolunteerStatus.Active)
            .Join(db.Users, v => v.UserId, u => u.Id, (v, u) => new { v.Id, u.UserName }).Take(20).ToListAsync();
        var volunteerId = candidates.First(c => !DemoAccount.IsMatch(c.UserName ?? "")).Id;
        var now = DateTimeOffset.UtcNow;
        var d = unit.DistrictId;
        await using var tx = await db.Database.BeginTransactionAsync();
        var issuing = await Ledger.AccountAsync(db, d, AccountKind.Issuing, d, CancellationToken.None);
        var mine = await Ledger.AccountAsync(db, d, AccountKind.Volunteer, volunteerId, CancellationToken.None);
        var pending = await Ledger.AccountAsync(db, d, AccountKind.Pending, unit.Id, CancellationToken.None);
        var item = new ShopItem(d, unit.Id, "策略测试物品", null, 1, null, 0, now);
        db.Add(item);
        var id = Guid.NewGuid();
        await Ledger.TransferAsync(db, issuing, mine, 1, TransferKind.Earn, "策略测试", null, "策略测试", "policy", $"policy-earn:{id:N}", null, unit.Path, now,
            CancellationToken.None);
        var reserve = await Ledger.TransferAsync(db, mine, pending, 1, TransferKind.Reserve, "策略测试", null, "策略测试", "policy", $"policy-reserve:{id:N}", null,
            unit.Path, now, CancellationToken.None);
        await Ledger.TransferAsync(db, pending, mine, 1, TransferKind.Void, "策略测试", null, "策略测试", "policy", $"policy-void:{id:N}", reserve.Id, unit.Path, now,
            CancellationToken.None);
        db.Add(new Redemption(id, d, item, volunteerId, null, reserve.Id, $"policy:{id:N}", now));
        await db.SaveChangesAsync();
        await db.Set<Redemption>().Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RedemptionStatus.Cancelled));
        await tx.CommitAsync();
        return id;
    });
}
