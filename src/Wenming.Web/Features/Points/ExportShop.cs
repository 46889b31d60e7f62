using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <summary>The stock of the shops in the caller's subtrees, and their redemption history, as .xlsx (admins and leaders).</summary>
internal sealed class ExportShop(AppDbContext db, Infrastructure.Audit.AuditLog audit)
{
    public const int MaxRows = 100_000;

    private static readonly Dictionary<RedemptionStatus, string> StatusNames = new()
    {
        [RedemptionStatus.Reserved] = "待领取",
        [RedemptionStatus.Collected] = "已领取",
        [RedemptionStatus.Cancelled] = "已取消",
    };

    public static string StatusName(string status) => Enum.TryParse<RedemptionStatus>(status, out var s) ? StatusNames[s] : status;

    public async Task<Stream> StockAsync(Guid? unitId, CancellationToken ct)
    {
        var units = Units(unitId);
        var items = await db.Set<ShopItem>().AsNoTracking().Join(units, i => i.UnitId, u => u.Id, (i, u) => new { i, Unit = u.Name, u.Path })
            .OrderBy(x => x.Path).ThenBy(x => x.i.Name).Take(MaxRows).ToListAsync(ct);
        var ids = items.Select(x => x.i.Id).ToList();
        var stockings = await db.Set<ShopStocking>().Where(s => ids.Contains(s.ItemId)).Select(s => new { s.ItemId, s.Quantity, s.Donor }).ToListAsync(ct);
        var stocked = stockings.GroupBy(s => s.ItemId)
            .ToDictionary(g => g.Key, g => (Total: g.Sum(s => s.Quantity), Donors: g.Select(s => s.Donor).OfType<string>().ToList()));
        var redeemed = await db.Set<Redemption>().Where(r => ids.Contains(r.ItemId)).GroupBy(r => new { r.ItemId, r.Status })
            .Select(g => new { g.Key.ItemId, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        Audited("shop.stock-exported", items.Count);
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, items.Select(x => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["积分超市"] = x.Unit,
            ["物品"] = x.i.Name,
            ["说明"] = x.i.Description ?? "",
            ["所需积分"] = x.i.Price,
            ["当前库存"] = x.i.Quantity,
            ["累计入库"] = stocked.TryGetValue(x.i.Id, out var s) ? s.Total : 0,
            ["已领取"] = redeemed.Where(r => r.ItemId == x.i.Id && r.Status == RedemptionStatus.Collected).Sum(r => r.Count),
            ["待领取"] = redeemed.Where(r => r.ItemId == x.i.Id && r.Status == RedemptionStatus.Reserved).Sum(r => r.Count),
            ["捐赠方"] = string.Join("、", new[] { x.i.Donor }.Concat(s.Donors ?? []).OfType<string>().Distinct()),
        }), "库存", ct);
        stream.Position = 0;
        return stream;
    }

    public async Task<Stream> RedemptionsAsync(Guid? unitId, CancellationToken ct)
    {
        var units = Units(unitId);
        var rows = await db.Set<Redemption>().AsNoTracking().Join(units, r => r.UnitId, u => u.Id, (r, u) => new { r, Unit = u.Name })
            .OrderBy(x => x.r.CreatedAt).ThenBy(x => x.r.Id).Take(MaxRows).ToListAsync(ct);
        var names = await Redeem.PayerNamesAsync(db, [.. rows.Select(x => x.r)], ct);
        var volunteerIds = rows.Where(x => x.r.VolunteerId is not null).Select(x => x.r.VolunteerId!.Value).Distinct().ToList();
        var numbers = await db.Set<Volunteer>().Where(v => volunteerIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Number, ct);
        Audited("shop.redemptions-exported", rows.Count);
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, rows.Select(x => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["兑换时间"] = DistrictTime.Minute(x.r.CreatedAt),
            ["积分超市"] = x.Unit,
            ["物品"] = x.r.ItemName,
            ["积分"] = x.r.Price,
            ["兑换人"] = names.GetValueOrDefault(x.r.PayerId, ""),
            ["志愿者编号"] = x.r.VolunteerId is { } v ? numbers.GetValueOrDefault(v) ?? "" : "",
            ["积分来源"] = x.r.VolunteerId is null ? "红榜积分" : "志愿服务积分",
            ["状态"] = StatusNames[x.r.Status],
            ["处理时间"] = x.r.SettledAt is { } at ? DistrictTime.Minute(at) : "",
            ["处理人"] = x.r.SettledByName ?? "",
        }), "兑换记录", ct);
        stream.Position = 0;
        return stream;
    }

    private IQueryable<Organization.Unit> Units(Guid? unitId)
    {
        var scope = db.Scope;
        if (!scope.IsAdmin && !scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出积分超市的库存和兑换记录");
        }

        var units = db.Units.VisibleTo(scope, Role.Admin, Role.Leader);
        return unitId is { } id ? units.Where(u => u.Id == id) : units;
    }

    private void Audited(string action, int rows) =>
        audit.Add(action, "shop", null, db.Scope.RootPaths(Role.Admin, Role.Leader) is [var top, ..] ? top : null, $"{rows} rows");
}
