using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Points;

/// <summary>
/// 积分与爱心超市: a volunteer's balance and entries, the shops they see with redeem buttons, and their redemptions; for a
/// shop's admins, stocking it and confirming hand-overs. The same use cases as the API.
/// </summary>
internal sealed class IndexModel(PointsQueries points, StockShop shop, Redeem redeem, AppDbContext db) : PageModel
{
    public PointsAccountView? Account { get; private set; }

    /// <summary>The caller's red-list points (红榜) to spend, if they are a resident or have ever earned any.</summary>
    public long? RedBalance { get; private set; }
    public IReadOnlyList<ShopItemView> Items { get; private set; } = [];
    public IReadOnlyList<RedemptionView> Mine { get; private set; } = [];

    /// <summary>The shop the admin runs on this page (their first admin unit unless another is chosen), with its waiting redemptions.</summary>
    public Organization.Unit? Shop { get; private set; }

    public IReadOnlyList<(Guid Id, string Name)> Shops { get; private set; } = [];
    public IReadOnlyList<RedemptionView> Waiting { get; private set; } = [];

    /// <summary>A fresh key per rendering: the same form sent twice (a double tap, a resend) redeems once.</summary>
    public string FormKey { get; } = Ids.New().ToString("N");

    /// <summary>For the center's admins: the district's earning rules, set on this page.</summary>
    public PointsRulesView? Rules { get; private set; }

    public string? Message { get; private set; }
    public bool Success { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? unit, CancellationToken ct)
    {
        if (await points.MineAsync(ct) is { } volunteerId)
        {
            Account = await points.AccountAsync(volunteerId, 1, 30, ct);
        }

        if (db.Scope.Has(Role.Resident) || db.Scope.UserId is { } me && await Ledger.FindAsync(db, db.Scope.DistrictId, AccountKind.Resident, me, ct) is not null)
        {
            RedBalance = (await Ledger.FindAsync(db, db.Scope.DistrictId, AccountKind.Resident, db.Scope.UserId!.Value, ct))?.Balance ?? 0;
        }

        if (Account is not null || RedBalance is not null)
        {
            Mine = await redeem.ListAsync(null, false, ct);
        }

        Items = await shop.ListAsync(null, ct);
        if (db.Scope.IsCenterAdmin)
        {
            Rules = await points.RulesAsync(ct);
        }

        var admin = db.Scope.Grants.Where(g => g.Role == Role.Admin).ToList();
        if (admin.Count > 0)
        {
            Shops = [.. admin.Select(g => (g.UnitId, g.UnitName))];
            var chosen = unit is { } u ? await db.Units.AsNoTracking().FirstOrDefaultAsync(x => x.Id == u, ct) : null;
            Shop = chosen is not null && db.Scope.CanAdminister(chosen.Path)
                ? chosen
                : await db.Units.AsNoTracking().FirstOrDefaultAsync(x => x.Id == admin[0].UnitId, ct);
            if (Shop is not null)
            {
                Waiting = await redeem.ListAsync(Shop.Id, true, ct);
            }
        }

        return Page();
    }

    public Task<IActionResult> OnPostRedeemAsync(Guid itemId, string? from, string? key, CancellationToken ct) =>
        ActAsync(null, async () =>
        {
            var r = await redeem.RedeemAsync(new RedeemInput(itemId, from), "page-" + (string.IsNullOrWhiteSpace(key) ? Ids.New().ToString("N") : key), ct);
            return $"已兑换「{r.Item}」，请到{r.Unit}领取";
        }, ct);

    public Task<IActionResult> OnPostCancelAsync(Guid redemptionId, CancellationToken ct) =>
        ActAsync(null, async () =>
        {
            var r = await redeem.CancelAsync(redemptionId, ct);
            return $"已取消兑换「{r.Item}」，积分已退回";
        }, ct);

    public Task<IActionResult> OnPostCollectAsync(Guid redemptionId, Guid? unit, CancellationToken ct) =>
        ActAsync(unit, async () =>
        {
            var r = await redeem.CollectAsync(redemptionId, ct);
            return $"{r.Volunteer} 已领取「{r.Item}」";
        }, ct);

    public Task<IActionResult> OnPostStockAsync(Guid unit, string? name, string? description, int? price, int? quantity, string? donor, CancellationToken ct) =>
        ActAsync(unit, async () =>
        {
            var item = await shop.CreateAsync(new ShopItemInput(unit, name, description, price, quantity, donor), ct);
            return $"「{item.Name}」已上架";
        }, ct);

    public Task<IActionResult> OnPostRestockAsync(Guid itemId, Guid? unit, int? quantity, string? donor, CancellationToken ct) =>
        ActAsync(unit, async () =>
        {
            var item = await shop.RestockAsync(itemId, new RestockInput(quantity, donor), ct);
            return $"「{item.Name}」已补货，现有 {item.Quantity} 件";
        }, ct);

    public Task<IActionResult> OnPostRulesAsync(int? perHour, int? perOrder, int? perGoodRating, int? honourBonus, bool expiresYearly, int? version,
        CancellationToken ct) =>
        ActAsync(null, async () =>
        {
            var rules = await points.SaveRulesAsync(new PointsRulesInput(perHour, perOrder, expiresYearly, version, perGoodRating, honourBonus), ct);
            return $"积分规则已保存：每小时 {rules.PerHour} 分，每单 {rules.PerOrder} 分，好评 {rules.PerGoodRating} 分，荣誉 {rules.HonourBonus} 分";
        }, ct);

    private async Task<IActionResult> ActAsync(Guid? unit, Func<Task<string>> action, CancellationToken ct)
    {
        try
        {
            Message = await action();
            Success = true;
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
        }
        catch (DbUpdateException)
        {
            // The same form sent twice at once: the first one counts.
            Message = "刚刚已提交过，请查看下方的结果";
        }

        return await OnGetAsync(unit, ct);
    }
}
