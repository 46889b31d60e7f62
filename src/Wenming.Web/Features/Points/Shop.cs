using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

internal sealed record ShopItemInput(Guid? UnitId, string? Name, string? Description, int? Price, int? Quantity, string? Donor);

internal sealed record RestockInput(int? Quantity, string? Donor);

internal sealed record ShopItemView(Guid Id, Guid UnitId, string Unit, string Name, string? Description, int Price, int Quantity, string? Donor, bool CanStock);

/// <summary>
/// The points shops the caller may see: a unit's own shop and those of the units above it (a volunteer sees their station's,
/// institute's and center's), and every shop of the subtrees they administer. Stocked by the unit's admins.
/// </summary>
internal sealed class StockShop(AppDbContext db, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    /// <summary>Items of the shops the caller sees; <paramref name="unitId"/> narrows to one shop.</summary>
    public async Task<IReadOnlyList<ShopItemView>> ListAsync(Guid? unitId, CancellationToken ct)
    {
        var units = db.Units.VisibleOrAbove(Scope, u => u.Id, u => u.Path);
        var rows = await db.Set<ShopItem>().AsNoTracking()
            .Where(i => unitId == null || i.UnitId == unitId)
            .Join(units, i => i.UnitId, u => u.Id, (i, u) => new { i, u.Name, u.Path })
            .OrderBy(x => x.Path).ThenBy(x => x.i.Price).ThenBy(x => x.i.Name).Take(500).ToListAsync(ct);
        return [.. rows.Select(x => new ShopItemView(x.i.Id, x.i.UnitId, x.Name, x.i.Name, x.i.Description, x.i.Price, x.i.Quantity, x.i.Donor,
            Scope.CanAdminister(x.Path)))];
    }

    public async Task<ShopItemView> CreateAsync(ShopItemInput input, CancellationToken ct)
    {
        var unitId = input.UnitId ?? Scope.Grants.FirstOrDefault(g => g.Role == Role.Admin)?.UnitId
            ?? throw new AccessDeniedException("只有实践站（所、中心）的管理员可以上架物品");
        var unit = await AdministeredAsync(unitId, ct);
        var (name, description, price, donor, quantity) = ShopItem.Check(input);
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        // The shop's accounts exist before its first redemption, so redemptions never race to open them.
        await Ledger.AccountAsync(db, unit.DistrictId, AccountKind.Pending, unit.Id, ct);
        await Ledger.AccountAsync(db, unit.DistrictId, AccountKind.Shop, unit.Id, ct);
        var item = new ShopItem(unit.DistrictId, unit.Id, name, description, price, donor, quantity, now);
        db.Add(item);
        if (quantity > 0)
        {
            db.Add(new ShopStocking(unit.DistrictId, item.Id, quantity, donor, Scope.UserId!.Value, Scope.DisplayName ?? "管理员", now));
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ShopItemView(item.Id, unit.Id, unit.Name, item.Name, item.Description, item.Price, item.Quantity, item.Donor, true);
    }

    public async Task<ShopItemView> RestockAsync(Guid itemId, RestockInput input, CancellationToken ct)
    {
        var item = await db.Set<ShopItem>().AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId, ct) ?? throw new NotVisibleException();
        var unit = await AdministeredAsync(item.UnitId, ct);
        if (input.Quantity is not (>= 1 and <= 10_000))
        {
            throw new InputException(new Dictionary<string, string[]> { ["quantity"] = ["请填写补货数量（1 到 10000）"] });
        }

        var donor = string.IsNullOrWhiteSpace(input.Donor) ? item.Donor : input.Donor.Trim();
        if (donor is { Length: > 100 })
        {
            throw new InputException(new Dictionary<string, string[]> { ["donor"] = ["捐赠方名称不超过 100 字"] });
        }

        var n = input.Quantity.Value;
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        await db.Set<ShopItem>().Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s.SetProperty(i => i.Quantity, i => i.Quantity + n), ct);
        db.Add(new ShopStocking(item.DistrictId, item.Id, n, donor, Scope.UserId!.Value, Scope.DisplayName ?? "管理员", clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var quantity = await db.Set<ShopItem>().Where(i => i.Id == itemId).Select(i => i.Quantity).FirstAsync(ct);
        return new ShopItemView(item.Id, unit.Id, unit.Name, item.Name, item.Description, item.Price, quantity, item.Donor, true);
    }

    /// <summary>An admin over the unit passes; one who cannot even see it learns nothing of it (404).</summary>
    private async Task<Organization.Unit> AdministeredAsync(Guid unitId, CancellationToken ct)
    {
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null || !Scope.CanAdminister(unit.Path))
        {
            throw unit is not null && Scope.CanRead(unit.Path) ? new AccessDeniedException("只有该单位及上级的管理员可以管理它的积分超市") : new NotVisibleException();
        }

        return unit;
    }
}
