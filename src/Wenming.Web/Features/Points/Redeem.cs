using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <param name="From">"volunteer" (service points) or "resident" (red-list points); by default the volunteer's points if the caller is a volunteer.</param>
internal sealed record RedeemInput(Guid? ItemId, string? From = null);

internal sealed record RedemptionView(Guid Id, Guid ItemId, string Item, Guid UnitId, string Unit, int Price, Guid? VolunteerId, string Volunteer, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? SettledAt, string? SettledBy);

/// <summary>
/// 兑换: a volunteer (with service points) or a resident (with red-list points) redeems an item (one item and its points reserved, in one transaction, each by a conditional update
/// the database checks), collects it at the shop (the shop's admin confirms the hand-over: the reservation is posted) or
/// cancels (voided: the points and the item return). A redemption asked for twice with the same key is made once.
/// </summary>
internal sealed class Redeem(AppDbContext db, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public async Task<RedemptionView> RedeemAsync(RedeemInput input, string requestKey, CancellationToken ct)
    {
        if (input.ItemId is not { } itemId)
        {
            throw new InputException(new Dictionary<string, string[]> { ["itemId"] = ["请选择要兑换的物品"] });
        }

        var fromResident = input.From?.Trim().ToLowerInvariant() switch
        {
            null or "" => (bool?)null,
            "resident" => true,
            "volunteer" => false,
            _ => throw new InputException(new Dictionary<string, string[]> { ["from"] = ["积分来源应为 volunteer（志愿服务积分）或 resident（红榜积分）"] }),
        };
        var volunteer = fromResident == true ? null
            : await db.Set<Volunteer>().AsNoTracking().FirstOrDefaultAsync(v => v.UserId == Scope.UserId && v.Status == VolunteerStatus.Active, ct);
        if (volunteer is null && (fromResident == false || !Scope.IsSignedIn))
        {
            throw new AccessDeniedException("只有在册的志愿者可以用志愿服务积分兑换");
        }
        var units = db.Units.VisibleOrAbove(Scope, u => u.Id, u => u.Path).Select(u => u.Id);
        var item = await db.Set<ShopItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId && units.Contains(i.UnitId), ct)
                   ?? throw new NotVisibleException();
        var key = $"{Scope.UserId:N}:{requestKey}";
        if (await db.Set<Redemption>().AsNoTracking().FirstOrDefaultAsync(r => r.RequestKey == key, ct) is { } done)
        {
            return (await ViewsAsync([done], ct))[0];
        }

        var unitPath = await db.Units.Where(u => u.Id == item.UnitId).Select(u => u.Path).FirstAsync(ct);
        var now = clock.GetUtcNow();
        var id = Ids.New();
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        var pending = await Ledger.AccountAsync(db, item.DistrictId, AccountKind.Pending, item.UnitId, ct);
        // The item first, then the accounts: every use case here takes its locks in that order.
        var taken = await db.Set<ShopItem>().Where(i => i.Id == itemId && i.Quantity >= 1)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Quantity, i => i.Quantity - 1), ct);
        if (taken != 1)
        {
            throw new DomainException("out-of-stock", "这件物品已经兑完了", 409);
        }

        var mine = (volunteer is null
                       ? await Ledger.FindAsync(db, item.DistrictId, AccountKind.Resident, Scope.UserId!.Value, ct)
                       : await Ledger.FindAsync(db, volunteer.DistrictId, AccountKind.Volunteer, volunteer.Id, ct))
                   ?? throw new DomainException("insufficient-points", "积分余额不足");
        var reserve = await Ledger.TransferAsync(db, mine, pending, item.Price, TransferKind.Reserve, $"兑换「{item.Name}」（待领取）", Scope.UserId,
            volunteer?.Name ?? Scope.DisplayName ?? "", $"redemption:{id:N}", $"reserve:{id:N}", null, unitPath, now, ct);
        var redemption = new Redemption(id, item.DistrictId, item, volunteer?.Id, volunteer is null ? Scope.UserId : null, reserve.Id, key, now);
        db.Add(redemption);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await ViewsAsync([redemption], ct))[0];
    }

    /// <summary>The shop's admin hands the item over: the reserved points go to the shop.</summary>
    public async Task<RedemptionView> CollectAsync(Guid redemptionId, CancellationToken ct)
    {
        var redemption = await FindAsync(redemptionId, ct);
        var path = await UnitPathAsync(redemption, ct);
        if (!Scope.CanAdminister(path))
        {
            throw Scope.CanRead(path) ? new AccessDeniedException("只有该积分超市所属单位的管理员可以确认领取") : new NotVisibleException();
        }

        return await SettleAsync(redemption, RedemptionStatus.Collected, path, ct);
    }

    /// <summary>The volunteer (or the shop's admin) cancels: the points and the item return.</summary>
    public async Task<RedemptionView> CancelAsync(Guid redemptionId, CancellationToken ct)
    {
        var redemption = await FindAsync(redemptionId, ct);
        var path = await UnitPathAsync(redemption, ct);
        var own = redemption.ResidentUserId is { } resident
            ? resident == Scope.UserId
            : await db.Set<Volunteer>().AnyAsync(v => v.Id == redemption.VolunteerId && v.UserId == Scope.UserId, ct);
        if (!own && !Scope.CanAdminister(path))
        {
            throw Scope.CanRead(path) && Scope.IsAdmin ? new AccessDeniedException("只有兑换人本人或超市所属单位的管理员可以取消") : new NotVisibleException();
        }

        return await SettleAsync(redemption, RedemptionStatus.Cancelled, path, ct);
    }

    /// <summary>
    /// Redemptions still waiting for collection that were made before <paramref name="before"/> are cancelled by the platform
    /// (the points and the item return), one by one; returns how many.
    /// </summary>
    public async Task<int> CancelUncollectedAsync(DateTimeOffset before, CancellationToken ct)
    {
        var due = await db.Set<Redemption>().AsNoTracking().Where(r => r.Status == RedemptionStatus.Reserved && r.CreatedAt < before)
            .OrderBy(r => r.CreatedAt).Take(500).ToListAsync(ct);
        var cancelled = 0;
        foreach (var redemption in due)
        {
            try
            {
                await SettleAsync(redemption, RedemptionStatus.Cancelled, await UnitPathAsync(redemption, ct), ct, "逾期未领取，系统自动取消，积分退回");
                cancelled++;
            }
            catch (DomainException e) when (e.Code == "redemption-settled")
            {
                // Collected or cancelled by hand meanwhile.
            }

            db.ChangeTracker.Clear();
        }

        return cancelled;
    }

    /// <summary>The caller's own redemptions, or, with <paramref name="unitId"/>, those of a shop they administer.</summary>
    public async Task<IReadOnlyList<RedemptionView>> ListAsync(Guid? unitId, bool waitingOnly, CancellationToken ct)
    {
        IQueryable<Redemption> query;
        if (unitId is { } id)
        {
            var path = await db.Units.Where(u => u.Id == id).Select(u => u.Path).FirstOrDefaultAsync(ct);
            if (path is null || !Scope.CanAdminister(path))
            {
                throw path is not null && Scope.CanRead(path) ? new AccessDeniedException("只有该积分超市所属单位的管理员可以查看它的兑换") : new NotVisibleException();
            }

            query = db.Set<Redemption>().Where(r => r.UnitId == id);
        }
        else
        {
            var volunteerId = await db.Set<Volunteer>().Where(v => v.UserId == Scope.UserId).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
            var userId = Scope.UserId;
            query = db.Set<Redemption>().Where(r => (volunteerId != null && r.VolunteerId == volunteerId) || r.ResidentUserId == userId);
        }

        if (waitingOnly)
        {
            query = query.Where(r => r.Status == RedemptionStatus.Reserved);
        }

        var rows = await query.AsNoTracking().OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(200).ToListAsync(ct);
        return await ViewsAsync(rows, ct);
    }

    private async Task<RedemptionView> SettleAsync(Redemption redemption, RedemptionStatus to, string unitPath, CancellationToken ct, string? why = null)
    {
        var now = clock.GetUtcNow();
        var by = Scope.DisplayName ?? (Scope.IsSystem ? "系统" : "志愿者");
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        // Leaves Reserved once: a second hand (a double tap, the admin and the volunteer at the same instant) finds it settled.
        var settled = await db.Set<Redemption>().Where(r => r.Id == redemption.Id && r.Status == RedemptionStatus.Reserved)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, to).SetProperty(r => r.SettledAt, now).SetProperty(r => r.SettledById, Scope.UserId)
                .SetProperty(r => r.SettledByName, by), ct);
        if (settled != 1)
        {
            throw new DomainException("redemption-settled", "这次兑换已经领取或取消了", 409);
        }

        var pending = await Ledger.AccountAsync(db, redemption.DistrictId, AccountKind.Pending, redemption.UnitId, ct);
        if (to == RedemptionStatus.Collected)
        {
            var shop = await Ledger.AccountAsync(db, redemption.DistrictId, AccountKind.Shop, redemption.UnitId, ct);
            await Ledger.TransferAsync(db, pending, shop, redemption.Price, TransferKind.Post, $"「{redemption.ItemName}」已领取", Scope.UserId, by,
                $"redemption:{redemption.Id:N}", $"post:{redemption.Id:N}", redemption.ReserveTransferId, unitPath, now, ct);
        }
        else
        {
            await db.Set<ShopItem>().Where(i => i.Id == redemption.ItemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Quantity, i => i.Quantity + 1), ct);
            var mine = await Ledger.AccountAsync(db, redemption.DistrictId, redemption.PaidFrom, redemption.PayerId, ct);
            await Ledger.TransferAsync(db, pending, mine, redemption.Price, TransferKind.Void, why is null ? $"取消兑换「{redemption.ItemName}」，积分退回" : $"「{redemption.ItemName}」{why}", Scope.UserId, by,
                $"redemption:{redemption.Id:N}", $"void:{redemption.Id:N}", redemption.ReserveTransferId, unitPath, now, ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var after = await db.Set<Redemption>().AsNoTracking().FirstAsync(r => r.Id == redemption.Id, ct);
        return (await ViewsAsync([after], ct))[0];
    }

    private async Task<Redemption> FindAsync(Guid id, CancellationToken ct) =>
        await db.Set<Redemption>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotVisibleException();

    private Task<string> UnitPathAsync(Redemption r, CancellationToken ct) => db.Units.Where(u => u.Id == r.UnitId).Select(u => u.Path).FirstAsync(ct);

    private async Task<IReadOnlyList<RedemptionView>> ViewsAsync(IReadOnlyList<Redemption> rows, CancellationToken ct)
    {
        var unitIds = rows.Select(r => r.UnitId).Distinct().ToList();
        var units = await db.Units.Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var names = await PayerNamesAsync(db, rows, ct);
        return [.. rows.Select(r => new RedemptionView(r.Id, r.ItemId, r.ItemName, r.UnitId, units.GetValueOrDefault(r.UnitId, ""), r.Price, r.VolunteerId,
            names.GetValueOrDefault(r.PayerId, ""), r.Status.ToString(), r.CreatedAt, r.SettledAt, r.SettledByName))];
    }

    /// <summary>Who paid for each redemption: the volunteer's name, or the resident account's display name.</summary>
    public static async Task<Dictionary<Guid, string>> PayerNamesAsync(AppDbContext db, IReadOnlyList<Redemption> rows, CancellationToken ct)
    {
        var volunteerIds = rows.Where(r => r.VolunteerId is not null).Select(r => r.VolunteerId!.Value).Distinct().ToList();
        var residentIds = rows.Where(r => r.ResidentUserId is not null).Select(r => r.ResidentUserId!.Value).Distinct().ToList();
        var names = await db.Set<Volunteer>().Where(v => volunteerIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        foreach (var u in await db.Users.Where(u => residentIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct))
        {
            names[u.Id] = u.DisplayName;
        }

        return names;
    }
}
