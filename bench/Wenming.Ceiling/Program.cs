using System.Collections.Frozen;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Wenming.Ceiling;

// The least a server must do for what the platform's pages ask, on the platform's own database: a bearer token checked by
// a dictionary lookup, an order and its first event written durably in one transaction, and the menu read by one indexed
// SELECT; and for the records bench, a volunteer's kept total read by its primary key. Started by `bench/Wenming.Bench --
// product` (or `-- records`) with the provider, the connection string and a file of the signed-in callers (their tokens and who
// they are).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var config = builder.Configuration;
var callers = JsonSerializer.Deserialize<Caller[]>(File.ReadAllText(config["Ceiling:Tokens"]!), JsonSerializerOptions.Web)!
    .ToFrozenDictionary(c => "Bearer " + c.Token);
await using var store = await Store.OpenAsync(config["Ceiling:Provider"]!, config["Ceiling:Connection"]!);

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
await app.RunAsync();

namespace Wenming.Ceiling
{
    /// <summary>A signed-in resident as the bench read them: their token, account, district, station and the places above it.</summary>
    internal sealed record Caller(string Token, Guid UserId, Guid DistrictId, string Name, string Phone, Guid UnitId, Guid[] Units);

    /// <summary>What /Orders/New sends (the platform's OrderInput, the fields a resident's order uses).</summary>
    internal sealed record OrderBody(string? Title, string? Description, Guid? PlatformId, Guid? MenuItemId, string? Address,
        double? Latitude, double? Longitude, string? CoordinateSystem, DateTimeOffset? WantedAt);

    internal sealed record MenuRow(Guid Id, string Title, Guid PlatformId, string? Description, string? Availability, int Capacity,
        Guid TeamId, string Team, Guid UnitId, string Unit);

    /// <summary>A volunteer's row of <c>volunteer_totals</c>: their confirmed minutes in all.</summary>
    internal sealed record TotalRow(Guid VolunteerId, Guid DistrictId, long Minutes);

    /// <summary>
    /// Raw ADO.NET on the platform's database, into tables of its own (<c>ceiling_orders</c>, <c>ceiling_order_events</c>)
    /// made as copies of the platform's: the same columns and indexes, no foreign keys checked.
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

        public static async Task<Store> OpenAsync(string provider, string connectionString)
        {
            var postgres = provider.StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
            var store = new Store(postgres ? NpgsqlDataSource.Create(connectionString) : SqliteFactory.Instance.CreateDataSource(connectionString), postgres);
            await store.CreateTablesAsync();
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

        /// <summary>Copies of the platform's order and event tables, made once the platform has migrated its database.</summary>
        private async Task CreateTablesAsync()
        {
            await using var connection = await OpenAsync(CancellationToken.None);
            var statements = new List<string>();
            if (_postgres)
            {
                statements.Add("CREATE TABLE IF NOT EXISTS ceiling_orders (LIKE orders INCLUDING ALL)");
                statements.Add("CREATE TABLE IF NOT EXISTS ceiling_order_events (LIKE order_events INCLUDING ALL)");
            }
            else
            {
                await using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode=WAL";
                await wal.ExecuteNonQueryAsync();
                // The platform's own DDL (its foreign keys are written but not enforced: see OpenAsync).
                await using var ddl = connection.CreateCommand();
                ddl.CommandText = "SELECT sql FROM sqlite_master WHERE tbl_name IN ('orders', 'order_events') AND sql IS NOT NULL ORDER BY type DESC";
                await using var reader = await ddl.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    statements.Add(System.Text.RegularExpressions.Regex.Replace(reader.GetString(0),
                        """^CREATE (UNIQUE )?(TABLE|INDEX) "(\w+)"( ON "(\w+)")?""",
                        m => $"CREATE {m.Groups[1].Value}{m.Groups[2].Value} IF NOT EXISTS \"ceiling_{m.Groups[3].Value}\"" +
                             (m.Groups[4].Success ? $" ON \"ceiling_{m.Groups[5].Value}\"" : "")));
                }
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
