using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace Wenming.Bench;

/// <summary>
/// The records bench: a volunteer's hours and star, and a whole district's ranking, on the published platform
/// against the ceiling app's primary-key read of one <c>volunteer_totals</c> row, on the same database, in alternating rounds
/// over loopback. Haidian (district 2) is measured as the demo seeds it, then with one record a volunteer, then with
/// <c>--per</c> (10) a volunteer: 1,000,000 records over 100,000 volunteers at <c>--demo-scale full</c>.
/// <para>
/// Bench setup, not the platform's work: the demo makes its few hundred volunteers' records through the use cases (about
/// 100 a second), far too slow for a million, so the bench adds the rest itself, straight into <c>service_records</c>
/// (PostgreSQL COPY, SQLite prepared inserts in large transactions), and then sets <c>volunteer_totals</c> to exactly the sums
/// of the records with one upsert, as the platform keeps them in the save that adds records.
/// </para>
/// </summary>
internal static class RecordsBench
{
    private const double PageRatioTarget = 5;
    private const double RankingGrowthTarget = 2;

    private static readonly string[] Titles = ["社区环境整治志愿服务", "关爱独居老人上门探访", "文明交通劝导", "垃圾分类宣传进小区", "义务理发进社区", "防范电信诈骗宣讲"];

    private static readonly string[] Columns =
    [
        "Id", "DistrictId", "VolunteerId", "Source", "SourceId", "SignupId", "Title", "PlatformId", "OrganizerUnitId", "PlaceUnitId", "TeamId", "Address",
        "StartedAt", "EndedAt", "Minutes", "ConfirmedById", "ConfirmedByName", "ConfirmedAt", "Backfilled", "CorrectsId", "Reason",
    ];

    private static readonly ValueConverter Ticks = new DateTimeOffsetToBinaryConverter();

    public static async Task RunAsync(string[] args)
    {
        var seconds = ProductBench.Number(args, "seconds", 3);
        var rounds = ProductBench.Number(args, "rounds", 3);
        var clients = ProductBench.Number(args, "clients", 8);
        var per = ProductBench.Number(args, "per", 10);
        // auto_explain logs nothing until ExplainAsync turns it on (its default: off).
        await using var run = await PublishedRun.StartAsync(args, "records", TimeSpan.FromMinutes(20), ",auto_explain");
        var (postgres, full, what, platform, http, source) = (run.Postgres, run.Full, run.What, run.Platform, run.Http, run.Source);

        var volunteer = await SignInAsync(http, platform.Address, BenchHost.Phone(2, "11"));
        var admin = await SignInAsync(http, platform.Address, BenchHost.Phone(2, "00"));
        var volunteerId = volunteer.VolunteerId ?? throw new InvalidOperationException($"{volunteer.Phone} is not a volunteer");
        using var ceiling = await run.StartCeilingAsync(new[] { volunteer, admin }.Select(c => new
        {
            c.Token,
            c.UserId,
            c.DistrictId,
            c.Name,
            c.Phone,
            UnitId = Guid.Empty,
            Units = Array.Empty<Guid>(),
        }));
        var counters = await ProductBench.Counters.StartAsync(run.Cluster?.Port, source);
        var district = volunteer.DistrictId;
        var pkRead = new Kind("ceiling: volunteer_totals row by primary key", ceiling, n => Get(ceiling.Address, $"/totals/{volunteerId}", volunteer.Token));
        Kind[] kinds =
        [
            new("the platform's floor: GET /api/v1/me (a signed-in request)", platform, n => Get(platform.Address, "/api/v1/me", volunteer.Token)),
            new("volunteer's page GET /Records (hours, star, 30 records)", platform, n => Get(platform.Address, "/Records", volunteer.Token), Page: true),
            new("GET /api/v1/volunteers/{id}/hours", platform, n => Get(platform.Address, $"/api/v1/volunteers/{volunteerId}/hours", volunteer.Token), Page: true),
            new("ranking GET /api/v1/records/ranking?take=20 (center admin)", platform, n => Get(platform.Address, "/api/v1/records/ranking?take=20", admin.Token),
                Ranking: true),
            new("center admin's page GET /Records (ranking of 20)", platform, n => Get(platform.Address, "/Records", admin.Token)),
        ];
        Console.WriteLine($"Measured as the volunteer {volunteer.Phone} ({volunteer.Name}) and the center admin {admin.Phone}; each round every request " +
                          $"{seconds} s in closed loop ({clients} clients) and the ceiling's primary-key read, in alternating order; {rounds} rounds a stage");

        await AnalyzeAsync(source, postgres);
        var stages = new List<Stage>();
        foreach (var (name, perVolunteer) in new (string, int)[] { ("as the demo seeded", 0), ("one record a volunteer", 1), ($"{per} records a volunteer", per) })
        {
            if (perVolunteer > 0)
            {
                var fill = Stopwatch.StartNew();
                var added = await FillAsync(source, postgres, district, perVolunteer);
                Console.WriteLine($"Bench setup: {added:N0} records added straight into service_records and volunteer_totals set to their sums " +
                                  $"in {fill.Elapsed.TotalSeconds:F0} s");
            }

            var (records, ranked, volunteers) = await CountAsync(source, postgres, district);
            var stage = new Stage($"{name}: {records:N0} records, {ranked:N0} of {volunteers:N0} volunteers with hours", records);
            await CheckAsync(http, [pkRead, .. kinds], volunteerId);
            foreach (var kind in kinds.Prepend(pkRead))
            {
                ProductBench.Expect(await LoadGenerator.ClosedLoopAsync(http, kind.Request, clients, TimeSpan.FromSeconds(1)), $"warm-up {kind.Name}");
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var kind in round % 2 == 0 ? kinds.Prepend(pkRead) : kinds.Append(pkRead).Reverse())
                {
                    LoadResult? result = null;
                    var sample = await ProductBench.Sample.TakeAsync(kind.App, counters, async () => result =
                        ProductBench.Expect(await LoadGenerator.ClosedLoopAsync(http, kind.Request, clients, TimeSpan.FromSeconds(seconds)), kind.Name));
                    stage.Add(kind, sample, result!);
                }
            }

            stages.Add(stage);
            Console.WriteLine(stage.Table(pkRead, kinds));
        }

        Console.WriteLine();
        Console.WriteLine($"== records, {what}: the platform against the ceiling's primary-key read, throughput in closed loop ({clients} clients)");
        Console.WriteLine("   ratio = ceiling's req/s ÷ platform's req/s: how many times the primary-key read's time a request takes");
        foreach (var stage in stages)
        {
            Console.WriteLine(stage.Table(pkRead, kinds));
        }

        var last = stages[^1];
        foreach (var kind in kinds.Where(k => k.Page))
        {
            var ratio = last.Ratio(pkRead, kind);
            Console.WriteLine($"{kind.Name}: {ratio:F1}× the primary-key read at {last.Records:N0} records; target ≤ {PageRatioTarget}× " +
                              $"{(full ? "" : "(at --demo-scale full) ")}{ProductBench.Verdict(ratio <= PageRatioTarget)}");
        }

        foreach (var kind in kinds.Where(k => k.Ranking))
        {
            var (before, after) = (stages[^2], last);
            var growth = after.Ratio(pkRead, kind) / before.Ratio(pkRead, kind);
            var records = after.Records / (double)before.Records;
            Console.WriteLine($"{kind.Name}: from {before.Records:N0} to {after.Records:N0} records (×{records:F1}, the same volunteers ranked) its time " +
                              $"relative to the primary-key read grows ×{growth:F2}; target < ×{RankingGrowthTarget} {ProductBench.Verdict(growth < RankingGrowthTarget)}");
        }

        if (postgres)
        {
            var texts = await counters.TextsAsync(200);
            Console.WriteLine($"Where the time goes at {last.Records:N0} records (PostgreSQL statements per request: calls × execution ms):");
            foreach (var kind in kinds.Where(k => k.Page || k.Ranking))
            {
                Console.WriteLine($"  {kind.Name}");
                var sample = last.Combined(kind);
                foreach (var (id, statement) in sample.Statements.Where(x => x.Value.Calls >= sample.Requests / 100).OrderByDescending(x => x.Value.Ms).Take(5))
                {
                    Console.WriteLine($"    {statement.Calls / (double)sample.Requests,4:F2} × {statement.Ms / sample.Requests,6:F3} ms  {texts.GetValueOrDefault(id, "?")}");
                }
            }
        }

        if (postgres)
        {
            Console.WriteLine("The plans PostgreSQL ran for the platform's statements of 1 ms or more, 200 requests of each kind (auto_explain, ANALYZE):");
            Console.WriteLine(await ExplainAsync(http, source, kinds.Where(k => k.Page || k.Ranking)));
        }

        Console.WriteLine($"Whole bench {run.Total.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>One kind of request: on which app, how it is made; whether it is the volunteer's page or the ranking.</summary>
    private sealed record Kind(string Name, PublishedApp App, Func<long, HttpRequestMessage> Request, bool Page = false, bool Ranking = false);

    /// <summary>What each kind of request did at one volume of records, round after round.</summary>
    private sealed class Stage(string name, long records)
    {
        private readonly Dictionary<Kind, List<ProductBench.Sample>> _samples = [];
        private readonly Dictionary<Kind, List<LoadResult>> _results = [];

        public long Records => records;

        public void Add(Kind kind, ProductBench.Sample sample, LoadResult result)
        {
            _samples.TryAdd(kind, []);
            _samples[kind].Add(sample);
            _results.TryAdd(kind, []);
            _results[kind].Add(result);
        }

        public ProductBench.Sample Combined(Kind kind) => _samples[kind].Aggregate((a, b) => a + b);

        /// <summary>Ceiling's throughput over the platform's, taken round by round (the median of the rounds' ratios).</summary>
        public double Ratio(Kind ceiling, Kind kind) => ProductBench.Median(_samples[ceiling].Zip(_samples[kind], (c, p) => c.Rate / p.Rate));

        public string Table(Kind ceiling, Kind[] kinds)
        {
            var lines = new List<string> { $"-- {name}", $"   {"request",-66} {"req/s",8} {"p50 ms",8} {"p99 ms",8} {"ratio",7}" };
            foreach (var kind in kinds.Prepend(ceiling))
            {
                var samples = _samples[kind];
                var rate = samples.Sum(s => s.Requests) / samples.Sum(s => s.Seconds);
                lines.Add($"   {kind.Name,-66} {rate,8:F0} {Latency(kind, 0.5),8:F2} {Latency(kind, 0.99),8:F2} " +
                          (kind == ceiling ? "" : $"{Ratio(ceiling, kind),6:F1}×"));
            }

            return string.Join(Environment.NewLine, lines);
        }

        private double Latency(Kind kind, double p) => LoadResult.Combine(_results[kind]).Percentile(p);
    }

    internal sealed record Caller(string Token, Guid UserId, Guid DistrictId, string Name, string Phone, Guid? VolunteerId);

    /// <summary>An account signed in through the API with its password (Demo#2026): its token, who it is, its volunteer id if any.</summary>
    internal static async Task<Caller> SignInAsync(HttpClient http, Uri platform, string phone)
    {
        using var login = await http.PostAsJsonAsync(new Uri(platform, "/api/v1/auth/login"), new { phone, password = "Demo#2026" });
        login.EnsureSuccessStatusCode();
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("accessToken").GetString()!;
        var user = body.GetProperty("user");
        using var me = await http.SendAsync(Get(platform, "/api/v1/me", token));
        me.EnsureSuccessStatusCode();
        var volunteerId = (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("volunteerId");
        return new Caller(token, user.GetProperty("id").GetGuid(), user.GetProperty("district").GetProperty("id").GetGuid(), user.GetProperty("displayName").GetString()!,
            phone, volunteerId.ValueKind == JsonValueKind.Null ? null : volunteerId.GetGuid());
    }

    private static HttpRequestMessage Get(Uri app, string path, string token) => ProductBench.Get(new Uri(app, path), token);

    /// <summary>Every request answers 200 (the ceiling refuses one without a token), and both sides agree on the volunteer's hours.</summary>
    private static async Task CheckAsync(HttpClient http, Kind[] kinds, Guid volunteerId)
    {
        using (var anonymous = kinds[0].Request(0))
        {
            anonymous.Headers.Authorization = null;
            using var refused = await http.SendAsync(anonymous);
            if ((int)refused.StatusCode != 401)
            {
                throw new InvalidOperationException($"the ceiling answered a read without a token with {(int)refused.StatusCode}");
            }
        }

        var answers = new Dictionary<string, string>();
        foreach (var kind in kinds)
        {
            using var request = kind.Request(0);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{kind.Name} answered {(int)response.StatusCode}: {body[..Math.Min(400, body.Length)]}{Environment.NewLine}{kind.App.Tail()}");
            }

            answers[kind.Name] = body;
        }

        var minutes = JsonDocument.Parse(answers[kinds[0].Name]).RootElement.GetProperty("minutes").GetInt64();
        var hours = JsonDocument.Parse(answers.First(a => a.Key.Contains("/hours", StringComparison.Ordinal)).Value).RootElement;
        Console.WriteLine($"  volunteer {volunteerId}: {hours.GetProperty("hours").GetDecimal()} h, star {hours.GetProperty("star").GetInt32()} on the platform; " +
                          $"{minutes} min in volunteer_totals");
    }

    /// <summary>
    /// One request of each kind with auto_explain logging every statement of 1 ms or more with its actual plan (ANALYZE), for
    /// a moment; the plans read back from the server's log: what the platform's own statements, with their parameters, cost.
    /// </summary>
    private static async Task<string> ExplainAsync(HttpClient http, DbDataSource source, IEnumerable<Kind> kinds)
    {
        async Task<string> ScalarAsync(string sql)
        {
            await using var cmd = source.CreateCommand(sql);
            return Convert.ToString(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
        }

        var log = Path.Combine(Path.GetDirectoryName(await ScalarAsync("SHOW data_directory"))!, "log");
        var start = long.Parse(await ScalarAsync($"SELECT size FROM pg_stat_file('{log}')"), CultureInfo.InvariantCulture);
        foreach (var (setting, value) in new[] { ("log_analyze", "on"), ("log_min_duration", "0") })
        {
            await ScalarAsync($"ALTER SYSTEM SET auto_explain.{setting} = {value}");
        }

        await ScalarAsync("SELECT pg_reload_conf()");
        await Task.Delay(500);
        foreach (var kind in kinds)
        {
            // Enough on each pooled connection for PostgreSQL to have weighed a generic plan of the prepared statements.
            ProductBench.Expect(await LoadGenerator.ClosedLoopAsync(http, kind.Request, 4, TimeSpan.FromSeconds(3), 200), $"explain {kind.Name}");
        }

        await ScalarAsync("ALTER SYSTEM RESET auto_explain.log_min_duration");
        await ScalarAsync("ALTER SYSTEM RESET auto_explain.log_analyze");
        await ScalarAsync("SELECT pg_reload_conf()");
        await Task.Delay(500);
        var size = long.Parse(await ScalarAsync($"SELECT size FROM pg_stat_file('{log}')"), CultureInfo.InvariantCulture);
        var text = await ScalarAsync($"SELECT pg_read_file('{log}', {start}, {size - start})");
        // One entry a statement: "LOG:  duration: N ms  plan:", its text, its plan. By statement: how often, the fastest and
        // slowest times, and the slowest plan (and the fastest, when it took another plan), for those of 1 ms or more.
        var entries = System.Text.RegularExpressions.Regex.Split(text, @"\n(?=\S.*LOG:)")
            .Select(e => System.Text.RegularExpressions.Regex.Match(e, @"duration: ([\d.]+) ms\s+plan:\s*\n\s*Query Text: (.*?)\n(.*)",
                System.Text.RegularExpressions.RegexOptions.Singleline))
            .Where(m => m.Success)
            .Select(m => (Ms: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Sql: m.Groups[2].Value, Plan: m.Groups[3].Value[Math.Max(0, m.Groups[3].Value.IndexOf("(cost=", StringComparison.Ordinal) is var c and >= 0
                ? m.Groups[3].Value.LastIndexOf('\n', c) + 1
                : 0)..].TrimEnd()))
            .GroupBy(e => e.Sql)
            .Where(g => g.Max(e => e.Ms) >= 1)
            .OrderByDescending(g => g.Sum(e => e.Ms));
        var lines = new List<string>();
        foreach (var statement in entries.Take(4))
        {
            var sorted = statement.OrderBy(e => e.Ms).ToList();
            lines.Add($"  {sorted.Count} runs, {sorted[0].Ms:F2}–{sorted[^1].Ms:F2} ms (median {sorted[sorted.Count / 2].Ms:F2}): " +
                      (statement.Key.Length > 400 ? statement.Key[..400] + "…" : statement.Key));
            var shapes = new[] { ("slowest", sorted[^1]), ("fastest", sorted[0]) }
                .DistinctBy(x => System.Text.RegularExpressions.Regex.Replace(x.Item2.Plan, @"\(actual.*?\)|[\d.]+", ""));
            foreach (var (which, entry) in shapes)
            {
                lines.Add($"    {which} ({entry.Ms:F2} ms):");
                lines.AddRange(entry.Plan.Split('\n').Take(40).Select(l => "    " + (l.Length > 200 ? l[..200] + "…" : l)));
            }
        }

        return lines.Count == 0 ? "  (none took 1 ms or more)" : string.Join(Environment.NewLine, lines);
    }

    private static async Task<(long Records, long Ranked, long Volunteers)> CountAsync(DbDataSource source, bool postgres, Guid district)
    {
        await using var connection = await source.OpenConnectionAsync();
        var counts = new long[3];
        var sql = new[]
        {
            """SELECT COUNT(*) FROM service_records WHERE "DistrictId" = @d""",
            """SELECT COUNT(*) FROM volunteer_totals WHERE "DistrictId" = @d AND "Minutes" > 0""",
            """SELECT COUNT(*) FROM volunteers WHERE "DistrictId" = @d""",
        };
        for (var i = 0; i < sql.Length; i++)
        {
            await using var cmd = Command(connection, postgres, sql[i], ("d", district));
            counts[i] = Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        return (counts[0], counts[1], counts[2]);
    }

    /// <summary>
    /// Bench setup: records added until the district holds <paramref name="perVolunteer"/> for each of its volunteers (round
    /// robin over them: 1–4 h of service, in steps of half an hour, on a day of the last three years, on one of the district's
    /// platforms, organised by the volunteer's station), then every volunteer's total set to the sum of their records.
    /// </summary>
    private static async Task<long> FillAsync(DbDataSource source, bool postgres, Guid district, int perVolunteer)
    {
        await using var connection = await source.OpenConnectionAsync();
        var volunteers = new List<(Guid Id, Guid Unit)>();
        await using (var cmd = Command(connection, postgres, """SELECT "Id", "HomeUnitId" FROM volunteers WHERE "DistrictId" = @d ORDER BY "Id" """, ("d", district)))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                volunteers.Add((reader.GetGuid(0), reader.GetGuid(1)));
            }
        }

        var platforms = new List<Guid>();
        await using (var cmd = Command(connection, postgres, """SELECT "Id" FROM platforms WHERE "DistrictId" = @d AND "IsActive" """, ("d", district)))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                platforms.Add(reader.GetGuid(0));
            }
        }

        var (existing, _, _) = await CountAsync(source, postgres, district);
        var missing = Math.Max(0, (long)volunteers.Count * perVolunteer - existing);
        var random = new Random(22 * perVolunteer);
        var now = DateTimeOffset.UtcNow;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        IEnumerable<object?[]> Rows()
        {
            for (long i = 0; i < missing; i++)
            {
                var (volunteer, unit) = volunteers[(int)(i % volunteers.Count)];
                // 08:00–17:30 in Beijing (UTC+8) on a day of the last three years.
                var started = today.AddDays(-random.Next(1, 3 * 365)).AddHours(random.Next(0, 20) / 2.0);
                var minutes = 30 * random.Next(2, 9);
                var from = random.Next(2) + 1;
                yield return
                [
                    Guid.CreateVersion7(started), district, volunteer, from, Guid.NewGuid(), null, Titles[random.Next(Titles.Length)],
                    platforms[random.Next(platforms.Count)], unit, unit, null, null, started, started.AddMinutes(minutes), minutes, null,
                    "海淀区新时代文明实践中心", started.AddMinutes(minutes + 60), false, null, null,
                ];
            }
        }

        var columns = string.Join(", ", Columns.Select(c => $"\"{c}\""));
        if (postgres)
        {
            await using (var copy = await ((NpgsqlConnection)connection).BeginBinaryImportAsync($"COPY service_records ({columns}) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var row in Rows())
                {
                    // The synchronous writes: they only fill Npgsql's buffer, which it sends when full.
                    copy.StartRow();
                    foreach (var value in row)
                    {
                        switch (value)
                        {
                            case null:
                                copy.WriteNull();
                                break;
                            case Guid g:
                                copy.Write(g, NpgsqlDbType.Uuid);
                                break;
                            case string text:
                                copy.Write(text, NpgsqlDbType.Varchar);
                                break;
                            case int n:
                                copy.Write(n, NpgsqlDbType.Integer);
                                break;
                            case DateTimeOffset t:
                                copy.Write(t, NpgsqlDbType.TimestampTz);
                                break;
                            case bool b:
                                copy.Write(b, NpgsqlDbType.Boolean);
                                break;
                            default:
                                throw new InvalidOperationException(value.GetType().Name);
                        }
                    }
                }

                await copy.CompleteAsync();
            }
        }
        else
        {
            // Transactions of 100,000 rows: the platform's own writers (its outbox, its jobs) wait their turn between them.
            await using (var pragma = Command(connection, postgres, "PRAGMA busy_timeout=30000"))
            {
                await pragma.ExecuteNonQueryAsync();
            }

            foreach (var chunk in Rows().Chunk(100_000))
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using var insert = Command(connection, postgres,
                    $"INSERT INTO service_records ({columns}) VALUES ({string.Join(", ", Columns.Select((_, i) => $"@p{i}"))})",
                    [.. chunk[0].Select((v, i) => ($"p{i}", v))]);
                insert.Transaction = transaction;
                await insert.PrepareAsync();
                foreach (var row in chunk)
                {
                    for (var i = 0; i < row.Length; i++)
                    {
                        insert.Parameters[i].Value = Value(row[i], postgres);
                    }

                    await insert.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }
        }

        // What the platform writes beside each record it adds (VolunteerTotal.CountAsync), for all of the district at once.
        await using (var totals = Command(connection, postgres, """
                 INSERT INTO volunteer_totals ("VolunteerId", "DistrictId", "Minutes", "UpdatedAt", "Version")
                 SELECT "VolunteerId", @d, SUM("Minutes"), @now, 1 FROM service_records WHERE "DistrictId" = @d GROUP BY "VolunteerId"
                 ON CONFLICT ("VolunteerId") DO UPDATE SET "Minutes" = excluded."Minutes", "UpdatedAt" = excluded."UpdatedAt",
                     "Version" = volunteer_totals."Version" + 1
                 """, ("d", district), ("now", now)))
        {
            totals.CommandTimeout = 600;
            await totals.ExecuteNonQueryAsync();
        }

        await AnalyzeAsync(source, postgres);
        return missing;
    }

    /// <summary>
    /// On PostgreSQL, the statistics autovacuum gathers within a minute or two of the seed's or the fill's rows arriving,
    /// gathered now so that the rounds neither race it nor measure plans made for empty tables.
    /// </summary>
    private static async Task AnalyzeAsync(DbDataSource source, bool postgres)
    {
        if (postgres)
        {
            await using var analyze = source.CreateCommand("ANALYZE");
            analyze.CommandTimeout = 600;
            await analyze.ExecuteNonQueryAsync();
        }
    }

    internal static DbCommand Command(DbConnection connection, bool postgres, string sql, params (string Name, object? Value)[] values)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in values)
        {
            var p = command.CreateParameter();
            (p.ParameterName, p.Value) = (name, Value(value, postgres));
            command.Parameters.Add(p);
        }

        return command;
    }

    /// <summary>A value as the platform stores it: on SQLite, GUIDs as upper-case text and times as EF's binary ticks.</summary>
    internal static object Value(object? value, bool postgres) => value switch
    {
        null => DBNull.Value,
        Guid g when !postgres => g.ToString().ToUpperInvariant(),
        DateTimeOffset t when !postgres => Ticks.ConvertToProvider(t)!,
        bool b when !postgres => b ? 1 : 0,
        _ => value,
    };
}
