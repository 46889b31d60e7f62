using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Wenming.Tests.Infrastructure;

namespace Wenming.Bench;

/// <summary>
/// How a bench of the published platform starts: <c>--provider</c> and <c>--scale</c> read, a throwaway folder, both apps
/// published in Release, the database (a durable PostgreSQL cluster of its own, or a SQLite file in the folder), the
/// platform started on it, seeded and ready, and a data source for the bench's own reads. Disposed: all of it stopped and
/// the folder removed.
/// </summary>
internal sealed class PublishedRun : IAsyncDisposable
{
    private readonly string _ceiling;

    private PublishedRun(bool postgres, bool full, string work, string ceiling, PostgresCluster? cluster, string connectionString, PublishedApp platform,
        HttpClient http, Stopwatch total)
    {
        (Postgres, Full, Work, _ceiling, Cluster, ConnectionString, Platform, Http, Total) =
            (postgres, full, work, ceiling, cluster, connectionString, platform, http, total);
        Source = postgres ? NpgsqlDataSource.Create(connectionString) : SqliteFactory.Instance.CreateDataSource(connectionString);
    }

    public bool Postgres { get; }
    public bool Full { get; }

    /// <summary>The throwaway folder: the SQLite file, the apps' logs, the files a bench hands the ceiling.</summary>
    public string Work { get; }

    public PostgresCluster? Cluster { get; }
    public string ConnectionString { get; }
    public PublishedApp Platform { get; }

    /// <summary>The load generator's client (<see cref="ProductBench.LoopbackClient"/>).</summary>
    public HttpClient Http { get; }

    public DbDataSource Source { get; }

    /// <summary>Since the bench started.</summary>
    public Stopwatch Total { get; }

    /// <summary>The database and the volume, as the benches print them.</summary>
    public string What => $"{(Postgres ? "PostgreSQL" : "SQLite")}, {(Full ? "--demo-scale full" : "default demo volume")}";

    /// <summary>
    /// <paramref name="serverSettings"/>: more PostgreSQL settings (<see cref="ProductBench.DatabaseAsync"/>);
    /// <paramref name="platformSettings"/>: more of the platform's settings (<c>--Key=value</c>).
    /// </summary>
    public static async Task<PublishedRun> StartAsync(string[] args, string bench, TimeSpan ready, string serverSettings = "", params string[] platformSettings)
    {
        var postgres = ProductBench.Option(args, "provider", "postgres").StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
        var full = ProductBench.Option(args, "scale", "default") == "full";
        var total = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), $"wenming-bench-{bench}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        PostgresCluster? cluster = null;
        PublishedApp? platform = null;
        HttpClient? http = null;
        try
        {
            var (web, ceiling) = await ProductBench.PublishAsync();
            Console.WriteLine($"Published the platform and the ceiling in {total.Elapsed.TotalSeconds:F0} s");
            (cluster, var connectionString) = await ProductBench.DatabaseAsync(postgres, work, $"bench-{bench}", serverSettings);
            var seeding = Stopwatch.StartNew();
            platform = ProductBench.StartPlatform(web, work, postgres, connectionString, full, platformSettings);
            http = ProductBench.LoopbackClient();
            await platform.WaitReadyAsync(http, "/health/ready", ready);
            var run = new PublishedRun(postgres, full, work, ceiling, cluster, connectionString, platform, http, total);
            Console.WriteLine($"Platform ({run.What}) migrated, seeded and ready in {seeding.Elapsed.TotalSeconds:F0} s");
            return run;
        }
        catch
        {
            http?.Dispose();
            platform?.Dispose();
            cluster?.Dispose();
            Remove(work);
            throw;
        }
    }

    /// <summary>
    /// The published ceiling app on the same database (<see cref="ProductBench.StartCeiling"/>), ready, knowing the signed-in
    /// <paramref name="callers"/> (what the ceiling's <c>Caller</c> reads: their token, who they are, where).
    /// </summary>
    public async Task<PublishedApp> StartCeilingAsync(IEnumerable<object> callers, params string[] settings)
    {
        var tokens = Path.Combine(Work, "tokens.json");
        await File.WriteAllTextAsync(tokens, System.Text.Json.JsonSerializer.Serialize(callers, System.Text.Json.JsonSerializerOptions.Web));
        var ceiling = ProductBench.StartCeiling(_ceiling, Work, Postgres, ConnectionString, tokens, settings);
        try
        {
            await ceiling.WaitReadyAsync(Http, "/health", TimeSpan.FromMinutes(1));
            return ceiling;
        }
        catch
        {
            ceiling.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Source.DisposeAsync();
        Http.Dispose();
        Platform.Dispose();
        Cluster?.Dispose();
        Remove(Work);
    }

    private static void Remove(string work)
    {
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
