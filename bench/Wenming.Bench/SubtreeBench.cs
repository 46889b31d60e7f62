using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Bench;

/// <summary>
/// Subtree: the subtree lookup for a district root at national scale (2,900 districts, 41,000 institutes, 700,000
/// stations) on PostgreSQL, with the application's own query, against a primary-key lookup in the same run.
/// </summary>
internal static class SubtreeBench
{
    private const int Districts = 2_900;
    private const int Institutes = 41_000;
    private const int Stations = 700_000;

    public static async Task RunAsync(string[] args)
    {
        var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 2_000;
        Console.WriteLine($"Starting a throwaway PostgreSQL cluster…");
        using var cluster = PostgresCluster.Start("bench");
        var cs = cluster.ConnectionString("wenming_bench");
        await using (var db = Context(cs))
        {
            await db.Database.MigrateAsync();
        }

        var sw = Stopwatch.StartNew();
        var (districtRoots, instituteRoots, allIds) = await GenerateAsync(cs);
        Console.WriteLine($"Generated {Districts:N0} districts, {Institutes:N0} institutes, {Stations:N0} stations ({allIds.Count:N0} units) in {sw.Elapsed.TotalSeconds:F1} s");

        var random = new Random(42);
        await using var ctx = Context(cs);
        // Warm both paths (connection, plan cache, buffer cache).
        for (var i = 0; i < 200; i++)
        {
            await PkAsync(ctx, allIds[random.Next(allIds.Count)]);
            await SubtreeAsync(ctx, districtRoots[random.Next(districtRoots.Count)].Path);
        }

        var pk = await MeasureAsync(iterations, () => PkAsync(ctx, allIds[random.Next(allIds.Count)]));
        var district = await MeasureAsync(iterations, () => SubtreeAsync(ctx, districtRoots[random.Next(districtRoots.Count)].Path));
        var institute = await MeasureAsync(iterations, () => SubtreeAsync(ctx, instituteRoots[random.Next(instituteRoots.Count)]));
        var rows = await SubtreeAsync(ctx, districtRoots[0].Path);

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var explain = new NpgsqlCommand("EXPLAIN SELECT \"Id\" FROM units WHERE \"Path\" LIKE @p || '%'", conn);
            explain.Parameters.AddWithValue("p", districtRoots[0].Path);
            await using var reader = await explain.ExecuteReaderAsync();
            Console.WriteLine("Plan of the prefix scan:");
            while (await reader.ReadAsync())
            {
                Console.WriteLine("  " + reader.GetString(0));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"units in one district subtree: {rows}");
        Print("primary-key lookup (ceiling)", pk, pk);
        Print("district subtree (app query)", district, pk);
        Print("institute subtree (app query)", institute, pk);
    }

    private static void Print(string label, (double P50, double P99, double Mean) r, (double P50, double P99, double Mean) ceiling) =>
        Console.WriteLine($"{label,-32} p50 {r.P50,7:F3} ms  p99 {r.P99,7:F3} ms  mean {r.Mean,7:F3} ms  ratio to PK (mean) {r.Mean / ceiling.Mean,6:F1}x");

    private static async Task<(double, double, double)> MeasureAsync(int iterations, Func<Task<int>> action)
    {
        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return (times[iterations / 2], times[(int)(iterations * 0.99)], times.Average());
    }

    private static async Task<int> PkAsync(AppDbContext db, Guid id) =>
        (await db.Units.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Id, u.Name, u.Path }).FirstAsync()).Name.Length;

    /// <summary>The same shape as UnitQueries.TreeAsync: one prefix scan of the materialised path.</summary>
    private static async Task<int> SubtreeAsync(AppDbContext db, string prefix) =>
        (await db.Units.AsNoTracking().Where(u => u.Path.StartsWith(prefix) && u.ClosedAt == null)
            .Select(u => new { u.Id, u.ParentId, u.Kind, u.Name, u.Code }).ToListAsync()).Count;

    private static PostgresAppDbContext Context(string cs)
    {
        var scope = new DataScope();
        scope.EnterSystem();
        return new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(cs).Options) { Scope = scope };
    }

    private static async Task<(List<(Guid Id, string Path)> Districts, List<string> Institutes, List<Guid> All)> GenerateAsync(string cs)
    {
        var now = DateTimeOffset.UtcNow;
        var districtRoots = new List<(Guid, string)>(Districts);
        var instituteRoots = new List<string>(Institutes);
        var all = new List<Guid>(Districts * 2 + Institutes + Stations);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var districtIds = new List<Guid>(Districts);
        await using (var writer = await conn.BeginBinaryImportAsync(
                         "COPY districts (\"Id\", \"Code\", \"Name\", \"EnglishName\", \"TimeZone\", \"WorkflowPreset\", \"CreatedAt\") FROM STDIN (FORMAT BINARY)"))
        {
            for (var d = 0; d < Districts; d++)
            {
                var id = Ids.New();
                districtIds.Add(id);
                await writer.WriteRowAsync(default, id, (100000 + d).ToString(System.Globalization.CultureInfo.InvariantCulture), $"区县{d}", $"District {d}", "Asia/Shanghai", "default", now);
            }

            await writer.CompleteAsync();
        }

        await using (var writer = await conn.BeginBinaryImportAsync(
                         "COPY units (\"Id\", \"DistrictId\", \"ParentId\", \"Kind\", \"Name\", \"Code\", \"Path\", \"Depth\", \"PlatformIds\", \"CreatedAt\", \"UpdatedAt\", \"Version\") FROM STDIN (FORMAT BINARY)"))
        {
            async Task Row(Guid id, Guid district, Guid? parent, UnitKind kind, string name, string code, string path, int depth)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(district, NpgsqlDbType.Uuid);
                if (parent is { } p)
                {
                    await writer.WriteAsync(p, NpgsqlDbType.Uuid);
                }
                else
                {
                    await writer.WriteNullAsync();
                }

                await writer.WriteAsync((int)kind, NpgsqlDbType.Integer);
                await writer.WriteAsync(name, NpgsqlDbType.Varchar);
                await writer.WriteAsync(code, NpgsqlDbType.Varchar);
                await writer.WriteAsync(path, NpgsqlDbType.Varchar);
                await writer.WriteAsync(depth, NpgsqlDbType.Integer);
                await writer.WriteAsync(Array.Empty<Guid>(), NpgsqlDbType.Array | NpgsqlDbType.Uuid);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(1, NpgsqlDbType.Integer);
                all.Add(id);
            }

            var institutesLeft = Institutes;
            var stationsLeft = Stations;
            for (var d = 0; d < Districts; d++)
            {
                var districtsLeft = Districts - d;
                var centerId = Ids.New();
                var centerPath = "/" + Unit.Segment(centerId);
                await Row(centerId, districtIds[d], null, UnitKind.Center, $"中心{d}", $"{d}", centerPath, 0);
                districtRoots.Add((centerId, centerPath));
                var institutes = institutesLeft / districtsLeft;
                var stationsHere = stationsLeft / districtsLeft;
                institutesLeft -= institutes;
                stationsLeft -= stationsHere;
                for (var i = 0; i < institutes; i++)
                {
                    var instId = Ids.New();
                    var instPath = centerPath + Unit.Segment(instId);
                    await Row(instId, districtIds[d], centerId, UnitKind.Institute, $"所{d}-{i}", $"{d}-{i}", instPath, 1);
                    instituteRoots.Add(instPath);
                    var stations = stationsHere / institutes + (i < stationsHere % institutes ? 1 : 0);
                    for (var s = 0; s < stations; s++)
                    {
                        var stId = Ids.New();
                        await Row(stId, districtIds[d], instId, UnitKind.Station, $"站{d}-{i}-{s}", $"{d}-{i}-{s}", instPath + Unit.Segment(stId), 2);
                    }
                }
            }

            await writer.CompleteAsync();
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE units; ANALYZE districts;", conn))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        return (districtRoots, instituteRoots, all);
    }
}
