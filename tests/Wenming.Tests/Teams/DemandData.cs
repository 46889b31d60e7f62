using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Teams;

namespace Wenming.Tests.Teams;

/// <summary>Needs arranged straight in the database, for walks that act on one.</summary>
internal static class DemandData
{
    /// <summary>A fresh received need on the unit, raised by someone of its district.</summary>
    public static Task<Guid> DemandOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var raiser = await db.Users.Where(u => u.DistrictId == unit.DistrictId).OrderBy(u => u.Id).Select(u => u.Id).FirstAsync();
        var demand = new Demand(unit.DistrictId, unit.Id, null, "策略测试：需要上门服务", raiser, DateTimeOffset.UtcNow);
        db.Add(demand);
        await db.SaveChangesAsync();
        return demand.Id;
    });
}
