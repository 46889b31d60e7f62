using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.RedYellowList;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.RedYellowList;

/// <summary>Residents and red/yellow events on a chosen unit, arranged in the database for the policy walk.</summary>
internal static class ConductData
{
    /// <summary>A scratch resident registered at the unit (one per unit), who is none of the demo accounts.</summary>
    public static Task<Guid> ResidentOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var phone = $"1391{(uint)unitId.GetHashCode() % 10_000_000:D7}";
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == phone);
        if (user is null)
        {
            user = new AppUser
            {
                Id = Ids.New(),
                UserName = phone,
                NormalizedUserName = phone,
                PhoneNumber = phone,
                DisplayName = "策略测试居民",
                DistrictId = unit.DistrictId,
                SecurityStamp = Guid.NewGuid().ToString(),
            };
            db.Users.Add(user);
            db.RoleAssignments.Add(new RoleAssignment(Ids.New(), unit.DistrictId, user.Id, unit.Id, Role.Resident, null, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        return user.Id;
    });

    /// <summary>
    /// A standing yellow event of <paramref name="residentUserId"/> (or of the unit's scratch resident) recorded at the unit,
    /// with a photo when asked; no points move.
    /// </summary>
    public static async Task<Guid> EventOnUnitAsync(TestHost host, Guid unitId, Guid? residentUserId, bool withPhoto)
    {
        var resident = residentUserId ?? await ResidentOnUnitAsync(host, unitId);
        var photo = withPhoto ? $"conduct/policy/{Guid.NewGuid():N}" : null;
        if (photo is not null)
        {
            await host.Services.GetRequiredService<Wenming.Web.Infrastructure.Files.IFileStore>().SaveAsync(photo, PolicyTests.Png, CancellationToken.None);
        }

        return await host.WithDbAsync(async db =>
        {
            var unit = await db.Units.SingleAsync(u => u.Id == unitId);
            var item = await db.Set<ConductItem>().FirstOrDefaultAsync(i => i.DistrictId == unit.DistrictId && i.Colour == Colour.Yellow);
            if (item is null)
            {
                item = new ConductItem(unit.DistrictId, Colour.Yellow, "策略测试条目", 1, 99);
                db.Add(item);
            }

            var e = new ConductEvent(unit.DistrictId, item, resident, "策略测试居民", unit.Id, unit.Path, DateOnly.FromDateTime(DateTime.UtcNow), "策略测试事实", Guid.Empty,
                "策略测试", DateTimeOffset.UtcNow);
            if (photo is not null)
            {
                e.AttachPhoto(photo, "image/png");
            }

            db.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });
    }
}
