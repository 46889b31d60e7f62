using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;
using static Wenming.Tests.Infrastructure.TestData;

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
        Assert.True(defaults.NoResetOnClose);

        var own = new Npgsql.NpgsqlConnectionStringBuilder(
            Database.PostgresDefaults("Host=db;Database=wenming;Maximum Pool Size=80;Max Auto Prepare=0;No Reset On Close=false"));
        Assert.Equal(80, own.MaxPoolSize);
        Assert.Equal(0, own.MaxAutoPrepare);
        Assert.False(own.NoResetOnClose);
    }

    /// <summary>
    /// Pooled connections are handed on without a reset (<see cref="Database.PostgresDefaults"/>), which is safe only while
    /// no request leaves state on its session. After the platform has served requests that read and write (and after the
    /// tests before this one), every connection in the pool is looked at: no session settings, temporary tables, LISTEN
    /// channels, advisory locks or open cursors.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Pooled_connections_carry_no_session_state_from_one_request_to_the_next(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        var platform = (await resident.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        for (var i = 0; i < 3; i++)
        {
            using var placed = await resident.PostJsonAsync("/api/v1/orders", new { title = "会话状态检查" + i, platformId = platform });
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
            (await resident.GetJsonAsync("/api/v1/orders?page=1&pageSize=5")).GetProperty("items");
        }

        var postgres = provider != "Sqlite";
        // Each kind of state a request could leave on its session, named, so a failure says which.
        const string PostgresState = """
                                     SELECT concat_ws(' ',
                                         (SELECT string_agg('setting:' || name, ' ') FROM pg_settings WHERE source = 'session'),
                                         (SELECT string_agg('temporary-table:' || relname, ' ') FROM pg_class WHERE relnamespace = pg_my_temp_schema()),
                                         (SELECT string_agg('listen:' || c, ' ') FROM pg_listening_channels() c),
                                         (SELECT string_agg('advisory-lock:' || objid, ' ') FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
                                         (SELECT string_agg('cursor:' || name, ' ') FROM pg_cursors WHERE name <> ''))
                                     """;
        // All of the pool at once (its size as this host's connection string sets it), so each lease is a different
        // connection and every one the earlier tests left idle is looked at.
        var poolSize = postgres
            ? await host.WithDbAsync(db => Task.FromResult(new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxPoolSize))
            : 4;
        var leases = Enumerable.Range(0, poolSize).Select(_ => host.Services.CreateAsyncScope()).ToList();
        try
        {
            foreach (var lease in leases)
            {
                lease.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
                var db = lease.ServiceProvider.GetRequiredService<AppDbContext>();
                await db.Database.OpenConnectionAsync();
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = postgres ? PostgresState : "SELECT coalesce(group_concat('temporary-table:' || name, ' '), '') FROM temp.sqlite_master";
                Assert.Equal("", await command.ExecuteScalarAsync() as string);
            }
        }
        finally
        {
            foreach (var lease in leases)
            {
                await lease.DisposeAsync();
            }
        }
    }
}
