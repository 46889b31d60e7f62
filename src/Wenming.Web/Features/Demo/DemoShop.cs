using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Points;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Demo;

/// <summary>
/// A stocked 爱心超市 at each demo district's first station, put on the shelf by its station admin (<c>1380d000002</c>)
/// through the shop's own use case, with goods given by local partners. The demo volunteers' points come from their records,
/// as they always do.
/// </summary>
internal sealed class DemoShop(IServiceScopeFactory scopes, ILogger<DemoShop> logger)
{
    private static readonly (string Name, string Description, int Price, int Quantity, string Donor)[] Goods =
    [
        ("洗衣液", "2 千克装", 30, 20, "区供销合作社"),
        ("大米", "5 千克装", 60, 10, "爱心企业 · 丰收粮油"),
        ("保温杯", "不锈钢 500 毫升", 45, 8, "区志愿服务联合会"),
        ("理发券", "社区理发店单次理发", 15, 30, "社区便民理发店"),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var district in DemoDistrictData.All)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var sp = scope.ServiceProvider;
                var data = sp.GetRequiredService<DataScope>();
                var db = sp.GetRequiredService<AppDbContext>();
                var phone = DemoSeeder.Phone(district.Number, "02");
                Grant? station;
                using (data.AsSystem())
                {
                    var user = await db.Users.Where(u => u.UserName == phone).Select(u => new { u.Id, u.DistrictId, u.PhoneNumber, u.DisplayName }).FirstOrDefaultAsync(ct);
                    if (user is null)
                    {
                        continue;
                    }

                    var grants = await ScopeLoader.LoadGrantsAsync(db, user.Id, ct);
                    station = grants.FirstOrDefault(g => g.Role == Accounts.Role.Admin);
                    data.SetUser(user.Id, user.DistrictId, user.PhoneNumber, grants, user.DisplayName);
                }

                if (station is null)
                {
                    continue;
                }

                var shop = sp.GetRequiredService<StockShop>();
                foreach (var g in Goods)
                {
                    await shop.CreateAsync(new ShopItemInput(station.UnitId, g.Name, g.Description, g.Price, g.Quantity, g.Donor), ct);
                }
            }
            catch (Exception e) when (e is DomainException or Infrastructure.Problems.InputException or Infrastructure.Problems.AccessDeniedException)
            {
                logger.LogWarning(e, "Demo shop of district {Code} not stocked: {Reason}", district.Code, e.Message);
            }
        }
    }
}
