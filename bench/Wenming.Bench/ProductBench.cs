using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Wenming.Tests.Infrastructure;

namespace Wenming.Bench;

/// <summary>
/// The product as it ships against its ceiling: the published platform (<c>dotnet Wenming.Web.dll</c>, its own process)
/// and the published ceiling app (bench/Wenming.Ceiling: the same durable writes and a comparable read with raw ADO.NET)
/// on the same database, driven over loopback by the same load generator in alternating short rounds. Measures the
/// resident's order from the menu with the phone's location (what /Orders/New sends), the resident's home page menu, and
/// the platform's CPU for a signed-in request's own cost (<c>GET /api/v1/me</c>, a 404 order).
/// </summary>
internal static class ProductBench
{
    private const double RatioTarget = 0.5;
    private const double P99RatioTarget = 2;
    private const double MenuP99Target = 20;

    private static readonly string?[] Descriptions = ["本人七十多岁，子女在外地，周末上午在家。", "最好是下午来，电话联系我就行。", null, null, null, null];

    public static async Task RunAsync(string[] args)
    {
        var postgres = Option(args, "provider", "postgres").StartsWith("postgres", StringComparison.OrdinalIgnoreCase);
        var full = Option(args, "scale", "default") == "full";
        var seconds = Number(args, "seconds", 4);
        var rounds = Number(args, "rounds", 3);
        var clients = Number(args, "clients", 16);
        var warmUp = Number(args, "warm-up", 20);
        var costRequests = Number(args, "requests", 2_000);
        var total = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), $"wenming-bench-product-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var (web, ceilingFolder) = await PublishAsync();
            Console.WriteLine($"Published the platform and the ceiling in {total.Elapsed.TotalSeconds:F0} s");

            var (cluster, connectionString) = await DatabaseAsync(postgres, work, "bench-product");
            using var clusterLease = cluster;
            var seeding = Stopwatch.StartNew();
            using var platform = StartPlatform(web, work, postgres, connectionString, full);
            using var http = LoopbackClient();
            await platform.WaitReadyAsync(http, "/health/ready", TimeSpan.FromMinutes(15));
            Console.WriteLine($"Platform ({(postgres ? "PostgreSQL" : "SQLite")}, {(full ? "--demo-scale full" : "default demo")}) migrated, seeded and ready " +
                              $"in {seeding.Elapsed.TotalSeconds:F0} s");

            var source = postgres ? NpgsqlDataSource.Create(connectionString) : SqliteFactory.Instance.CreateDataSource(connectionString);
            await using var _ = source;
            var residents = await ResidentsAsync(http, platform.Address, source, postgres);
            Console.WriteLine("Residents: " + string.Join("; ", residents.Select(r => $"{r.Phone} sees {r.Menu.Count} menu items")));
            var tokens = Path.Combine(work, "tokens.json");
            await File.WriteAllTextAsync(tokens, JsonSerializer.Serialize(residents.Select(r => new
            {
                r.Token,
                r.UserId,
                r.DistrictId,
                r.Name,
                r.Phone,
                UnitId = r.StationId,
                Units = r.Line,
            }), JsonSerializerOptions.Web));
            using var ceiling = StartCeiling(ceilingFolder, work, postgres, connectionString, tokens);
            await ceiling.WaitReadyAsync(http, "/health", TimeSpan.FromMinutes(1));

            var sides = new[]
            {
                new Side("ceiling", ceiling, n => Order(ceiling.Address, "/orders", residents, n), n => Menu(ceiling.Address, "/menu", residents, n)),
                new Side("platform", platform, n => Order(platform.Address, "/api/v1/orders", residents, n), n => Menu(platform.Address, "/api/v1/menu", residents, n)),
            };
            await CheckAsync(http, sides);
            var counters = await Counters.StartAsync(cluster?.Port, source);

            Console.WriteLine($"Warm-up: {warmUp} s of orders and of the menu on the platform, a third of that on the ceiling");
            foreach (var side in sides)
            {
                var share = side.Name == "platform" ? 1.0 : 1.0 / 3;
                Expect(await LoadGenerator.ClosedLoopAsync(http, side.Orders, clients, TimeSpan.FromSeconds(warmUp * share)), $"warm-up orders, {side.Name}");
                Expect(await LoadGenerator.ClosedLoopAsync(http, side.Menu, clients, TimeSpan.FromSeconds(warmUp * share / 2)), $"warm-up menu, {side.Name}");
            }

            Expect(await LoadGenerator.ClosedLoopAsync(http, n => Me(platform.Address, residents, n), 4, TimeSpan.FromSeconds(3)), "warm-up me");
            Expect(await LoadGenerator.ClosedLoopAsync(http, n => Missing(platform.Address, residents, n), 4, TimeSpan.FromSeconds(3)), "warm-up 404");

            Console.WriteLine($"{rounds} rounds: each side {seconds} s in closed loop ({clients} clients, in 2 slices taking turns), then each {seconds} s " +
                              $"in open loop at 80 % of the platform's rate in that round; orders, then the menu (and each side {seconds} s with one client alone)");
            var orders = new Kind("POST order (menu item, the phone's location)", s => s.Orders);
            var menu = new Kind("GET menu (home page: page=1&pageSize=30)", s => s.Menu, MenuP99Target);
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var kind in new[] { orders, menu })
                {
                    Console.WriteLine($"round {round}, {kind.Name}: {await kind.RoundAsync(http, sides, clients, TimeSpan.FromSeconds(seconds), counters)}");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"== {(postgres ? "PostgreSQL" : "SQLite")}, {(full ? "--demo-scale full" : "default demo volume")}");
            var texts = await counters.TextsAsync(160);
            foreach (var kind in new[] { orders, menu })
            {
                Console.WriteLine(kind.Summary(postgres, full, texts));
            }

            Console.WriteLine($"A signed-in request's own cost, {costRequests:N0} requests (or 6 s) from 4 clients, 3 times (median, min–max); CPU per request:");
            foreach (var (name, next) in new (string, Func<long, HttpRequestMessage>)[]
                     {
                         ("GET /api/v1/me", n => Me(platform.Address, residents, n)),
                         ("GET /api/v1/orders/{random id} (404)", n => Missing(platform.Address, residents, n)),
                     })
            {
                var samples = new List<Sample>();
                for (var i = 0; i < 3; i++)
                {
                    samples.Add(await Sample.TakeAsync(platform, counters, async () =>
                        Expect(await LoadGenerator.ClosedLoopAsync(http, next, 4, TimeSpan.FromSeconds(6), costRequests), name)));
                }

                Console.WriteLine($"  {name}: platform {Spread(samples.Select(s => s.AppCpu / s.Requests), "F3")} ms" +
                                  (postgres
                                      ? $", PostgreSQL {Spread(samples.Select(s => s.DatabaseCpu / s.Requests), "F3")} ms; " +
                                        $"{samples.Sum(s => s.Statements.Values.Sum(x => x.Calls)) / (double)samples.Sum(s => s.Requests):F1} statements"
                                      : ""));
            }

            Console.WriteLine($"Whole bench {total.Elapsed.TotalSeconds:F0} s");
        }
        finally
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

    /// <summary>One kind of request on both sides, round after round; with a ratio target (orders) or a p99 target (the menu).</summary>
    private sealed class Kind(string name, Func<Side, Func<long, HttpRequestMessage>> requests, double? p99Target = null)
    {
        private readonly List<double> _ratios = [];
        private readonly Dictionary<string, List<Sample>> _closed = new() { ["ceiling"] = [], ["platform"] = [] };
        private readonly Dictionary<string, List<LoadResult>> _open = new() { ["ceiling"] = [], ["platform"] = [] };
        private readonly Dictionary<string, List<LoadResult>> _alone = new() { ["ceiling"] = [], ["platform"] = [] };
        private readonly List<double> _rates = [];

        public string Name => name;

        public async Task<string> RoundAsync(HttpClient http, Side[] sides, int clients, TimeSpan window, Counters counters)
        {
            // Closed loop, the two sides taking turns in slices, so that both see the same drift of a shared machine's speed.
            var slices = new Dictionary<string, List<Sample>> { ["ceiling"] = [], ["platform"] = [] };
            for (var slice = 0; slice < 2; slice++)
            {
                foreach (var side in slice == 0 ? sides : [.. sides.AsEnumerable().Reverse()])
                {
                    slices[side.Name].Add(await Sample.TakeAsync(side.App, counters, async () =>
                        Expect(await LoadGenerator.ClosedLoopAsync(http, requests(side), clients, window / 2), $"{name}, {side.Name}")));
                }
            }

            var rate = new Dictionary<string, double>();
            foreach (var (side, taken) in slices)
            {
                _closed[side].AddRange(taken);
                rate[side] = taken.Sum(s => s.Requests) / taken.Sum(s => s.Seconds);
            }

            _ratios.Add(rate["platform"] / rate["ceiling"]);
            // Open loop: both sides at the same fixed arrival rate, 80 % of what the platform just managed.
            var open = 0.8 * rate["platform"];
            _rates.Add(open);
            foreach (var side in sides)
            {
                var result = await LoadGenerator.OpenLoopAsync(http, requests(side), open, window);
                _open[side.Name].Add(result);
                if (result.Failed > 0)
                {
                    Console.WriteLine($"  {side.Name}: {result.Failed} of {result.Failed + result.Ok} open-loop requests failed; first: {result.FirstError}");
                }
            }

            // With a latency target: also one client alone, each request sent when the last one was answered.
            if (p99Target is not null)
            {
                foreach (var side in sides)
                {
                    _alone[side.Name].Add(Expect(await LoadGenerator.ClosedLoopAsync(http, requests(side), 1, window), $"{name} alone, {side.Name}"));
                }
            }

            return $"closed loop ceiling {rate["ceiling"]:N0}/s, platform {rate["platform"]:N0}/s, ratio {_ratios[^1]:F2}; " +
                   $"open loop at {open:N0}/s: p99 ceiling {_open["ceiling"][^1].P99:F1} ms, platform {_open["platform"][^1].P99:F1} ms" +
                   (p99Target is null ? "" : $"; one client alone: p99 ceiling {_alone["ceiling"][^1].P99:F1} ms, platform {_alone["platform"][^1].P99:F1} ms");
        }

        public string Summary(bool postgres, bool full, Dictionary<long, string> texts)
        {
            var ratio = Median(_ratios);
            var open = _open.ToDictionary(o => o.Key, o => LoadResult.Combine(o.Value));
            var p99Ratio = open["platform"].P99 / open["ceiling"].P99;
            var cost = _closed.ToDictionary(c => c.Key, c => c.Value.Aggregate((a, b) => a + b));
            string PerRequest(Func<Sample, double> of, string format) =>
                string.Join(" / ", new[] { "platform", "ceiling" }.Select(s => (of(cost[s]) / cost[s].Requests).ToString(format, CultureInfo.InvariantCulture)));
            var lines = new List<string>
            {
                name,
                $"  most per second, platform / ceiling: {cost["platform"].Rate:N0} / {cost["ceiling"].Rate:N0}; ratio by round " +
                $"{string.Join(", ", _ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}: {ratio:F2} ({_ratios.Min():F2}–{_ratios.Max():F2})" +
                (p99Target is null ? $", target ≥ {RatioTarget} {Verdict(ratio >= RatioTarget)}" : ""),
                $"  open loop at 80 % of the platform's rate ({string.Join(", ", _rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}/s): " +
                $"p99 platform {open["platform"].P99:F1} ms (p50 {open["platform"].P50:F1}), ceiling {open["ceiling"].P99:F1} ms (p50 {open["ceiling"].P50:F1}); " +
                $"by round {string.Join(", ", _open["platform"].Zip(_open["ceiling"], (p, c) => $"{p.P99:F1}/{c.P99:F1}"))}; " +
                (p99Target is { } target
                    ? $"target < {target} ms{(full ? "" : " (at --demo-scale full)")} {Verdict(open["platform"].P99 < target)}"
                    : $"platform ÷ ceiling {p99Ratio:F2}, target ≤ {P99RatioTarget} {Verdict(p99Ratio <= P99RatioTarget)}"),
                $"  per request in the closed loops, platform / ceiling: CPU of the app {PerRequest(s => s.AppCpu, "F3")} ms" +
                (postgres
                    ? $", of PostgreSQL {PerRequest(s => s.DatabaseCpu, "F3")} ms; statements {PerRequest(s => s.Statements.Values.Sum(x => x.Calls), "F1")}, " +
                      $"their execution (wall time) {PerRequest(s => s.Statements.Values.Sum(x => x.Ms), "F3")} ms"
                    : "") +
                $"; load generator {PerRequest(s => s.DriverCpu, "F3")} ms; other processes took {_closed.Values.SelectMany(v => v).Average(s => s.Others):P0} of the machine",
            };
            if (p99Target is { } limit)
            {
                var alone = _alone.ToDictionary(o => o.Key, o => LoadResult.Combine(o.Value));
                lines.Add($"  one client alone: p99 platform {alone["platform"].P99:F1} ms (p50 {alone["platform"].P50:F1}), ceiling {alone["ceiling"].P99:F1} ms " +
                          $"(p50 {alone["ceiling"].P50:F1}); target < {limit} ms{(full ? "" : " (at --demo-scale full)")} {Verdict(alone["platform"].P99 < limit)}");
            }

            if (postgres)
            {
                var platform = cost["platform"];
                lines.Add("  the platform's statements per request (calls, execution wall time in ms per request):");
                lines.AddRange(platform.Statements.Where(x => x.Value.Calls >= platform.Requests / 100).OrderByDescending(x => x.Value.Ms).Take(8).Select(x =>
                    $"    {x.Value.Calls / (double)platform.Requests,4:F2} × {x.Value.Ms / platform.Requests,6:F3} ms  {texts.GetValueOrDefault(x.Key, "?")}"));
            }

            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>One app and how each kind of request is made for it.</summary>
    private sealed record Side(string Name, PublishedApp App, Func<long, HttpRequestMessage> Orders, Func<long, HttpRequestMessage> Menu);

    /// <summary>
    /// What a phase cost: its requests and time; the CPU of the app, of PostgreSQL, of this process (the load generator) and
    /// of the whole machine; the statements PostgreSQL ran and their execution time, and by statement.
    /// </summary>
    internal sealed record Sample(int Requests, double Seconds, double AppCpu, double DatabaseCpu, double DriverCpu, double MachineCpu,
        Dictionary<long, Statement> Statements)
    {
        public double Rate => Requests / Seconds;

        /// <summary>CPU of processes other than the app, PostgreSQL and the load generator, as a share of the machine's cores.</summary>
        public double Others => Math.Max(0, MachineCpu - AppCpu - DatabaseCpu - DriverCpu) / (Seconds * 1000 * Environment.ProcessorCount);

        public static Sample operator +(Sample a, Sample b) => new(a.Requests + b.Requests, a.Seconds + b.Seconds, a.AppCpu + b.AppCpu,
            a.DatabaseCpu + b.DatabaseCpu, a.DriverCpu + b.DriverCpu, a.MachineCpu + b.MachineCpu, Statement.Add(a.Statements, b.Statements, 1));

        public static async Task<Sample> TakeAsync(PublishedApp app, Counters counters, Func<Task<LoadResult>> phase)
        {
            var statements = await counters.StatementsAsync();
            var (appCpu, machine, driver) = (app.CpuMs, counters.Machine, Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);
            var result = await phase();
            var (appAfter, machineAfter, driverAfter) = (app.CpuMs, counters.Machine, Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds);
            return new Sample(result.Ok + result.Failed, result.Seconds, appAfter - appCpu, machineAfter.Postgres - machine.Postgres, driverAfter - driver,
                machineAfter.Machine - machine.Machine, Statement.Add(await counters.StatementsAsync(), statements, -1));
        }
    }

    /// <summary>A statement's calls and execution time (pg_stat_statements).</summary>
    internal readonly record struct Statement(long Calls, double Ms)
    {
        public static Dictionary<long, Statement> Add(Dictionary<long, Statement> a, Dictionary<long, Statement> b, int sign) =>
            a.Keys.Union(b.Keys).Select(k => (k, a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
                .Select(x => (x.k, new Statement(x.Item2.Calls + sign * x.Item3.Calls, x.Item2.Ms + sign * x.Item3.Ms)))
                .Where(x => x.Item2.Calls != 0).ToDictionary(x => x.k, x => x.Item2);
    }

    /// <summary>The machine's CPU (PostgreSQL's among it) and, on PostgreSQL, its statements so far in the platform's database.</summary>
    internal sealed class Counters(int? port, DbDataSource source)
    {
        public static async Task<Counters> StartAsync(int? port, DbDataSource source)
        {
            if (port is not null)
            {
                await using var cmd = source.CreateCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                await cmd.ExecuteNonQueryAsync();
            }

            return new Counters(port, source);
        }

        public MachineLoad Machine => MachineLoad.Now(port ?? 0);

        public async Task<Dictionary<long, Statement>> StatementsAsync()
        {
            if (port is null)
            {
                return [];
            }

            await using var cmd = source.CreateCommand(
                "SELECT queryid, calls, total_exec_time FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) " +
                "AND query NOT LIKE '%pg_stat_statements%'");
            await using var reader = await cmd.ExecuteReaderAsync();
            var statements = new Dictionary<long, Statement>();
            while (await reader.ReadAsync())
            {
                statements[reader.GetInt64(0)] = new Statement(reader.GetInt64(1), reader.GetDouble(2));
            }

            return statements;
        }

        /// <summary>The text of each statement, cut to <paramref name="length"/> characters.</summary>
        public async Task<Dictionary<long, string>> TextsAsync(int length)
        {
            if (port is null)
            {
                return [];
            }

            await using var cmd = source.CreateCommand("SELECT queryid, left(regexp_replace(query, '\\s+', ' ', 'g'), $1) FROM pg_stat_statements");
            cmd.Parameters.Add(new NpgsqlParameter { Value = length });
            await using var reader = await cmd.ExecuteReaderAsync();
            var texts = new Dictionary<long, string>();
            while (await reader.ReadAsync())
            {
                texts[reader.GetInt64(0)] = reader.GetString(1);
            }

            return texts;
        }
    }

    private sealed record MenuChoice(Guid Id, string Title, Guid PlatformId);

    private sealed record Resident(string Token, Guid UserId, Guid DistrictId, string Name, string Phone, Guid StationId, Guid[] Line,
        double Latitude, double Longitude, List<MenuChoice> Menu);

    /// <summary>
    /// The demo resident of each district (1380d000020, README) signed in through the API, with the menu their home page
    /// shows; their station's place in the tree and its coordinates (where their phone is) from the database.
    /// </summary>
    private static async Task<List<Resident>> ResidentsAsync(HttpClient http, Uri platform, DbDataSource db, bool postgres)
    {
        var residents = new List<Resident>();
        for (var d = 1; d <= 5; d++)
        {
            using var login = await http.PostAsJsonAsync(new Uri(platform, "/api/v1/auth/login"), new { phone = BenchHost.Phone(d, "20"), password = "Demo#2026" });
            login.EnsureSuccessStatusCode();
            var body = await login.Content.ReadFromJsonAsync<JsonElement>();
            var token = body.GetProperty("accessToken").GetString()!;
            var user = body.GetProperty("user");
            var station = user.GetProperty("roles").EnumerateArray().First(r => r.GetProperty("role").GetString() == "Resident").GetProperty("unitId").GetGuid();
            using var request = Get(new Uri(platform, "/api/v1/menu?page=1&pageSize=30"), token);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var menu = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
                .Select(m => new MenuChoice(m.GetProperty("id").GetGuid(), m.GetProperty("title").GetString()!, m.GetProperty("platformId").GetGuid())).ToList();
            if (menu.Count == 0)
            {
                throw new InvalidOperationException($"{BenchHost.Phone(d, "20")} sees no menu item");
            }

            await using var cmd = db.CreateCommand("""SELECT "Path", "Latitude", "Longitude" FROM units WHERE "Id" = @id""");
            var id = cmd.CreateParameter();
            (id.ParameterName, id.Value) = ("id", postgres ? station : station.ToString().ToUpperInvariant());
            cmd.Parameters.Add(id);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            var line = reader.GetString(0).Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Guid.ParseExact(s, "N")).ToArray();
            residents.Add(new Resident(token, user.GetProperty("id").GetGuid(), user.GetProperty("district").GetProperty("id").GetGuid(),
                user.GetProperty("displayName").GetString()!, user.GetProperty("phone").GetString()!, station, line,
                reader.IsDBNull(1) ? 39.96 : reader.GetDouble(1), reader.IsDBNull(2) ? 116.30 : reader.GetDouble(2), menu));
        }

        return residents;
    }

    /// <summary>
    /// What /Orders/New sends for an item of the menu: its title and platform, the menu item, an address, the phone's
    /// location (within about a kilometre of the resident's station), when, and now and then a note.
    /// </summary>
    private static HttpRequestMessage Order(Uri app, string path, List<Resident> residents, long n)
    {
        var resident = residents[(int)(n % residents.Count)];
        var random = Random.Shared;
        var item = resident.Menu[random.Next(resident.Menu.Count)];
        var wanted = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddHours(random.Next(2, 96));
        var body = new
        {
            title = item.Title,
            description = Descriptions[random.Next(Descriptions.Length)],
            platformId = item.PlatformId,
            menuItemId = item.Id,
            address = $"{random.Next(1, 30)}号楼{random.Next(1, 6)}单元{random.Next(1, 19)}0{random.Next(1, 5)}",
            latitude = resident.Latitude + (random.NextDouble() - 0.5) * 0.02,
            longitude = resident.Longitude + (random.NextDouble() - 0.5) * 0.02,
            coordinateSystem = "wgs84",
            wantedAt = new DateTimeOffset(wanted.Year, wanted.Month, wanted.Day, wanted.Hour, 0, 0, wanted.Offset),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", resident.Token);
        return request;
    }

    /// <summary>What the resident's home page asks for: the first 30 items of the menu (Features/Index.cshtml.cs).</summary>
    private static HttpRequestMessage Menu(Uri app, string path, List<Resident> residents, long n) =>
        Get(new Uri(app, path + "?page=1&pageSize=30"), residents[(int)(n % residents.Count)].Token);

    private static HttpRequestMessage Me(Uri app, List<Resident> residents, long n) => Get(new Uri(app, "/api/v1/me"), residents[(int)(n % residents.Count)].Token);

    private static HttpRequestMessage Missing(Uri app, List<Resident> residents, long n)
    {
        var request = Get(new Uri(app, $"/api/v1/orders/{Guid.NewGuid()}"), residents[(int)(n % residents.Count)].Token);
        request.Options.Set(LoadGenerator.Expected, 404);
        return request;
    }

    internal static HttpRequestMessage Get(Uri uri, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Both sides refuse a request without a token, take an order and answer the menu.</summary>
    private static async Task CheckAsync(HttpClient http, Side[] sides)
    {
        foreach (var side in sides)
        {
            using var anonymous = side.Orders(0);
            anonymous.Headers.Authorization = null;
            using (var refused = await http.SendAsync(anonymous))
            {
                if ((int)refused.StatusCode != 401)
                {
                    throw new InvalidOperationException($"{side.Name}: an order without a token answered {(int)refused.StatusCode}, not 401");
                }
            }

            foreach (var request in new[] { side.Orders(1), side.Menu(1) })
            {
                using (request)
                using (var response = await http.SendAsync(request))
                {
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{side.Name}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: " +
                                                            await response.Content.ReadAsStringAsync() + Environment.NewLine + side.App.Tail());
                    }
                }
            }
        }
    }

    /// <summary>
    /// The database the platform and the ceiling share: a durable PostgreSQL cluster of its own (with pg_stat_statements)
    /// and an empty database in it, or a SQLite file in <paramref name="work"/>; the connection string as an operator writes it.
    /// <paramref name="settings"/>: more server settings, starting with a comma for more preloaded libraries.
    /// </summary>
    internal static async Task<(PostgresCluster? Cluster, string ConnectionString)> DatabaseAsync(bool postgres, string work, string purpose,
        string settings = "")
    {
        if (!postgres)
        {
            return (null, $"Data Source={Path.Combine(work, "wenming.db")}");
        }

        // pg_stat_statements counts each statement when it ends; pg_stat_database's counters reach the view up to 10 s later.
        var cluster = PostgresCluster.Start(purpose, durable: true, "-c shared_preload_libraries=pg_stat_statements" + settings);
        Console.CancelKeyPress += (_, _) => cluster.Dispose();
        await BenchHost.CreateDatabaseAsync(cluster.ConnectionString("postgres"), "wenming");
        // As an operator writes it: the platform adds its own defaults (Database.PostgresDefaults), and the ceiling gets the same.
        return (cluster, $"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Password=postgres;Database=wenming");
    }

    /// <summary>
    /// The published platform on the database, seeding the demo districts (all of Haidian's 100,000 volunteers when full);
    /// <paramref name="settings"/>: more of its settings (<c>--Key=value</c>).
    /// </summary>
    internal static PublishedApp StartPlatform(string web, string work, bool postgres, string connectionString, bool full, params string[] settings) =>
        PublishedApp.Start(web, "Wenming.Web.dll", Path.Combine(work, "platform.log"),
        [
            $"--Database:Provider={(postgres ? "PostgreSql" : "Sqlite")}", $"--ConnectionStrings:Default={connectionString}",
            $"--PersonalData:Key={BenchHost.PersonalDataKey}", $"--Files:Root={Path.Combine(work, "files")}",
            .. full ? new[] { "--demo-scale", "full" } : [], .. settings,
        ]);

    /// <summary>The published ceiling app on the same database, knowing the signed-in callers of <paramref name="tokens"/>.</summary>
    internal static PublishedApp StartCeiling(string folder, string work, bool postgres, string connectionString, string tokens, params string[] settings) =>
        PublishedApp.Start(folder, "Wenming.Ceiling.dll", Path.Combine(work, "ceiling.log"),
        [
            $"--Ceiling:Provider={(postgres ? "postgres" : "sqlite")}", $"--Ceiling:Tokens={tokens}",
            $"--Ceiling:Connection={(postgres ? Wenming.Web.Infrastructure.Data.Database.PostgresDefaults(connectionString) : connectionString)}",
            .. settings,
        ]);

    /// <summary>What a reverse proxy holds upstream: connections kept alive for the whole run, no cookies.</summary>
    internal static HttpClient LoopbackClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 64,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(100),
        UseCookies = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Both apps published in Release into a folder of this checkout's under the temporary directory, kept between runs (publishing again
    /// only copies what changed).
    /// </summary>
    internal static async Task<(string Web, string Ceiling)> PublishAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Wenming.slnx")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("Wenming.slnx not found above " + AppContext.BaseDirectory);
        }

        // One folder per checkout: two worktrees benchmarking on one machine do not run each other's build.
        var output = Path.Combine(Path.GetTempPath(), "wenming-bench-publish",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(root.FullName)))[..12]);
        var folders = new List<string>();
        foreach (var project in new[] { "src/Wenming.Web/Wenming.Web.csproj", "bench/Wenming.Ceiling/Wenming.Ceiling.csproj" })
        {
            var folder = Path.Combine(output, Path.GetFileNameWithoutExtension(project));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "publish", Path.Combine(root.FullName, project), "-c", "Release", "-o", folder, "-nologo", "-v", "q" })
            {
                psi.ArgumentList.Add(arg);
            }

            using var publish = Process.Start(psi)!;
            var stdout = publish.StandardOutput.ReadToEndAsync();
            var stderr = publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            if (publish.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish {project} failed: {await stdout} {await stderr}");
            }

            folders.Add(folder);
        }

        return (folders[0], folders[1]);
    }

    internal static LoadResult Expect(LoadResult result, string phase) =>
        result.Failed > 0 || result.Ok == 0
            ? throw new InvalidOperationException($"{phase}: {result.Failed} of {result.Failed + result.Ok} requests failed; first: {result.FirstError}")
            : result;

    internal static string Option(string[] args, string name, string fallback) =>
        args.FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..] ?? fallback;

    internal static int Number(string[] args, string name, int fallback) =>
        int.TryParse(Option(args, name, ""), out var n) && n > 0 ? n : fallback;

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string Spread(IEnumerable<double> values, string format)
    {
        var all = values.ToArray();
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        return $"{F(Median(all))} ({F(all.Min())}–{F(all.Max())})";
    }

    internal static string Verdict(bool pass) => pass ? "PASS" : "FAIL";
}

/// <summary>
/// A published app run as its own process (<c>dotnet App.dll</c>: the host runs the app in the same process, so its
/// /proc figures are the app's), on a free loopback port, its output in a log file; killed with its children on dispose.
/// </summary>
internal sealed class PublishedApp(Process process, StreamWriter log, string logPath, Uri address) : IDisposable
{
    private readonly Process _process = process;
    private readonly StreamWriter _log = log;
    private bool _closed;

    public Uri Address => address;

    /// <summary>The CPU the process has used so far (utime + stime of /proc/PID/stat), in milliseconds.</summary>
    public double CpuMs => MachineLoad.Ticks([$"/proc/{_process.Id}"]) * MachineLoad.TickMs;

    public static PublishedApp Start(string folder, string dll, string logPath, IEnumerable<string> args)
    {
        var port = PostgresCluster.FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(folder, dll));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {dll}");
        var app = new PublishedApp(process, log, logPath, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => app.Write(e.Data);
        process.ErrorDataReceived += (_, e) => app.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // Ctrl+C ends this process without disposing anything: the app goes with it.
        Console.CancelKeyPress += (_, _) => app.Dispose();
        return app;
    }

    public async Task WaitReadyAsync(HttpClient http, string path, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.ArgumentList[0]} exited ({_process.ExitCode}): {Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Address, path));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{_process.StartInfo.ArgumentList[0]} not ready after {timeout.TotalSeconds:F0} s: {Tail()}");
    }

    /// <summary>The last lines the app wrote.</summary>
    public string Tail()
    {
        lock (_log)
        {
            if (!_closed)
            {
                _log.Flush();
            }
        }

        return string.Join(Environment.NewLine, File.ReadLines(logPath).TakeLast(30));
    }

    public void Dispose()
    {
        lock (_log)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (!_closed)
            {
                _log.WriteLine(line);
            }
        }
    }
}
