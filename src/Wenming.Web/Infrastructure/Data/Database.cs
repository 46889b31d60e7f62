using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Wenming.Web.Infrastructure.Data;

internal static class Database
{
    /// <summary>
    /// SQLite (embedded default) or PostgreSQL (production), chosen by Database:Provider. A relative SQLite file is in the
    /// content root, as the personal-data key and the files are, wherever the platform was started from.
    /// </summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var provider = config["Database:Provider"] ?? "Sqlite";
        var connectionString = config.GetConnectionString("Default") ?? "Data Source=data/wenming.db";
        if (provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase) || provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase))
        {
            var withDefaults = PostgresDefaults(connectionString);
            services.AddPooledDbContextFactory<PostgresAppDbContext>((sp, o) => o.UseNpgsql(withDefaults).AddInterceptors(Interceptors(sp)));
            services.AddScoped<AppDbContext>(Lease<PostgresAppDbContext>);
        }
        else if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var sqlite = new SqliteConnectionStringBuilder(connectionString);
            var file = sqlite.DataSource;
            if (file.Length > 0 && file != ":memory:" && sqlite.Mode != SqliteOpenMode.Memory && !file.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                sqlite.DataSource = Path.GetFullPath(file, contentRoot);
                connectionString = sqlite.ConnectionString;
                Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
            }

            services.AddPooledDbContextFactory<SqliteAppDbContext>((sp, o) => o.UseSqlite(connectionString).AddInterceptors([new SqlitePragmas(), .. Interceptors(sp)]));
            services.AddScoped<AppDbContext>(Lease<SqliteAppDbContext>);
        }
        else
        {
            throw new InvalidOperationException($"Database:Provider '{provider}' is not supported: use Sqlite or PostgreSql.");
        }

        return services;
    }

    /// <summary>
    /// The request's unit of work: an instance from the pool with the request's scope. Pooled because a fresh DbContext
    /// resolves its own services again the first time it tracks or saves, which measured about a sixth of placing an
    /// order; the options are built once per instance of the platform, not on every request. Returned to the pool when
    /// the request's services are disposed.
    /// </summary>
    private static AppDbContext Lease<TContext>(IServiceProvider services) where TContext : AppDbContext
    {
        var db = services.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext();
        db.Scope = services.GetRequiredService<Tenancy.DataScope>();
        return db;
    }

    private static IInterceptor[] Interceptors(IServiceProvider services) =>
        [DeferredWrites, .. new IInterceptor?[] { services.GetService<DistrictCache.Invalidation>(), services.GetService<Events.OutboxStaging>() }.OfType<IInterceptor>()];

    private static readonly Transactions.DeferredWrites DeferredWrites = new();

    /// <summary>
    /// The operator's PostgreSQL connection string with the platform's defaults where it names none:
    /// <list type="bullet">
    /// <item>statements prepared automatically once used twice on a connection (PostgreSQL plans them once per
    /// connection instead of on every call, which was most of its CPU per placed order); <c>Max Auto Prepare=0</c>
    /// turns that off;</item>
    /// <item>a connection back in the pool is not reset (<c>No Reset On Close</c>). Npgsql would otherwise prepend its
    /// reset statements (it cannot use DISCARD ALL, which drops the prepared statements) to the next command on every lease:
    /// two leases per request, and PostgreSQL counted 3.7 transactions per request of the order-intake ceiling with the
    /// reset and 1.8 without. The platform keeps no session state on a connection (no SET, temporary tables, LISTEN or
    /// advisory locks; checked by
    /// <c>DatabaseTests.Pooled_connections_carry_no_session_state_from_one_request_to_the_next</c>); whatever needs one
    /// must run on a connection of its own;</item>
    /// <item>at most <see cref="DefaultPoolSize"/> connections per app instance. PostgreSQL does the most with a few
    /// busy connections per core; past that, a burst opens more connections that contend instead of working, and a
    /// backlog never drains (measured: the order-intake benchmark fell seconds behind at 80 % of its rate with
    /// Npgsql's default of 100, and kept up with 12). Raise <c>Maximum Pool Size</c> for a bigger database server.</item>
    /// </list>
    /// </summary>
    public static string PostgresDefaults(string connectionString)
    {
        // Which settings the operator wrote (Npgsql's own builder reports every keyword it knows as present).
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!named.Contains("maxautoprepare"))
        {
            builder.MaxAutoPrepare = 64;
            if (!named.Contains("autoprepareminusages"))
            {
                builder.AutoPrepareMinUsages = 2;
            }
        }

        if (!named.Contains("noresetonclose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!named.Contains("maxpoolsize") && !named.Contains("maximumpoolsize"))
        {
            builder.MaxPoolSize = DefaultPoolSize;
        }

        return builder.ConnectionString;
    }

    public const int DefaultPoolSize = 20;

    /// <summary>WAL for concurrent readers, synchronous=FULL so a committed change survives power loss.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            cmd.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = Pragmas;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

internal static class OneTrip
{
    /// <summary>
    /// Saves a few new rows in one round trip on PostgreSQL. The statements go as one Npgsql batch with a single Sync, and
    /// PostgreSQL runs the statements up to a Sync as one implicit transaction: all or none, committed durably at the Sync,
    /// without the BEGIN and COMMIT of EF's own transaction (a COMMIT is a round trip of its own). When every change is a
    /// new row (the usual case: a placed order, its first event and the holder's notice), the batch is written from EF's
    /// model by <see cref="NewRows"/> and the changes accepted, which skips SaveChanges' own work per save (sorting the
    /// commands, generating their SQL, and Npgsql parsing it again); inside a transaction, the batch is part of it. Elsewhere
    /// it is SaveChanges as usual. Only for a handful of rows.
    /// </summary>
    public static async Task<int> SaveInOneTripAsync(this AppDbContext db, CancellationToken ct)
    {
        // The context's type, not Database.IsNpgsql(): that reads the provider's assembly name by reflection on every call.
        if (db is not PostgresAppDbContext)
        {
            return await db.SaveChangesAsync(ct);
        }

        if (NewRows.Pending(db) is { } added)
        {
            await NewRows.InsertAsync(db, added, ct);
            db.ChangeTracker.AcceptAllChanges();
            return added.Count;
        }

        if (db.Database.CurrentTransaction is not null || db.Deferred is not null)
        {
            // Inside a transaction (or one SaveChanges begins), the statements are part of it anyway.
            return await db.SaveChangesAsync(ct);
        }

        var before = db.Database.AutoTransactionBehavior;
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        try
        {
            return await db.SaveChangesAsync(ct);
        }
        finally
        {
            db.Database.AutoTransactionBehavior = before;
        }
    }
}
