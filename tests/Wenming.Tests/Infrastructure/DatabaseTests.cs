using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.Infrastructure;

public sealed class DatabaseTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_save_in_one_round_trip_keeps_all_its_rows_or_none(string provider)
    {
        var host = TestHosts.Get(provider);
        var (districtId, takenHash) = await host.WithDbAsync(async db =>
            await db.Set<Open311Key>().Select(k => new { k.DistrictId, k.KeyHash }).FirstAsync() is var k ? (k.DistrictId, k.KeyHash) : default);
        var name = "一次往返" + Guid.NewGuid().ToString("N")[..8];

        // A new platform, then a key whose hash is already taken: the second row fails, so the first must not stay.
        var failed = await host.WithDbAsync(async db =>
        {
            db.Add(new Platform(Guid.NewGuid(), districtId, name, 99));
            db.Add(new Open311Key(districtId, "重复的密钥", takenHash, null, DateTimeOffset.UtcNow));
            try
            {
                await db.SaveInOneTripAsync(CancellationToken.None);
                return false;
            }
            catch (DbUpdateException)
            {
                return true;
            }
        });
        Assert.True(failed, "the unique key hash is refused");
        Assert.False(await host.WithDbAsync(db => db.Platforms.AnyAsync(p => p.Name == name)), "nothing of a failed save is kept");

        await host.WithDbAsync(async db =>
        {
            db.Add(new Platform(Guid.NewGuid(), districtId, name, 99));
            db.Add(new Platform(Guid.NewGuid(), districtId, name + "二", 100));
            return await db.SaveInOneTripAsync(CancellationToken.None);
        });
        Assert.Equal(2, await host.WithDbAsync(db => db.Platforms.CountAsync(p => p.Name.StartsWith(name))));
        await host.WithDbAsync(db => db.Platforms.Where(p => p.Name.StartsWith(name)).ExecuteDeleteAsync());
    }

    [Fact]
    public void PostgreSQL_connections_get_the_platforms_defaults_unless_the_operator_set_them()
    {
        var defaults = new Npgsql.NpgsqlConnectionStringBuilder(Database.PostgresDefaults("Host=db;Database=wenming"));
        Assert.Equal(Database.DefaultPoolSize, defaults.MaxPoolSize);
        Assert.Equal(64, defaults.MaxAutoPrepare);

        var own = new Npgsql.NpgsqlConnectionStringBuilder(Database.PostgresDefaults("Host=db;Database=wenming;Maximum Pool Size=80;Max Auto Prepare=0"));
        Assert.Equal(80, own.MaxPoolSize);
        Assert.Equal(0, own.MaxAutoPrepare);
    }
}
