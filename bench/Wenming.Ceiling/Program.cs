using System.Collections.Frozen;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Wenming.Ceiling;

// The least a server must do for what the platform's pages ask, on the platform's own database: a bearer token checked by
// a dictionary lookup, an order and its first event written durably in one transaction, and the menu read by one indexed
// SELECT; for the records bench, a volunteer's kept total read by its primary key; and for the redemptions bench, a
// redemption: one item and the volunteer's points reserved by conditional updates, the transfer and the redemption written,
// in one transaction. Started by `bench/Wenming.Bench -- product` (or `-- records`, `-- redemptions`) with the provider, the
// connection string and a file of the signed-in callers (their tokens and who they are).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var config = builder.Configuration;
var callers = JsonSerializer.Deserialize<Caller[]>(File.ReadAllText(config["Ceiling:Tokens"]!), JsonSerializerOptions.Web)!
    .ToFrozenDictionary(c => "Bearer " + c.Token);
await using var store = await Store.OpenAsync(config["Ceiling:Provider"]!, config["Ceiling:Connection"]!, config.GetValue("Ceiling:Points", false));

var app = builder.Build();
app.MapGet("/health", () => "ok");
app.MapPost("/orders", async (HttpRequest request, OrderBody body, CancellationToken ct) =>
{
    if (!callers.TryGetValue(request.Headers.Authorization.ToString(), out var caller))
    {
        return Results.Unauthorized();
    }

    if (body.Title is not { Length: >= 2 and <= 100 } || body.PlatformId is null)
    {
        return Results.BadRequest();
    }

    var (id, number) = await store.PlaceAsync(caller, body, ct);
    return Results.Created($"/orders/{id}", new { id, number });
});
app.MapGet("/menu", async (HttpRequest request, CancellationToken ct, int page = 1, int pageSize = 30) =>
    callers.TryGetValue(request.Headers.Authorization.ToString(), out var caller)
        ? Results.Ok(await store.MenuAsync(caller, Math.Clamp(pageSize, 1, 200), ct))
        : Results.Unauthorized());
app.MapGet("/totals/{id:guid}", async (HttpRequest request, Guid id, CancellationToken ct) =>
    !callers.ContainsKey(request.Headers.Authorization.ToString()) ? Results.Unauthorized()
    : await store.TotalAsync(id, ct) is { } total ? Results.Ok(total) : Results.NotFound());
app.MapPost("/redemptions", async (HttpRequest request, RedeemBody body, CancellationToken ct) =>
{
    if (!callers.TryGetValue(request.Headers.Authorization.ToString(), out var caller))
    {
        return Results.Unauthorized();
    }

    if (caller.VolunteerId is null || body.ItemId is null)
    {
        return caller.VolunteerId is null ? Results.StatusCode(403) : Results.BadRequest();
    }

    // As the platform keys it: the caller's own Idempotency-Key (a new one when none was sent), unique per district.
    var key = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 100 } sent ? sent : Guid.NewGuid().ToString("N");
    var (status, redemption) = await store.RedeemAsync(caller, body.ItemId.Value, $"{caller.UserId:N}:{key}", ct);
    return status == 201 ? Results.Created($"/redemptions/{redemption!.Id}", redemption) : Results.StatusCode(status);
});
await app.RunAsync();

namespace Wenming.Ceiling
{
    /// <summary>A signed-in resident as the bench read them: their token, account, district, station and the places above it.</summary>
    internal sealed record Caller(string Token, Guid UserId, Guid DistrictId, string Name, string Phone, Guid UnitId, Guid[] Units, Guid? VolunteerId = null);

    /// <summary>What /Orders/New sends (the platform's OrderInput, the fields a resident's order uses).</summary>
    internal sealed record OrderBody(string? Title, string? Description, Guid? PlatformId, Guid? MenuItemId, string? Address,
        double? Latitude, double? Longitude, string? CoordinateSystem, DateTimeOffset? WantedAt);

    internal sealed record MenuRow(Guid Id, string Title, Guid PlatformId, string? Description, string? Availability, int Capacity,
        Guid TeamId, string Team, Guid UnitId, string Unit);

    /// <summary>What the points page and the API send to redeem an item.</summary>
    internal sealed record RedeemBody(Guid? ItemId);

    internal sealed record RedemptionRow(Guid Id, Guid ItemId, string Item, Guid UnitId, int Price, Guid VolunteerId, string Status, DateTimeOffset CreatedAt);

    /// <summary>A volunteer's row of <c>volunteer_totals</c>: their confirmed minutes in all.</summary>
    internal sealed record TotalRow(Guid VolunteerId, Guid DistrictId, long Minutes);

    /// <summary>
    /// Raw ADO.NET on the platform's database, into tables of its own (<c>ceiling_orders</c>, <c>ceiling_order_events</c>; with
    /// points, <c>ceiling_shop_items</c>, <c>ceiling_points_accounts</c>, <c>ceiling_points_transfers</c> and
    /// <c>ceiling_shop_redemptions</c>, their rows copied from the platform's as the ceiling starts) made as copies of the
    /// platform's: the same columns, CHECK constraints and indexes, no foreign keys checked.
    /// </summary>
    internal sealed class Store : IAsyncDisposable
    {
        private const string InsertOrder = """
            INSERT INTO ceiling_orders ("Id", "DistrictId", "WorkflowId", "Number", "Title", "Description", "PlatformId", "MenuItemId", "Address",
                "Latitude", "Longitude", "WantedAt", "ContactName", "ContactPhone", "Channel", "State", "StepIndex", "UnitId", "HolderUnitId",
                "RequesterUserId", "OpenForClaim", "CreatedAt", "UpdatedAt", "Version")
            VALUES (@id, @district, @workflow, @number, @title, @description, @platform, @menu, @address, @lat, @lng, @wanted, @name, @phone,
                0, 1, 1, @unit, @unit, @user, FALSE, @now, @now, 1)
            """;

        private const string InsertEvent = """
            INSERT INTO ceiling_order_events ("Id", "OrderId", "DistrictId", "Sequence", "Action", "StepIndex", "ToStepIndex", "StepName",
                "ActorUserId", "ActorName", "HolderUnitId", "At")
            VALUES (@event, @id, @district, 1, 'place', 0, 1, '群众点单', @user, @name, @unit, @now)
            """;

        private const string Menu = """
            SELECT m."Id", m."Title", m."PlatformId", m."Description", m."Availability", m."Capacity", m."TeamId", t."Name", m."UnitId", u."Name"
            FROM menu_items m JOIN teams t ON t."Id" = m."TeamId" JOIN units u ON u."Id" = m."UnitId"
            WHERE m."DistrictId" = @district AND m."UnitId" {units} AND m."IsActive"
            ORDER BY m."CreatedAt" LIMIT @take
            """;

        /// <summary>The item first (its price, shop and district with it), as the platform takes its locks.</summary>
        private const string TakeItem = """
            UPDATE ceiling_shop_items SET "Quantity" = "Quantity" - 1 WHERE "Id" = @item AND "Quantity" >= 1
            RETURNING "DistrictId", "UnitId", "Price", "Name"
            """;

        /// <summary>The volunteer's points, only while they cover the price (rows affected checked).</summary>
        private const string Debit = """
            UPDATE ceiling_points_accounts SET "Balance" = "Balance" - @price
            WHERE "DistrictId" = @district AND "Kind" = 2 AND "OwnerId" = @volunteer AND "Balance" >= @price
            """;

        /// <summary>The shop's pending account, made by the first redemption at the shop.</summary>
        private const string Credit = """
            INSERT INTO ceiling_points_accounts ("Id", "DistrictId", "Kind", "OwnerId", "Balance") VALUES (@pending, @district, 4, @unit, @price)
            ON CONFLICT ("DistrictId", "Kind", "OwnerId") DO UPDATE SET "Balance" = ceiling_points_accounts."Balance" + excluded."Balance"
            """;

        private const string InsertTransfer = """
            INSERT INTO ceiling_points_transfers ("Id", "DistrictId", "DebitAccountId", "CreditAccountId", "Amount", "Kind", "Reason", "ActorId",
                "ActorName", "SourceRef", "IdempotencyKey", "PendingId", "UnitPath", "CreatedAt")
            VALUES (@transfer, @district,
                (SELECT "Id" FROM ceiling_points_accounts WHERE "DistrictId" = @district AND "Kind" = 2 AND "OwnerId" = @volunteer),
                (SELECT "Id" FROM ceiling_points_accounts WHERE "DistrictId" = @district AND "Kind" = 4 AND "OwnerId" = @unit),
                @price, 3, @reason, @user, @name, @source, @reserve, NULL, (SELECT "Path" FROM units WHERE "Id" = @unit), @now)
            """;

        private const string InsertRedemption = """
            INSERT INTO ceiling_shop_redemptions ("Id", "DistrictId", "ItemId", "UnitId", "ItemName", "Price", "VolunteerId", "ReserveTransferId",
                "RequestKey", "Status", "CreatedAt")
            VALUES (@id, @district, @item, @unit, @itemName, @price, @volunteer, @transfer, @key, 1, @now)
            """;

        private const string FindRedemption = """
            SELECT "Id", "ItemId", "ItemName", "UnitId", "Price", "VolunteerId", "CreatedAt" FROM ceiling_shop_redemptions
            WHERE "DistrictId" = @district AND "RequestKey" = @key
            """;

        private static readonly FrozenDictionary<string, string[]> ParameterNames = new[] { Debit, Credit, InsertTransfer, InsertRedemption }
            .ToFrozenDictionary(sql => sql, sql => System.Text.RegularExpressions.Regex.Matches(sql, @"@(\w+)").Select(m => m.Groups[1].Value).Distinct().ToArray());

        private static readonly string[] OrderTables = ["orders", "order_events"];

        /// <summary>Copied with their rows: the shops' stock, the accounts and their entries, the redemptions so far.</summary>
        private static readonly string[] PointsTables = ["shop_items", "points_accounts", "points_transfers", "shop_redemptions"];

        private readonly DbDataSource _source;
        private readonly bool _postgres;
        private readonly string _menu;

        // SQLite takes one writer at a time: writers queue here rather than in SQLite's busy handler, which sleeps.
        private readonly SemaphoreSlim _writer = new(1, 1);

        // The workflow an order is filed into: any id (no foreign key), one per run.
        private readonly Guid _workflow = Guid.NewGuid();
        private long _numbers;

        private Store(DbDataSource source, bool postgres)
        {
            _source = source;
            _postgres = postgres;
            _menu = Menu.Replace("{units}", postgres ? "= ANY(@units)" : "IN (SELECT value FROM json_each(@units))", StringComparison.Ordinal);
        }

        public static async Task<Store> OpenAsync(string provider, string connectionString, bool points)
        {
            var postgres = provider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
            var store = new Store(postgres ? NpgsqlDataSource.Create(connectionString) : SqliteFactory.Instance.CreateDataSource(connectionString), postgres);
            await store.CreateTablesAsync(OrderTables, withRows: false);
            if (points)
            {
                await store.CreateTablesAsync(PointsTables, withRows: true);
            }

            return store;
        }

        public async Task<(Guid Id, string Number)> PlaceAsync(Caller caller, OrderBody body, CancellationToken ct)
        {
            var id = Guid.CreateVersion7();
            var now = DateTimeOffset.UtcNow;
            var number = now.ToOffset(TimeSpan.FromHours(8)).ToString("yyMMdd", System.Globalization.CultureInfo.InvariantCulture)
                         + Interlocked.Increment(ref _numbers).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            (string, object?)[] both = [("id", id), ("district", caller.DistrictId), ("user", caller.UserId), ("unit", caller.UnitId), ("name", caller.Name), ("now", now)];
            (string, object?)[] order =
            [
                .. both, ("workflow", _workflow), ("number", number), ("title", body.Title!.Trim()), ("description", body.Description?.Trim()),
                ("platform", body.PlatformId!.Value), ("menu", body.MenuItemId), ("address", body.Address?.Trim()), ("lat", body.Latitude),
                ("lng", body.Longitude), ("wanted", body.WantedAt?.ToUniversalTime()), ("phone", caller.Phone),
            ];
            (string, object?)[] first = [.. both, ("event", Guid.CreateVersion7())];
            await using var connection = await OpenAsync(ct);
            if (_postgres)
            {
                // One batch: PostgreSQL runs it as one implicit transaction, committed at its end, in one round trip.
                await using var batch = new NpgsqlBatch((NpgsqlConnection)connection);
                foreach (var (sql, values) in new[] { (InsertOrder, order), (InsertEvent, first) })
                {
                    var command = new NpgsqlBatchCommand(sql);
                    foreach (var (name, value) in values)
                    {
                        command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
                    }

                    batch.BatchCommands.Add(command);
                }

                await batch.ExecuteNonQueryAsync(ct);
                return (id, number);
            }

            await _writer.WaitAsync(ct);
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                foreach (var (sql, values) in new[] { (InsertOrder, order), (InsertEvent, first) })
                {
                    await using var command = Command(connection, sql, values);
                    command.Transaction = transaction;
                    await command.ExecuteNonQueryAsync(ct);
                }

                await transaction.CommitAsync(ct);
            }
            finally
            {
                _writer.Release();
            }

            return (id, number);
        }

        /// <summary>
        /// One redemption in one transaction: the item taken if one is left (409 if none), the volunteer's points taken if they
        /// cover the price (422 if not), the shop's pending account credited, the transfer and the redemption written. A
        /// request key already used gives back the redemption it made. PostgreSQL: three round trips (the item, the rest as one
        /// batch, the commit).
        /// </summary>
        public async Task<(int Status, RedemptionRow? Redemption)> RedeemAsync(Caller caller, Guid itemId, string key, CancellationToken ct)
        {
            var (id, transfer, now) = (Guid.CreateVersion7(), Guid.CreateVersion7(), DateTimeOffset.UtcNow);
            await using var connection = await OpenAsync(ct);
            if (!_postgres)
            {
                await _writer.WaitAsync(ct);
            }

            try
            {
                await using var transaction = await connection.BeginTransactionAsync(ct);
                Guid district, unit;
                int price;
                string name;
                await using (var take = Command(connection, TakeItem, [("item", itemId)]))
                {
                    take.Transaction = transaction;
                    await using var reader = await take.ExecuteReaderAsync(ct);
                    if (!await reader.ReadAsync(ct))
                    {
                        return (409, null);
                    }

                    (district, unit, price, name) = (reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3));
                }

                (string, object?)[] values =
                [
                    ("id", id), ("transfer", transfer), ("pending", Guid.CreateVersion7()), ("district", district), ("unit", unit), ("item", itemId),
                    ("itemName", name), ("price", price), ("volunteer", caller.VolunteerId!.Value), ("user", caller.UserId), ("name", caller.Name),
                    ("reason", $"兑换「{name}」（待领取）"), ("source", $"redemption:{id:N}"), ("reserve", $"reserve:{id:N}"), ("key", key), ("now", _postgres ? now : Binary(now)),
                ];
                string[] rest = [Debit, Credit, InsertTransfer, InsertRedemption];
                if (_postgres)
                {
                    await using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
                    foreach (var sql in rest)
                    {
                        var command = new NpgsqlBatchCommand(sql);
                        foreach (var (parameter, value) in Used(sql, values))
                        {
                            command.Parameters.Add(new NpgsqlParameter(parameter, value ?? DBNull.Value));
                        }

                        batch.BatchCommands.Add(command);
                    }

                    await batch.ExecuteNonQueryAsync(ct);
                    if (batch.BatchCommands[0].RecordsAffected != 1)
                    {
                        return (422, null);
                    }
                }
                else
                {
                    foreach (var sql in rest)
                    {
                        await using var command = Command(connection, sql, Used(sql, values));
                        command.Transaction = transaction;
                        if (await command.ExecuteNonQueryAsync(ct) != 1 && sql == Debit)
                        {
                            return (422, null);
                        }
                    }
                }

                await transaction.CommitAsync(ct);
                return (201, new RedemptionRow(id, itemId, name, unit, price, caller.VolunteerId.Value, "Reserved", now));
            }
            catch (DbException e) when (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } or SqliteException { SqliteErrorCode: 19 })
            {
                // The key was used already: its redemption, as it was made.
                return (201, await FindAsync(connection, caller.DistrictId, key, ct));
            }
            finally
            {
                if (!_postgres)
                {
                    _writer.Release();
                }
            }
        }

        private async Task<RedemptionRow?> FindAsync(DbConnection connection, Guid district, string key, CancellationToken ct)
        {
            await using var find = Command(connection, FindRedemption, [("district", district), ("key", key)]);
            await using var reader = await find.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new RedemptionRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetGuid(3), reader.GetInt32(4), reader.GetGuid(5), "Reserved",
                    _postgres ? reader.GetFieldValue<DateTimeOffset>(6) : new DateTimeOffset((reader.GetInt64(6) >> 11) * 1000, TimeSpan.Zero))
                : null;
        }

        /// <summary>The statement's own parameters of <paramref name="values"/>.</summary>
        private static (string, object?)[] Used(string sql, (string Name, object? Value)[] values) =>
            [.. values.Where(v => ParameterNames[sql].Contains(v.Name))];

        /// <summary>A time as the platform stores it on SQLite: EF's binary form (DateTimeOffsetToBinaryConverter).</summary>
        private static long Binary(DateTimeOffset t) => ((t.Ticks / 1000) << 11) | ((long)t.Offset.TotalMinutes & 0x07FF);

        public async Task<List<MenuRow>> MenuAsync(Caller caller, int take, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct);
            await using var cmd = Command(connection, _menu,
                [("district", caller.DistrictId), ("units", _postgres ? caller.Units : JsonSerializer.Serialize(caller.Units.Select(Text))), ("take", take)]);
            var rows = new List<MenuRow>(take);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new MenuRow(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.GetGuid(6), reader.GetString(7), reader.GetGuid(8),
                    reader.GetString(9)));
            }

            return rows;
        }

        /// <summary>One row by its primary key: the least a read of a volunteer's hours can cost.</summary>
        public async Task<TotalRow?> TotalAsync(Guid volunteerId, CancellationToken ct)
        {
            await using var connection = await OpenAsync(ct);
            await using var cmd = Command(connection, """SELECT "VolunteerId", "DistrictId", "Minutes" FROM volunteer_totals WHERE "VolunteerId" = @id""",
                [("id", volunteerId)]);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct) ? new TotalRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt64(2)) : null;
        }

        public async ValueTask DisposeAsync()
        {
            await _source.DisposeAsync();
            _writer.Dispose();
        }

        private async Task<DbConnection> OpenAsync(CancellationToken ct)
        {
            var connection = await _source.OpenConnectionAsync(ct);
            if (!_postgres)
            {
                // As the platform sets every connection it opens (src/Wenming.Web/Infrastructure/Data/Database.cs), but with the
                // copied tables' foreign keys off, as on PostgreSQL, where LIKE copies none.
                await using var pragmas = connection.CreateCommand();
                pragmas.CommandText = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; PRAGMA busy_timeout=10000;";
                await pragmas.ExecuteNonQueryAsync(ct);
            }

            return connection;
        }

        /// <summary>
        /// Copies of the platform's <paramref name="tables"/>, made once the platform has migrated its database; new ones with
        /// the platform's rows in them when <paramref name="withRows"/>.
        /// </summary>
        private async Task CreateTablesAsync(string[] tables, bool withRows)
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            var statements = new List<string>();
            if (withRows)
            {
                statements.AddRange(tables.Select(t => $"DROP TABLE IF EXISTS ceiling_{t}"));
            }

            if (_postgres)
            {
                statements.AddRange(tables.Select(t => $"CREATE TABLE IF NOT EXISTS ceiling_{t} (LIKE {t} INCLUDING ALL)"));
            }
            else
            {
                await using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode=WAL";
                await wal.ExecuteNonQueryAsync();
                // The platform's own DDL (its foreign keys are written but not enforced: see OpenAsync), tables before their indexes.
                await using var ddl = connection.CreateCommand();
                ddl.CommandText = $"SELECT sql FROM sqlite_master WHERE tbl_name IN ({string.Join(", ", tables.Select(t => $"'{t}'"))}) " +
                                  "AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC";
                await using var reader = await ddl.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    statements.Add(System.Text.RegularExpressions.Regex.Replace(reader.GetString(0),
                        """^CREATE (UNIQUE )?(TABLE|INDEX) "(\w+)"( ON "(\w+)")?""",
                        m => $"CREATE {m.Groups[1].Value}{m.Groups[2].Value} IF NOT EXISTS \"ceiling_{m.Groups[3].Value}\"" +
                             (m.Groups[4].Success ? $" ON \"ceiling_{m.Groups[5].Value}\"" : "")));
                }
            }

            if (withRows)
            {
                statements.AddRange(tables.Select(t => $"INSERT INTO ceiling_{t} SELECT * FROM {t}"));
            }

            foreach (var sql in statements)
            {
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = sql;
                await cmd.ExecuteNonQueryAsync();
            }
        }

        private DbCommand Command(DbConnection connection, string sql, (string Name, object? Value)[] values)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in values)
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                // As EF stores them on SQLite: GUIDs as upper-case text.
                p.Value = value switch
                {
                    null => DBNull.Value,
                    Guid g when !_postgres => Text(g),
                    _ => value,
                };
                command.Parameters.Add(p);
            }

            return command;
        }

        private static string Text(Guid g) => g.ToString().ToUpperInvariant();
    }
}
