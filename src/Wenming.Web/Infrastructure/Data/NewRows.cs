using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// New rows written as one Npgsql batch straight from EF's model: per entity type, once, an INSERT of every mapped column
/// in positional parameters; per row, its current values through the type mappings (and value converters) SaveChanges
/// uses. Only plain tables qualify: no owned or complex types, inheritance, table splitting, JSON columns, values the
/// database generates (EF would read them back) or foreign keys to their own table; and no type the district cache
/// watches (its invalidation runs inside SaveChanges). Anything else goes through SaveChanges.
/// </summary>
internal static class NewRows
{
    private sealed record Statement(string Sql, IProperty[] Columns, RelationalTypeMapping[] Mappings, bool HasShadow);

    private static readonly ConcurrentDictionary<IEntityType, Statement?> Statements = new();

    /// <summary>
    /// The tracked changes, principals before their dependents, if every one is a new row of a table that qualifies;
    /// otherwise null (and the caller saves as usual).
    /// </summary>
    public static List<EntityEntry>? Pending(AppDbContext db)
    {
        // Entries() detects changes first: a tracked row changed in place is a Modified entry here, and refuses the batch.
        var added = new List<EntityEntry>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Unchanged)
            {
                continue;
            }

            // An entity with events to stage goes through SaveChanges, whose interceptor writes them in the same transaction.
            if (entry.State != EntityState.Added || For(db, entry.Metadata) is null || Watched(db, entry.Metadata) || entry.Entity is Events.IRaisesEvents { HasEvents: true })
            {
                return null;
            }

            added.Add(entry);
        }

        return added.Count == 0 ? null : InDependencyOrder(added, e => e.Metadata);
    }

    /// <summary>Writes <paramref name="added"/> in one batch: one implicit transaction, all rows or none. Failures come as EF's DbUpdateException.</summary>
    public static async Task InsertAsync(AppDbContext db, List<EntityEntry> added, CancellationToken ct) =>
        await WriteAsync(db, added.Count, factory => added.Select(entry =>
        {
            var values = entry.CurrentValues;
            return Command(Statements[entry.Metadata]!, factory, column => values[column]);
        }), added, ct);

    /// <summary>
    /// Writes <paramref name="rows"/> (new entities) in one batch without the change tracker, which spares adding them to
    /// it (a snapshot of every property and the fix-up of every navigation) and detecting and accepting their changes:
    /// false, and nothing written, unless every row's type qualifies, has no shadow property and its key is set, and
    /// <paramref name="db"/> has no changes of its own waiting (which the caller's SaveChanges would write with the rows).
    /// The rows stay untracked: their navigations are as the caller set them. Inside a transaction, the batch is part of it.
    /// </summary>
    public static async Task<bool> TryInsertUntrackedAsync(AppDbContext db, IReadOnlyList<object> rows, CancellationToken ct)
    {
        if (db is not PostgresAppDbContext || rows.Count == 0)
        {
            return false;
        }

        var typed = new List<(object Row, IEntityType Type)>(rows.Count);
        foreach (var row in rows)
        {
            if (row is Events.IRaisesEvents { HasEvents: true } || db.Model.FindEntityType(row.GetType()) is not { } type
                || For(db, type) is not { HasShadow: false } || Watched(db, type)
                || type.FindPrimaryKey()!.Properties.Any(k => Equals(k.GetGetter().GetClrValue(row), k.Sentinel)))
            {
                return false;
            }

            typed.Add((row, type));
        }

        if (InDependencyOrder(typed, r => r.Type) is not { } ordered || db.ChangeTracker.HasChanges())
        {
            return false;
        }

        await WriteAsync(db, ordered.Count,
            factory => ordered.Select(r => Command(Statements[r.Type]!, factory, column => column.GetGetter().GetClrValue(r.Row))), [], ct);
        return true;
    }

    private static NpgsqlBatchCommand Command(Statement statement, NpgsqlCommand factory, Func<IProperty, object?> value)
    {
        var command = new NpgsqlBatchCommand(statement.Sql);
        for (var i = 0; i < statement.Columns.Length; i++)
        {
            var column = statement.Columns[i];
            command.Parameters.Add(statement.Mappings[i].CreateParameter(factory, "", value(column), column.IsNullable));
        }

        return command;
    }

    /// <summary>
    /// Runs the commands as one batch; <paramref name="entries"/> (if tracked) go with the DbUpdateException of a failure.
    /// A request's deferred transaction (docs/adr/0008) begins with it when it is the request's first write, and is rolled
    /// back whole if it fails. Inside a transaction that holds writes already, the batch opens and releases a savepoint of
    /// its own, in the same round trip: a failure undoes the batch alone and leaves the transaction fit for a retry.
    /// </summary>
    private static async Task WriteAsync(AppDbContext db, int count, Func<NpgsqlCommand, IEnumerable<NpgsqlBatchCommand>> commands,
        IReadOnlyList<EntityEntry> entries, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var began = await db.BeginDeferredAsync(ct);
        var savepoint = !began && db.Database.CurrentTransaction is not null;
        var written = 0;
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = connection.CreateBatch();
            if (db.Database.GetCommandTimeout() is { } timeout)
            {
                batch.Timeout = timeout;
            }

            if (savepoint)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SAVEPOINT " + Savepoint));
            }

            // Only a factory of parameters for the type mappings (which take a command); never executed.
            await using var factory = new NpgsqlCommand();
            var rows = new List<NpgsqlBatchCommand>(count);
            foreach (var command in commands(factory))
            {
                batch.BatchCommands.Add(command);
                rows.Add(command);
            }

            if (savepoint)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT " + Savepoint));
            }

            await batch.ExecuteNonQueryAsync(ct);
            written = rows.Sum(r => r.RecordsAffected);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (began)
            {
                await db.RollbackAfterFailureAsync();
            }
            else if (savepoint)
            {
                await RollbackToSavepointAsync(db);
            }

            // As SaveChanges does with whatever fails while it runs its commands. The whole batch failed as one: its rows,
            // not only the one whose statement PostgreSQL refused.
            throw new DbUpdateException("An error occurred while saving the new rows. See the inner exception for details.", e, entries);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        if (written != count)
        {
            // A row a trigger or rule swallowed: SaveChanges would not accept it as saved either.
            if (began)
            {
                await db.RollbackAfterFailureAsync();
            }

            throw new DbUpdateException($"Expected {count} new rows to be written, but {written} were.", (Exception?)null, entries);
        }
    }

    private const string Savepoint = "new_rows";

    private static async Task RollbackToSavepointAsync(AppDbContext db)
    {
        try
        {
            await db.Database.CurrentTransaction!.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection broke, or the savepoint was never made: the transaction is lost either way, and the batch's
            // own failure is the one to report.
        }
    }

    /// <summary>
    /// Rows of a type after the rows of the types in the batch it has a foreign key to (a row's foreign keys are checked
    /// when its INSERT ends); rows of one type in the order they were added. Null for a cycle: SaveChanges sorts those.
    /// </summary>
    private static List<T>? InDependencyOrder<T>(List<T> added, Func<T, IEntityType> typeOf)
    {
        var types = added.Select(typeOf).Distinct().ToList();
        if (types.Count == 1)
        {
            return added;
        }

        var ordered = new List<IEntityType>();
        while (types.Count > 0)
        {
            var next = types.FirstOrDefault(t => !t.GetForeignKeys().Any(f => types.Contains(f.PrincipalEntityType)));
            if (next is null)
            {
                return null;
            }

            ordered.Add(next);
            types.Remove(next);
        }

        return [.. added.OrderBy(e => ordered.IndexOf(typeOf(e)))];
    }

    /// <summary>
    /// Whether the district cache watches the type: its invalidation runs inside SaveChanges. This context's own
    /// interceptors, not those of whichever context first met the type.
    /// </summary>
    private static bool Watched(AppDbContext db, IEntityType type) =>
        (db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors ?? [])
        .OfType<DistrictCache.Invalidation>().Any(i => i.Watches(type.ClrType));

    private static Statement? For(AppDbContext db, IEntityType type) =>
        Statements.TryGetValue(type, out var statement) ? statement : Statements.GetOrAdd(type, t => Build(db, t));

    /// <summary>The INSERT of a type, or null if the type does not qualify (what it is, not which context writes it).</summary>
    private static Statement? Build(AppDbContext db, IEntityType type)
    {
        var table = type.GetTableName();
        if (table is null || type.BaseType is not null || type.GetDirectlyDerivedTypes().Any() || type.IsOwned() || type.IsMappedToJson()
            || type.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) || type.GetComplexProperties().Any()
            || type.Model.GetEntityTypes().Count(t => t.GetTableName() == table && t.GetSchema() == type.GetSchema()) > 1
            || type.GetForeignKeys().Any(f => f.PrincipalEntityType == type))
        {
            return null;
        }

        var columns = type.GetProperties().ToArray();
        if (columns.Any(p => p.GetComputedColumnSql() is not null || p.GetDefaultValueSql() is not null || p.TryGetDefaultValue(out _)
                             || (p.ValueGenerated != ValueGenerated.Never && !(p.IsPrimaryKey() && p.ClrType == typeof(Guid)))))
        {
            return null;
        }

        var sql = db.GetService<ISqlGenerationHelper>();
        var text = new StringBuilder("INSERT INTO ").Append(sql.DelimitIdentifier(table, type.GetSchema())).Append(" (")
            .AppendJoin(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName())))
            .Append(") VALUES (").AppendJoin(", ", columns.Select((_, i) => $"${i + 1}")).Append(')');
        return new Statement(text.ToString(), columns, [.. columns.Select(c => (RelationalTypeMapping)c.GetTypeMapping())], columns.Any(c => c.IsShadowProperty()));
    }
}
