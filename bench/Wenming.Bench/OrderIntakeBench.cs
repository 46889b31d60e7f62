using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Bench;

/// <summary>
/// Order intake: <c>POST /api/v1/orders</c> on the real platform over real HTTP (loopback Kestrel,
/// PostgreSQL with synchronous_commit on and, unlike the tests' cluster, fsync on), as the demo residents of the five districts; against a ceiling
/// in the same run, an endpoint of the bench host that takes the same body through the same pipeline and writes one
/// row with raw Npgsql. Closed loop at N clients for the most each does, then the orders at 80 % of their most in
/// open loop (a fixed arrival rate) for the latency a resident sees on a busy day.
/// </summary>
internal static class OrderIntakeBench
{
    private const double RatioTarget = 0.5;
    private const double P99At80Target = 50;

    private static readonly string[] Titles =
    [
        "家里老人需要上门量血压", "想请志愿者教我用智能手机挂号", "楼道灯坏了，想请人帮忙修一下", "独居老人需要陪同去医院复查",
        "孩子放学后需要作业辅导", "想咨询一下租房合同纠纷", "小区垃圾分类需要有人来宣讲", "家里电视机没有信号，请人看看",
        "腿脚不便，想请人帮忙理发", "社区广场想办一场文艺演出", "想学习防范电信诈骗的知识", "老伴住院，需要有人帮忙照看家里",
    ];

    private static readonly string?[] Descriptions =
    [
        "本人七十多岁，子女在外地，周末上午在家。", "最好是下午来，电话联系我就行。", "不着急，这周内都可以。",
        "家住三楼，没有电梯，麻烦志愿者多走几步。", "需要懂一点医疗护理的志愿者。", null,
    ];

    public static async Task RunAsync(string[] args)
    {
        var clients = IntArg(args, 0, 16);
        var seconds = IntArg(args, 1, 18);
        var fsync = !args.Contains("--fsync-off");
        // A client that retries safely sends a fresh Idempotency-Key with each POST: two more writes per request on the server.
        var keys = args.Contains("--idempotency-key");
        // Npgsql's automatic preparation (statements planned once per connection, not on every call) is the platform's
        // default; the ceiling's connections get the same settings.
        var prepare = !args.Contains("--no-auto-prepare");
        // The JIT's second tier (and its profile-guided rejits) keeps compiling for half a minute of load: warm-up shorter than
        // that measures the compiler, not the platform.
        var warmUp = IntArg(args, 2, 30);
        var explain = args.Contains("--explain");
        var total = Stopwatch.StartNew();
        Console.WriteLine("Starting a throwaway PostgreSQL cluster…");
        // Durable unless asked otherwise: the throwaway cluster's default is fsync off, which no production commit is.
        using var cluster = PostgresCluster.Start("bench-orders", durable: fsync);
        // --dump=FILE: every open-loop request, with when the platform began, admitted and finished it, and the collector's pauses.
        var dump = args.FirstOrDefault(a => a.StartsWith("--dump=", StringComparison.Ordinal))?["--dump=".Length..];
        var serverTimes = dump is null ? null : new ServerTimes();
        var cs = Wenming.Web.Infrastructure.Data.Database.PostgresDefaults(cluster.ConnectionString("wenming_orders") + (prepare ? "" : ";Max Auto Prepare=0"));
        await BenchHost.CreateDatabaseAsync(cluster.ConnectionString("postgres"), "wenming_orders");
        await using var ceilingSource = NpgsqlDataSource.Create(cs);
        using var host = new BenchHost(cs, volunteersPerDistrict: 200, services =>
        {
            services.AddSingleton(ceilingSource).AddTransient<IStartupFilter, CeilingEndpoint>();
            if (serverTimes is not null)
            {
                services.AddSingleton<IStartupFilter>(serverTimes);
                // The data scope is first asked for past the intake queue (the rate limiter runs before it): that moment
                // splits the platform's time into waiting its turn and the work.
                services.AddScoped(sp =>
                {
                    serverTimes.Admit(sp.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext);
                    return new DataScope();
                });
            }
            if (explain)
            {
                services.ConfigureDbContext<Wenming.Web.Infrastructure.Data.PostgresAppDbContext>(o => o.AddInterceptors(new QueryLog()));
            }
        });
        var baseAddress = host.Start();
        Console.WriteLine($"Platform up on {baseAddress} (migrated, five demo districts seeded) after {total.Elapsed.TotalSeconds:F0} s");
        await CeilingEndpoint.CreateTableAsync(ceilingSource);
        var settings = await SettingsAsync(ceilingSource);
        Console.WriteLine("PostgreSQL: " + string.Join(", ", settings.Select(s => $"{s.Key}={s.Value}")));
        if (settings["synchronous_commit"] != "on")
        {
            throw new InvalidOperationException("synchronous_commit must be on for this benchmark");
        }

        // At most 64 connections, kept alive: what a reverse proxy in front of the platform holds upstream. A request waiting
        // for one still counts its wait (open loop: latency runs from when the request was due). All 64 are opened in the
        // warm-up and used again before each open loop, as on a busy day: otherwise a burst in the window opens new ones,
        // and the JIT compiles the code a new connection runs inside the window.
        var opened = 0;
        // --cold-connections: connections opened only when needed, and closed after a minute idle.
        var coldConnections = args.Contains("--cold-connections");
        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // Closed before Kestrel's keep-alive timeout (130 s) would close it from the other end, as a proxy's pool does.
            PooledConnectionIdleTimeout = coldConnections ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(100),
            UseCookies = false,
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref opened);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

        // The demo resident of each district (1380d000020), with their district's platforms.
        var residents = new List<(string Token, List<Guid> Platforms)>();
        for (var d = 1; d <= 5; d++)
        {
            var token = await BenchHost.SignInAsync(http, BenchHost.Phone(d, "20"));
            using var response = await http.SendAsync(BenchHost.Get("/api/v1/platforms", token));
            response.EnsureSuccessStatusCode();
            var platforms = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).ToList();
            residents.Add((token, platforms));
        }

        await CheckAuthAsync(http, residents[0].Platforms[0]);
        Func<long, HttpRequestMessage> orders = n =>
        {
            var request = Post("/api/v1/orders", residents, n, keys);
            if (serverTimes is not null)
            {
                request.Headers.Add(ServerTimes.Header, n.ToString(CultureInfo.InvariantCulture));
            }

            return request;
        };
        Func<long, HttpRequestMessage> ceiling = n => Post(CeilingEndpoint.Path, residents, n, keys);

        // Warm both paths (the JIT, connection pools, buffer caches), then a checkpoint so none falls in a phase.
        Expect(await LoadGenerator.ClosedLoopAsync(http, orders, clients, TimeSpan.FromSeconds(warmUp)), "warm-up orders");
        Expect(await LoadGenerator.ClosedLoopAsync(http, ceiling, clients, TimeSpan.FromSeconds(Math.Max(4, warmUp / 3))), "warm-up ceiling");
        // Every upstream connection open, as a proxy's pool is after its first busy minute: a burst in the open loop then
        // finds one free rather than paying for a new connection (and the JIT for code a connection runs once) in the window.
        if (!coldConnections)
        {
            Expect(await LoadGenerator.ClosedLoopAsync(http, ceiling, Connections, TimeSpan.FromSeconds(2)), "warm-up ceiling, every connection");
        }

        Console.WriteLine($"{opened} connections open after the warm-up");
        var historyCopies = NamedArg(args, "--history", 4);
        var history = Stopwatch.StartNew();
        var (historyOrders, historyCeiling) = await HistoryAsync(ceilingSource, historyCopies);
        Console.WriteLine($"History: {historyOrders:N0} orders (with their events and notices) and {historyCeiling:N0} ceiling rows, " +
                          $"the rows so far copied {historyCopies} times, in {history.Elapsed.TotalSeconds:F0} s");
        await VacuumAsync(ceilingSource);
        await CheckpointAsync(ceilingSource);

        if (args.Contains("--alloc"))
        {
            await CostBreakdownAsync(host, http, orders, ceiling);
        }

        // Rounds: the ceiling and the orders in closed loop, then the orders in open loop. Within a round the two closed loops
        // take turns in slices of a second or so (ceiling, orders, ceiling, …): a shared machine's speed drifts within
        // seconds, and alternating slices give both sides the same drift, so the ratio stays a property of the platform.
        // Each round ends with the open loop at 80 % of what the orders did just before: 80 % of the speed the machine has
        // now, not of an average over a minute in which it drifted.
        var rounds = NamedArg(args, "--rounds", 3);
        var slices = NamedArg(args, "--slices", 6);
        var phase = TimeSpan.FromSeconds(seconds / (double)rounds);
        var slice = phase / slices;
        var openPhase = TimeSpan.FromSeconds(Math.Max(10, seconds) / (double)rounds);
        // --warm-rounds=0 measures from the first round.
        var warmRounds = args.FirstOrDefault(a => a.StartsWith("--warm-rounds=", StringComparison.Ordinal)) is { } w && int.TryParse(w["--warm-rounds=".Length..], out var wr)
            ? Math.Max(0, wr)
            : 1;
        Console.WriteLine($"{rounds} rounds after {warmRounds} unmeasured: closed loops of {clients} clients, {phase.TotalSeconds:F0} s each in {slices} slices " +
                          $"taking turns, then the open loop for {openPhase.TotalSeconds:F0} s…");
        var (jitMethods, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var rawParts = new List<LoadResult>();
        var maxParts = new List<LoadResult>();
        var openParts = new List<(LoadResult Result, double Rate)>();
        MachineLoad rawCpu = default, maxCpu = default, at80Cpu = default;
        long rawAllocated = 0, maxAllocated = 0, rawCommits = 0, maxCommits = 0, checkpoints = 0, rawPages = 0, maxPages = 0;
        var (pause, gen2, collections) = (TimeSpan.Zero, 0, 0);
        var housekeeping = new List<string>();
        using var gcPauses = new GcPauses();
        var openWindows = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        var after = new List<double>();
        var (rawThreads, maxThreads, at80Threads, openJitTime) = ("", "", "", TimeSpan.Zero);
        for (var round = -warmRounds; round < rounds; round++)
        {
            var (rawSlices, maxSlices) = (new List<LoadResult>(), new List<LoadResult>());
            for (var turn = 0; turn < 2 * slices; turn++)
            {
                var ofOrders = turn % 2 == 1;
                var commits = await CountersAsync(ceilingSource);
                var threads = ThreadUse.Now();
                var cpu = MachineLoad.Now(cluster.Port);
                var allocated = GC.GetTotalAllocatedBytes();
                var part = Expect(await LoadGenerator.ClosedLoopAsync(http, ofOrders ? orders : ceiling, clients, slice), ofOrders ? "orders" : "ceiling");
                var used = MachineLoad.Now(cluster.Port) - cpu;
                var bytes = GC.GetTotalAllocatedBytes() - allocated;
                var (committed, pages) = await CountersAsync(ceilingSource) - commits;
                if (ofOrders)
                {
                    maxThreads = threads.Since(part.Ok);
                    (maxCpu, maxAllocated, maxCommits, maxPages) = (maxCpu + used, maxAllocated + bytes, maxCommits + committed, maxPages + pages);
                    maxSlices.Add(part);
                }
                else
                {
                    rawThreads = threads.Since(part.Ok);
                    (rawCpu, rawAllocated, rawCommits, rawPages) = (rawCpu + used, rawAllocated + bytes, rawCommits + committed, rawPages + pages);
                    rawSlices.Add(part);
                }
            }

            rawParts.Add(LoadResult.Combine(rawSlices));
            maxParts.Add(LoadResult.Combine(maxSlices));

            // The closed loops just wrote thousands of rows, which may put the tables past autovacuum's threshold: that
            // catch-up belongs to the setup, not to the open loop's window (at a steady rate on tables of real size it comes
            // rarely and one table at a time). With the history, the window's own rows stay below the next threshold. No
            // checkpoint here: after one, the first change to each page writes the whole page to the WAL, and the window's
            // first second was its worst.
            await VacuumAsync(ceilingSource);
            // ANALYZE gave the tables new statistics, so every connection plans its prepared statements again on their next
            // use: done here, unmeasured, rather than by the window's first requests.
            // With every connection: the closed loops used a few of them, and the open loop's bursts need more.
            // The ceiling's statements too, so that neither side pays for its plans in the next round's first slice.
            Expect(await LoadGenerator.ClosedLoopAsync(http, ceiling, clients, TimeSpan.FromSeconds(1)), "ceiling after VACUUM");
            Expect(await LoadGenerator.ClosedLoopAsync(http, orders, coldConnections ? clients : Connections, TimeSpan.FromSeconds(1)), "orders after VACUUM");
            var rate = maxParts[^1].Rate * 0.8;
            var openedBefore = opened;
            var openThreads = ThreadUse.Now();
            var openCpu = MachineLoad.Now(cluster.Port);
            var openStart = DateTimeOffset.UtcNow;
            var checkpointsBefore = await CheckpointsAsync(ceilingSource);
            var (pauseBefore, gcBefore, gc0Before) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2), GC.CollectionCount(0));
            var openJit = System.Runtime.JitInfo.GetCompilationTime();
            if (serverTimes is not null)
            {
                serverTimes.Round = openWindows.Count + 1;
            }

            openParts.Add((Expect(await LoadGenerator.OpenLoopAsync(http, orders, rate, openPhase), "orders at 80 %"), rate));
            if (serverTimes is not null)
            {
                serverTimes.Round = 0;
            }

            openJitTime += System.Runtime.JitInfo.GetCompilationTime() - openJit;
            at80Cpu += MachineLoad.Now(cluster.Port) - openCpu;
            at80Threads = openThreads.Since(openParts[^1].Result.Ok);
            (pause, gen2, collections) = (pause + GC.GetTotalPauseDuration() - pauseBefore, gen2 + GC.CollectionCount(2) - gcBefore,
                collections + GC.CollectionCount(0) - gc0Before);
            checkpoints += await CheckpointsAsync(ceilingSource) - checkpointsBefore;
            openWindows.Add((openStart, DateTimeOffset.UtcNow));
            housekeeping.Add($"round {round + 1}: " + await HousekeepingAsync(ceilingSource, openStart) + $", {opened - openedBefore} connections opened");
            // The closed loop again, unmeasured but for its rate: what the machine gave right after the window. A window whose
            // rate came close to it ran at or above capacity: the machine had slowed since the closed loop that set the rate.
            after.Add(Expect(await LoadGenerator.ClosedLoopAsync(http, orders, clients, slice), "orders after the window").Rate);
            if (round < 0)
            {
                Console.WriteLine($"unmeasured round {round + 1 + warmRounds} of {warmRounds}: ceiling {rawParts[^1].Rate:F0}/s, orders {maxParts[^1].Rate:F0}/s " +
                                  $"({maxParts[^1].Rate / rawParts[^1].Rate:F2}), open loop {openParts[^1].Result.Rate:F0}/s with p99 {openParts[^1].Result.P99:F1} ms; " +
                                  $"whole pages to the WAL per request: ceiling {rawPages / (double)rawParts[^1].Ok:F2}, orders {maxPages / (double)maxParts[^1].Ok:F2}; " +
                                  housekeeping[^1]);
                // A round run whole and forgotten: the code a round runs (the bench's between its phases too) is compiled
                // by then at the JIT's last tier, work a server does once and never again in the windows that follow.
                rawParts.Clear();
                maxParts.Clear();
                openParts.Clear();
                housekeeping.Clear();
                after.Clear();
                openJitTime = TimeSpan.Zero;
                (rawCpu, maxCpu, at80Cpu) = (default, default, default);
                (rawAllocated, maxAllocated, rawCommits, maxCommits, checkpoints, rawPages, maxPages) = (0, 0, 0, 0, 0, 0, 0);
                (pause, gen2, collections) = (TimeSpan.Zero, 0, 0);
                (jitMethods, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
            }
        }

        var raw = LoadResult.Combine(rawParts);
        var max = LoadResult.Combine(maxParts);
        var at80 = LoadResult.Combine([.. openParts.Select(p => p.Result)]);
        var rows = await CountAsync(ceilingSource);

        Console.WriteLine();
        Console.WriteLine($"POST /api/v1/orders over HTTP, {clients} clients, PostgreSQL synchronous_commit={settings["synchronous_commit"]} fsync={settings["fsync"]}" +
                          (keys ? ", an Idempotency-Key on every request" : ", no Idempotency-Key") + (prepare ? ", Npgsql auto-prepare (the platform's default)" : ", Npgsql auto-prepare off"));
        Console.WriteLine($"ceiling (same pipeline, one raw INSERT) {raw.Rate,8:F0} inserts/s  p50 {raw.P50,6:F1} ms  p99 {raw.P99,6:F1} ms  ({raw.Ok:N0} in {raw.Seconds:F1} s)");
        Console.WriteLine($"orders at their most                   {max.Rate,8:F0} orders/s   p50 {max.P50,6:F1} ms  p99 {max.P99,6:F1} ms  ({max.Ok:N0} in {max.Seconds:F1} s)");
        Console.WriteLine($"orders at 80 % (open loop)              {at80.Rate,8:F0} orders/s   p50 {at80.P50,6:F1} ms  p99 {at80.P99,6:F1} ms  max {at80.Max:F1} ms ({at80.Ok:N0} sent)");
        Console.WriteLine("  each round, orders per second closed, then 80 % of it open (its p99), then closed again (the open loop's share of it): " +
                          string.Join("; ", maxParts.Zip(openParts, after).Select((p, i) =>
                              $"{i + 1}: {p.First.Rate:F0}, {p.Second.Rate:F0} ({p.Second.Result.P99:F1} ms), {p.Third:F0} ({p.Second.Rate / p.Third:P0})")));
        // --dump=FILE: every open-loop request (times in ms from when it was due), and in FILE.gc the collector's pauses.
        if (dump is not null && serverTimes is not null)
        {
            // The measured rounds' windows are the last ones (the unmeasured rounds' come first).
            var firstMeasured = openWindows.Count - openParts.Count + 1;
            static string Ms(long due, long at) => at == 0 ? "" : Stopwatch.GetElapsedTime(due, at).TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture);
            string Server(int round, int i, long due) => serverTimes.TryGet(round, i, out var t)
                ? $"{Ms(due, t.Start)},{Ms(due, serverTimes.Admitted(round, i))},{Ms(due, t.End)}"
                : ",,";
            await File.WriteAllLinesAsync(dump, openParts.SelectMany((p, r) => p.Result.InOrder.Select((ms, i) =>
                    string.Create(CultureInfo.InvariantCulture, $"{r + 1},{Ms(p.Result.DueAt(0), p.Result.DueAt(i))},{ms:F2},{p.Result.IssuedLate[i]:F2},")
                    + Server(firstMeasured + r, i, p.Result.DueAt(i))))
                .Prepend("round,due_ms,latency_ms,issued_late_ms,server_start_ms,admitted_ms,server_end_ms"));
            Console.WriteLine("  the windows' first requests were due at (Stopwatch, monotonic ns): " +
                              string.Join(", ", openParts.Select(p => (p.Result.DueAt(0) * (1_000_000_000.0 / Stopwatch.Frequency)).ToString("F0", CultureInfo.InvariantCulture))));
            await File.WriteAllLinesAsync(dump + ".gc", openWindows.TakeLast(openParts.Count).SelectMany((w, r) => gcPauses.Between(w.Start, w.End).Select(g =>
                string.Create(CultureInfo.InvariantCulture, $"{r + 1},{(g.Triggered - w.Start.UtcDateTime).TotalMilliseconds:F1},{g.ToSuspendMs:F2},{g.PauseMs:F2}")))
                .Prepend("round,triggered_ms,to_suspend_ms,pause_ms"));
        }

        // Where the tail came from: the worst seconds of the open loop, and the garbage collector's pauses meanwhile.
        var bySecond = openParts.SelectMany((p, r) => p.Result.InOrder.Select((ms, i) => (Round: r, Second: (int)(i / p.Rate), Ms: ms))).GroupBy(x => (x.Round, x.Second))
            .Select(g => (Key: $"r{g.Key.Round + 1}s{g.Key.Second}", g.Key.Round, g.Key.Second,
                P99: g.Select(x => x.Ms).Order().ElementAt((int)Math.Min(g.Count() - 1, Math.Ceiling(g.Count() * 0.99) - 1)))).ToList();
        var worst = bySecond.OrderByDescending(x => x.P99).Take(4).ToList();
        var medianSecond = bySecond.OrderBy(x => x.P99).ElementAt(bySecond.Count / 2);
        Console.WriteLine("  worst seconds of the open loop (p99): " + string.Join(", ", worst.Select(x => $"{x.Key} {x.P99:F0} ms")) +
                          $"; median second {medianSecond.P99:F0} ms; GC pauses meanwhile {pause.TotalMilliseconds:F0} ms in all over {collections} collections, {gen2} of them gen-2; " +
                          $"JIT meanwhile {openJitTime.TotalMilliseconds:F0} ms");
        // A collection stops every thread that allocates from the moment one triggers it, but the runtime's pause only starts
        // when a collector thread got a core and began suspending the rest: the stall a request meets is the two together.
        var collected = openWindows.TakeLast(openParts.Count).SelectMany(w => gcPauses.Between(w.Start, w.End)).ToList();
        if (collected.Count > 0)
        {
            var toSuspend = new LoadResult(0, 0, 0, [.. collected.Select(g => g.ToSuspendMs)], null);
            var stall = new LoadResult(0, 0, 0, [.. collected.Select(g => g.StallMs)], null);
            Console.WriteLine($"  collections in the windows: {collected.Count}; from the trigger to suspending the threads p50 {toSuspend.P50:F1} ms, at most {toSuspend.Max:F1} ms; " +
                              $"from the trigger to the threads running again p50 {stall.P50:F1} ms, at most {stall.Max:F1} ms, {collected.Count(g => g.StallMs > 10)} over 10 ms");
        }

        // The issuer is a thread of this process: if the busy machine kept it from a core, requests left late, and that
        // lateness is in their latency (the rest of the load generator's share needs --dump to see).
        var late = new LoadResult(0, 0, 0, [.. openParts.SelectMany(p => p.Result.IssuedLate)], null);
        Console.WriteLine($"  the open loop's requests left after they were due by: p50 {late.P50:F1} ms, p99 {late.P99:F1} ms, " +
                          $"at most {late.Max:F1} ms (part of their latency)");
        Console.WriteLine($"  allocated per request (this process, load generator included): ceiling {rawAllocated / 1024.0 / raw.Ok:F0} KB, orders {maxAllocated / 1024.0 / max.Ok:F0} KB" +
                          $"; GC {(GCSettings.IsServerGC ? "server" : "workstation")}");
        Console.WriteLine("  PostgreSQL's own work during the open loop (s = seconds into it): " + string.Join("; ", housekeeping) + $"; checkpoints {checkpoints}");
        Console.WriteLine("  each round, ceiling and orders per second: " + string.Join("; ", rawParts.Zip(maxParts).Select((p, i) =>
            $"{i + 1}: {p.First.Rate:F0} and {p.Second.Rate:F0} ({p.Second.Rate / p.First.Rate:F2})")));
        var ratio = max.Rate / raw.Rate;
        Console.WriteLine($"orders/s / ceiling inserts/s: {ratio:F2} (target ≥ {RatioTarget}) {Verdict(ratio >= RatioTarget)}");
        Console.WriteLine($"p99 at 80 % of the most: {at80.P99:F1} ms (target < {P99At80Target} ms) {Verdict(at80.P99 < P99At80Target)}");
        Console.WriteLine($"database transactions per request (each statement outside a transaction is one): ceiling {rawCommits / (double)raw.Ok:F1}, " +
                          $"orders {maxCommits / (double)max.Ok:F1}; whole pages written to the WAL per request (the first change to a page after a " +
                          $"checkpoint): ceiling {rawPages / (double)raw.Ok:F2}, orders {maxPages / (double)max.Ok:F2}");
        Console.WriteLine($"CPU per request, this process (platform and load generator) + PostgreSQL: ceiling {rawCpu.Own / raw.Ok:F2} + {rawCpu.Postgres / raw.Ok:F2} ms, " +
                          $"orders {maxCpu.Own / max.Ok:F2} + {maxCpu.Postgres / max.Ok:F2} ms, orders at 80 % (open loop: fewer at once, less shared per wake-up and per commit) " +
                          $"{at80Cpu.Own / at80.Ok:F2} + {at80Cpu.Postgres / at80.Ok:F2} ms");
        Console.WriteLine($"context switches per request, this process + PostgreSQL: ceiling {rawCpu.OwnSwitches / (double)raw.Ok:F1} + " +
                          $"{rawCpu.PostgresSwitches / (double)raw.Ok:F1}, orders {maxCpu.OwnSwitches / (double)max.Ok:F1} + {maxCpu.PostgresSwitches / (double)max.Ok:F1}, " +
                          $"orders at 80 % {at80Cpu.OwnSwitches / (double)at80.Ok:F1} + {at80Cpu.PostgresSwitches / (double)at80.Ok:F1}");
        // Which threads wake: in the open loop the thread pool's workers park between requests and are woken for each step.
        Console.WriteLine($"  per request, by thread (switches, CPU): ceiling's last slice {rawThreads}");
        Console.WriteLine($"  orders' last closed slice {maxThreads}");
        Console.WriteLine($"  orders' last open loop {at80Threads}");
        // CPU per request hardly depends on who else uses the machine; the rate it allows is the figure a shared machine cannot spoil.
        var rawCpuBound = Environment.ProcessorCount * 1000 / ((rawCpu.Own + rawCpu.Postgres) / raw.Ok);
        var maxCpuBound = Environment.ProcessorCount * 1000 / ((maxCpu.Own + maxCpu.Postgres) / max.Ok);
        Console.WriteLine($"the most that CPU per request allows with all {Environment.ProcessorCount} cores ours: ceiling {rawCpuBound:F0}/s, orders {maxCpuBound:F0}/s, " +
                          $"ratio {maxCpuBound / rawCpuBound:F2}");
        Console.WriteLine($"ceiling phase: {rawCpu.Describe()}");
        Console.WriteLine($"orders phase:  {maxCpu.Describe()}");
        Console.WriteLine($"80 % phase:    {at80Cpu.Describe()}");
        // The JIT promotes methods to its optimized tier well after the warm-up: the unmeasured round keeps most of that
        // compiling out of the measured rounds, and this says how much was left.
        Console.WriteLine($"JIT during the rounds: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods:N0} methods compiled in " +
                          $"{(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms");
        if (explain)
        {
            // One order alone from each district's resident (their workflows differ), its SQL recorded, then explained: what
            // PostgreSQL spends planning and executing for it.
            for (var d = 0; d < residents.Count; d++)
            {
                var log = new List<QueryLog.Entry>();
                using (QueryLog.CaptureAll(log))
                {
                    using var one = await http.SendAsync(orders(d));
                    one.EnsureSuccessStatusCode();
                }

                Console.WriteLine($"The SQL of one POST /api/v1/orders by district {d + 1}'s resident ({log.Count} commands), explained:");
                await QueryLog.ExplainAsync(ceilingSource, log, Console.Out, summary: true);
            }
        }

        Console.WriteLine($"orders in the database: {rows.Orders:N0}; ceiling rows: {rows.Ceiling:N0}; whole bench {total.Elapsed.TotalSeconds:F0} s");
    }

    private static int NamedArg(string[] args, string name, int fallback) =>
        args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal)) is { } a && int.TryParse(a[(name.Length + 1)..], out var n) && n > 0 ? n : fallback;

    private static string Verdict(bool pass) => pass ? "PASS" : "FAIL";

    private static int IntArg(string[] args, int index, int fallback) =>
        args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ElementAtOrDefault(index) is { } s && int.TryParse(s, out var n) ? n : fallback;

    private static HttpRequestMessage Post(string path, List<(string Token, List<Guid> Platforms)> residents, long n, bool idempotencyKey)
    {
        var (token, platforms) = residents[(int)(n % residents.Count)];
        var random = Random.Shared;
        var body = new
        {
            title = Titles[random.Next(Titles.Length)],
            description = Descriptions[random.Next(Descriptions.Length)],
            platformId = platforms[random.Next(platforms.Count)],
            wantedAt = DateTimeOffset.UtcNow.AddHours(random.Next(2, 96)),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        return request;
    }

    /// <summary>Both endpoints refuse a caller without a token, and take a signed-in one.</summary>
    private const int Connections = 64;

    /// <summary>
    /// Where an order's cost goes: bytes allocated and this process's CPU per operation, four at a time for a few seconds
    /// each (the cores busy, as under load): over HTTP, then in process the caller's scope alone (what every request pays),
    /// the use case, and the use case with its view and JSON.
    /// </summary>
    private static async Task CostBreakdownAsync(BenchHost host, HttpClient http, Func<long, HttpRequestMessage> orders, Func<long, HttpRequestMessage> ceiling)
    {
        async Task<string> PerRequest(Func<long, Task> one)
        {
            long sequence = 0;
            async Task<long> RunAsync(TimeSpan duration)
            {
                var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
                var before = Interlocked.Read(ref sequence);
                await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    while (Stopwatch.GetTimestamp() < end)
                    {
                        await one(Interlocked.Increment(ref sequence));
                    }
                })));
                return Interlocked.Read(ref sequence) - before;
            }

            await RunAsync(TimeSpan.FromSeconds(2));
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var n = await RunAsync(TimeSpan.FromSeconds(5));
            var ms = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / n;
            return $"{(GC.GetTotalAllocatedBytes(precise: true) - bytes) / 1024.0 / n:F0} KB {ms:F2} ms";
        }

        var viaCeiling = await PerRequest(async i => (await http.SendAsync(ceiling(i))).Dispose());
        var viaOrders = await PerRequest(async i => (await http.SendAsync(orders(i))).Dispose());
        Guid userId;
        Guid districtId;
        IReadOnlyList<Wenming.Web.Infrastructure.Tenancy.Grant> grants;
        Guid platform;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<Wenming.Web.Infrastructure.Data.AppDbContext>();
            var user = await db.Users.FirstAsync(u => u.UserName == BenchHost.Phone(1, "20"));
            (userId, districtId) = (user.Id, user.DistrictId);
            grants = await Wenming.Web.Infrastructure.Tenancy.ScopeLoader.LoadGrantsAsync(db, userId, CancellationToken.None);
            platform = await db.Platforms.Where(p => p.DistrictId == districtId && p.IsActive).Select(p => p.Id).FirstAsync();
        }

        async Task Caller()
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Wenming.Web.Infrastructure.Data.AppDbContext>();
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            _ = await Wenming.Web.Infrastructure.Tenancy.ScopeLoader.LoadGrantsAsync(db, userId, CancellationToken.None);
        }

        async Task Place(bool view, bool json)
        {
            await using var scope = host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<DataScope>().SetUser(userId, districtId, BenchHost.Phone(1, "20"), grants, "居民");
            var order = await scope.ServiceProvider.GetRequiredService<PlaceOrder>().RunAsync(
                new OrderInput("上门测血压", "老人行动不便", platform, null, null, null, null, null, null, DateTimeOffset.UtcNow.AddDays(1), null, null), CancellationToken.None);
            if (view)
            {
                var v = await scope.ServiceProvider.GetRequiredService<OrderQueries>().ViewPlacedAsync(order, CancellationToken.None);
                if (json)
                {
                    _ = JsonSerializer.SerializeToUtf8Bytes(v, JsonSerializerOptions.Web);
                }
            }
        }

        var context = await PerRequest(async _ =>
        {
            var sink = 0;
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Wenming.Web.Infrastructure.Data.AppDbContext>();
            sink += db.ChangeTracker.AutoDetectChangesEnabled ? 1 : 0;
            sink += db.Set<Order>().Local.Count;
        });
        var caller = await PerRequest(_ => Caller());
        var placeOnly = await PerRequest(_ => Place(false, false));
        var placeJson = await PerRequest(_ => Place(true, true));
        Console.WriteLine($"allocated and CPU of this process per operation, 4 at a time: HTTP ceiling {viaCeiling}, HTTP orders {viaOrders}; in process: " +
                          $"a unit of work (DbContext) alone {context}, + the caller's grants {caller}, PlaceAsync {placeOnly}, PlaceAsync + view + JSON {placeJson}");
    }

    private static async Task CheckAuthAsync(HttpClient http, Guid platformId)
    {
        foreach (var path in new[] { "/api/v1/orders", CeilingEndpoint.Path })
        {
            using var anonymous = await http.PostAsJsonAsync(path, new { title = "匿名点单", platformId });
            if ((int)anonymous.StatusCode != 401)
            {
                throw new InvalidOperationException($"POST {path} without a token answered {(int)anonymous.StatusCode}, not 401");
            }
        }
    }

    private static LoadResult Expect(LoadResult result, string phase) =>
        result.Failed > 0 || result.Ok == 0
            ? throw new InvalidOperationException($"{phase}: {result.Failed} of {result.Failed + result.Ok} requests failed; first: {result.FirstError}")
            : result;

    /// <summary>The durability settings in force: synchronous_commit is the server's default, read here, not set.</summary>
    private static async Task<Dictionary<string, string>> SettingsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(
            "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'full_page_writes', 'wal_sync_method') ORDER BY name");
        await using var reader = await cmd.ExecuteReaderAsync();
        var settings = new Dictionary<string, string>();
        while (await reader.ReadAsync())
        {
            settings[reader.GetString(0)] = reader.GetString(1);
        }

        return settings;
    }

    /// <summary>Transactions committed in this database, and whole pages written to the WAL (full-page images) in the cluster.</summary>
    private readonly record struct Counters(long Commits, long Pages)
    {
        public static Counters operator -(Counters a, Counters b) => new(a.Commits - b.Commits, a.Pages - b.Pages);
    }

    /// <summary>The counters so far (the statistics are flushed within a second).</summary>
    private static async Task<Counters> CountersAsync(NpgsqlDataSource db)
    {
        await Task.Delay(1_100);
        await using var cmd = db.CreateCommand(
            "SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()), (SELECT wal_fpi FROM pg_stat_wal)");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Counters(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Autovacuum runs since <paramref name="since"/>: PostgreSQL's own work, competing with requests on a shared machine.</summary>
    private static async Task<string> HousekeepingAsync(NpgsqlDataSource db, DateTimeOffset since)
    {
        await using var cmd = db.CreateCommand(
            "SELECT relname, last_autovacuum, last_autoanalyze FROM pg_stat_user_tables WHERE greatest(last_autovacuum, last_autoanalyze) > $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = since });
        var parts = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                string At(int i) => reader.IsDBNull(i) || reader.GetFieldValue<DateTimeOffset>(i) < since ? "-" : $"s{(reader.GetFieldValue<DateTimeOffset>(i) - since).TotalSeconds:F0}";
                parts.Add($"{reader.GetString(0)} vacuum {At(1)} analyze {At(2)}");
            }
        }

        return parts.Count == 0 ? "no autovacuum" : "autovacuum " + string.Join("; ", parts);
    }

    private static async Task<long> CheckpointsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task VacuumAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("VACUUM (ANALYZE) orders, order_events, order_notices, bench_orders");
        cmd.CommandTimeout = 300;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A history in the tables, as a platform that has run for a while holds: the rows so far (the demo's and the warm-up's
    /// orders, events, notices and ceiling rows) copied <paramref name="copies"/> times under new keys and numbers. On tables of
    /// a few thousand rows, autovacuum's ANALYZE (due when a tenth of the rows changed) comes inside a window, and makes every
    /// connection plan its statements again there.
    /// With the history, a window's rows stay below that tenth after the VACUUM (ANALYZE) that precedes it.
    /// </summary>
    private static async Task<(long Orders, long Ceiling)> HistoryAsync(NpgsqlDataSource db, int copies)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand($"""
            CREATE TEMP TABLE keys AS SELECT "Id" AS old, gen_random_uuid() AS new, copy FROM orders, generate_series(1, {copies}) copy;
            CREATE TEMP TABLE o AS SELECT k.new AS new_id, k.copy, o.* FROM orders o JOIN keys k ON k.old = o."Id";
            UPDATE o SET "Id" = new_id, "Number" = 'H' || copy || '-' || "Number";
            ALTER TABLE o DROP COLUMN new_id, DROP COLUMN copy;
            INSERT INTO orders SELECT * FROM o;
            CREATE TEMP TABLE e AS SELECT k.new AS new_order, e.* FROM order_events e JOIN keys k ON k.old = e."OrderId";
            UPDATE e SET "Id" = gen_random_uuid(), "OrderId" = new_order;
            ALTER TABLE e DROP COLUMN new_order;
            INSERT INTO order_events SELECT * FROM e;
            CREATE TEMP TABLE n AS SELECT k.new AS new_order, n.* FROM order_notices n JOIN keys k ON k.old = n."OrderId";
            UPDATE n SET "Id" = gen_random_uuid(), "OrderId" = new_order;
            ALTER TABLE n DROP COLUMN new_order;
            INSERT INTO order_notices SELECT * FROM n;
            INSERT INTO bench_orders SELECT gen_random_uuid(), district_id, requester_user_id, number, title, description, platform_id, wanted_at,
                contact_name, contact_phone, state, step_index, created_at, updated_at, version FROM bench_orders, generate_series(1, {copies});
            DROP TABLE keys, o, e, n;
            """, connection))
        {
            cmd.CommandTimeout = 600;
            await cmd.ExecuteNonQueryAsync();
        }

        return await CountAsync(db);
    }

    private static async Task CheckpointAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("CHECKPOINT");
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<(long Orders, long Ceiling)> CountAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM bench_orders)");
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
