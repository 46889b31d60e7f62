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

        // The same with new rows only, which PostgreSQL gets as one batch from the model (NewRows): a notice, then the
        // refused key. The batch fails as SaveChanges would (DbUpdateException, which placing an order retries on), and the
        // notice is not kept.
        var notice = await host.WithDbAsync(async db =>
        {
            var added = new OrderNotice(districtId, Guid.NewGuid(), null, null, null, name, DateTimeOffset.UtcNow);
            db.Add(added);
            db.Add(new Open311Key(districtId, "重复的密钥", takenHash, null, DateTimeOffset.UtcNow));
            Assert.NotNull(NewRows.Pending(db));
            var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveInOneTripAsync(CancellationToken.None));
            Assert.Contains(refused.Entries, e => e.Entity is Open311Key);
            return added.Id;
        });
        Assert.False(await host.WithDbAsync(db => db.Set<OrderNotice>().AnyAsync(n => n.Id == notice)), "nothing of a failed batch is kept");

        await host.WithDbAsync(async db =>
        {
            db.Add(new Platform(Guid.NewGuid(), districtId, name, 99));
            db.Add(new Platform(Guid.NewGuid(), districtId, name + "二", 100));
            return await db.SaveInOneTripAsync(CancellationToken.None);
        });
        Assert.Equal(2, await host.WithDbAsync(db => db.Platforms.CountAsync(p => p.Name.StartsWith(name))));
        await host.WithDbAsync(db => db.Platforms.Where(p => p.Name.StartsWith(name)).ExecuteDeleteAsync());
    }

    /// <summary>
    /// On PostgreSQL a save of new rows only is written by <see cref="NewRows"/> from EF's model rather than by
    /// SaveChanges, and placing an order writes its rows that way without tracking them. Three orders (with their first
    /// events) and four notices are built alike: one of each is saved in one trip, one in one trip inside a transaction (the
    /// batch under a savepoint of its own), one written untracked, and one saved by SaveChanges. Every column of their rows
    /// but the keys and numbers must read the same: enums, nulls, times and texts go through the same type mappings.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task New_rows_saved_in_one_trip_are_the_rows_SaveChanges_writes(string provider)
    {
        var host = TestHosts.Get(provider);
        var station0 = await host.WithDbAsync(db => db.Units.Where(u => u.Kind == UnitKind.Station && u.Code.StartsWith(HongtaCode))
            .OrderBy(u => u.Code).Select(u => new { u.Id, u.DistrictId }).FirstAsync());
        var (stationId, districtId) = (station0.Id, station0.DistrictId);
        // A month ahead of the host's clock, so that the deadline scanner finds neither order overdue and leaves both as saved.
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(30);
        // One platform for both, chosen once: without an order, PostgreSQL returns whichever row comes first in the table,
        // and another test's update of a platform moves its row.
        var platform = await host.WithDbAsync(db => db.Platforms.Where(p => p.DistrictId == districtId).OrderBy(p => p.Id).Select(p => p.Id).FirstAsync());

        // Both orders on one version of the workflow, though another test may edit the district's meanwhile.
        Guid? workflowId = null;
        async Task<(Guid Order, Guid Notice)> SaveAsync(string how)
        {
            await using var scope = host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var cache = scope.ServiceProvider.GetRequiredService<DistrictCache>();
            var station = await db.Units.AsNoTracking().SingleAsync(u => u.Id == stationId);
            var line = await UnitDirectory.LineAsync(db, cache, station.DistrictId, station.Path, CancellationToken.None);
            var workflow = workflowId is { } known
                ? await db.Set<WorkflowDefinition>().SingleAsync(w => w.Id == known)
                : await Workflows.ForNewOrderAsync(db, cache, station.DistrictId, TimeProvider.System, CancellationToken.None);
            workflowId = workflow.Id;
            var order = new Order(station.DistrictId, workflow, "T" + Guid.NewGuid().ToString("N")[..11],
                new OrderDetails("一行一行写", null, platform, null, "红塔区某街道 3 号", 24.35, 102.54, now.AddDays(1), "李桂芬", "13800000000"),
                station.Id, OrderChannel.GridWorker, null, null, now);
            order.File(new OrderActor(null, "网格员", false, true, false, null), OrderAccess.Places(station.Id, line), "hash", null, now);
            var notice = new OrderNotice(station.DistrictId, order.Id, order.HolderUnitId, null, null, "订单待您处理", now);
            if (how == "untracked")
            {
                // The events before their order: the rows go in the order their foreign keys need, whatever order they come in.
                Assert.Equal(provider == "PostgreSql", await NewRows.TryInsertUntrackedAsync(db, [notice, .. order.Events, order], CancellationToken.None));
                if (provider == "PostgreSql")
                {
                    Assert.DoesNotContain(db.ChangeTracker.Entries(), e => e.Entity is Order or OrderEvent or OrderNotice);
                    return (order.Id, notice.Id);
                }
            }

            UnitDirectory.Track(db, line, order.UnitId, order.HolderUnitId);
            db.Add(order);
            db.Add(notice);
            if (how == "SaveChanges")
            {
                await db.SaveChangesAsync();
            }
            else
            {
                // Every change is a new row of a plain table: on PostgreSQL, the batch from the model writes them.
                Assert.Equal(new[] { "Order", "OrderEvent", "OrderNotice" }, NewRows.Pending(db)!.Select(e => e.Metadata.ClrType.Name).Distinct().Order());
                await using var transaction = how == "in a transaction" ? await db.BeginOrJoinTransactionAsync(CancellationToken.None) : null;
                await db.SaveInOneTripAsync(CancellationToken.None);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(CancellationToken.None);
                }
            }

            Assert.All(db.ChangeTracker.Entries(), e => Assert.Equal(EntityState.Unchanged, e.State));
            return (order.Id, notice.Id);
        }

        var saved = await SaveAsync("SaveChanges");
        // Column by column, so that a difference names its column.
        static IEnumerable<string> Columns(List<string> rows) => rows.SelectMany((row, i) => row.Split("; ").Select(c => $"row {i}: {c}"));
        foreach (var how in new[] { "one trip", "in a transaction", "untracked" })
        {
            var written = await SaveAsync(how);
            Assert.Equal(Columns(await RowsAsync(host, "orders", "Id", saved.Order)), Columns(await RowsAsync(host, "orders", "Id", written.Order)));
            Assert.Equal(Columns(await RowsAsync(host, "order_events", "OrderId", saved.Order)), Columns(await RowsAsync(host, "order_events", "OrderId", written.Order)));
            Assert.Equal(Columns(await RowsAsync(host, "order_notices", "Id", saved.Notice)), Columns(await RowsAsync(host, "order_notices", "Id", written.Notice)));
        }
    }

    /// <summary>Every column of the rows whose <paramref name="column"/> is <paramref name="id"/>, as text, but for keys and numbers.</summary>
    private static Task<List<string>> RowsAsync(TestHost host, string table, string column, Guid id) => host.WithDbAsync(async db =>
    {
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT * FROM {table} WHERE \"{column}\" = @id ORDER BY 1";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "id";
        parameter.Value = db is SqliteAppDbContext ? id.ToString().ToUpperInvariant() : id;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("; ", Enumerable.Range(0, reader.FieldCount)
                .Where(i => reader.GetName(i) is not ("Id" or "OrderId" or "Number"))
                .Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))}")));
        }

        return rows.Order().ToList();
    });

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
