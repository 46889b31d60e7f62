using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Idempotency;
using Xunit.Abstractions;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// Exactly once across a crash (docs/adr/0008): the platform runs as a process of its own, is killed with SIGKILL in the
/// middle of a burst of orders that each carry an Idempotency-Key, and is started again on the same database; every key
/// is then retried until it answers.
/// </summary>
public sealed class IdempotencyCrashTests(ITestOutputHelper output)
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private const int KeysPerBurst = 80;
    private const int MaxBursts = 4;
    private const int Clients = 12;
    private const int KillAfter = 20;
    private const int LeaseSeconds = 6;
    private const string Resident = "13804000020";

    private sealed record Answer(int Status, Guid? OrderId, bool Replayed, string Body);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Keyed_orders_in_flight_when_the_platform_is_killed_end_with_one_order_and_one_answer_each(string provider)
    {
        using var database = CrashDatabase.Create(provider);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Default"] = database.ConnectionString,
            // Seeding at start: the demo tree and accounts, and no more volunteers than the teams need.
            ["Demo:VolunteersPerDistrict"] = "0",
            ["PersonalData:Key"] = TestHost.TestKey,
            ["Files:Root"] = database.Files,
            ["Orders:DeadlineScanSeconds"] = "86400",
            ["RateLimits:AuthPerMinute"] = "100000",
            ["Idempotency:LeaseSeconds"] = LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var clock = Stopwatch.StartNew();

        // Before the kill: a burst of keyed orders from a dozen clients at once, and SIGKILL once 20 have their answer and a
        // request holds a key it has not answered. Should the kill miss that window all the same, another burst on new keys.
        var keys = new List<string>();
        var bodies = new List<string>();
        var answered = new ConcurrentDictionary<int, Answer>();
        var platformId = Guid.Empty;
        var wantedAt = DateTimeOffset.UtcNow.AddDays(3);
        var (bursts, inFlightAtKill, leftClaimed) = (0, 0, 0);
        var firstStart = TimeSpan.Zero;
        while (leftClaimed == 0 && bursts < MaxBursts)
        {
            using var platform = await PlatformProcess.StartAsync(settings, TimeSpan.FromSeconds(180));
            firstStart = firstStart == TimeSpan.Zero ? clock.Elapsed : firstStart;
            using var client = await platform.ClientAsAsync(Resident);
            platformId = platformId == Guid.Empty ? await FirstPlatformAsync(client) : platformId;
            var first = keys.Count;
            for (var i = first; i < first + KeysPerBurst; i++)
            {
                keys.Add(Guid.NewGuid().ToString("N"));
                bodies.Add(JsonSerializer.Serialize(new { title = Title(i), description = "断电后用同一个键重试", platformId, wantedAt }));
            }

            // The watch's first look builds EF's model (seconds): before the burst, not between a look and the kill.
            Assert.Equal(0, await database.UnansweredAsync());
            var next = first - 1;
            var finished = 0;
            var inFlight = 0;
            var killed = 0;
            async Task ClientAsync()
            {
                while (Volatile.Read(ref killed) == 0)
                {
                    var i = Interlocked.Increment(ref next);
                    if (i >= first + KeysPerBurst)
                    {
                        return;
                    }

                    Interlocked.Increment(ref inFlight);
                    try
                    {
                        answered[i] = await PostAsync(client, keys[i], bodies[i]);
                    }
                    catch (HttpRequestException)
                    {
                        // Killed while this one was in flight: no answer.
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }

                    if (Interlocked.Increment(ref finished) == KillAfter)
                    {
                        var watching = Stopwatch.StartNew();
                        while (await database.UnansweredAsync() == 0 && watching.Elapsed < TimeSpan.FromSeconds(5))
                        {
                        }

                        inFlightAtKill += Volatile.Read(ref inFlight);
                        platform.Kill();
                        Volatile.Write(ref killed, 1);
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(ClientAsync))).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.True(platform.HasExited, "the burst ended before the kill");
            bursts++;
            // The window this is about: keys claimed by requests the kill cut short, with no answer (before 0008, for ever).
            leftClaimed = await database.UnansweredAsync();
        }

        Assert.True(leftClaimed > 0, $"no kill of {bursts} left a key claimed without an answer");
        Assert.All(answered, a => Assert.True(a.Value.Status == 201, $"key {a.Key} before the kill: {a.Value.Status} {a.Value.Body}"));

        // After the restart: every key again, the same request, until it answers; a claim left by the dead process holds
        // for its lease (6 s here, counted from before the kill), then the retry takes the key over.
        var killedAt = clock.Elapsed;
        var final = new Dictionary<int, Answer>();
        var waitedForLease = 0;
        using (var platform = await PlatformProcess.StartAsync(settings, TimeSpan.FromSeconds(120)))
        {
            var restarted = clock.Elapsed - killedAt;
            using var client = await platform.ClientAsAsync(Resident);
            var pending = Enumerable.Range(0, keys.Count).ToList();
            var deadline = Stopwatch.StartNew();
            while (pending.Count > 0)
            {
                var round = new ConcurrentBag<(int I, Answer Answer)>();
                await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Clients },
                    async (i, _) => round.Add((i, await PostAsync(client, keys[i], bodies[i]))));
                pending.Clear();
                foreach (var (i, answer) in round.OrderBy(r => r.I))
                {
                    if (answer.Status == 409 && answer.Body.Contains("idempotency-in-progress", StringComparison.Ordinal))
                    {
                        pending.Add(i);
                        continue;
                    }

                    Assert.True(answer.Status == 201, $"key {i} after the restart: {answer.Status} {answer.Body}\n{platform.Output}");
                    final[i] = answer;
                }

                if (pending.Count > 0)
                {
                    waitedForLease += pending.Count;
                    Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10 * LeaseSeconds),
                        $"keys still in progress {deadline.Elapsed.TotalSeconds:0} s after the restart: {string.Join(", ", pending)}");
                    await Task.Delay(TimeSpan.FromSeconds(LeaseSeconds) / 2);
                }
            }

            output.WriteLine($"{provider}: first start {firstStart.TotalSeconds:0.0} s, restart {restarted.TotalSeconds:0.0} s; {bursts} burst(s) " +
                             $"of {KeysPerBurst} keys; {answered.Count} keys answered before a kill, {inFlightAtKill} in flight at it, {leftClaimed} " +
                             "claimed without an answer; after the restart " +
                             $"{final.Values.Count(a => a.Replayed)} replayed, {final.Values.Count(a => !a.Replayed)} ran (again or first), " +
                             $"{waitedForLease} answers of 409 while a claim's lease ran; {clock.Elapsed.TotalSeconds:0} s in all");
        }

        // An acknowledged order is never lost, and its retry gets the same answer.
        foreach (var (i, before) in answered)
        {
            Assert.True(final[i].Replayed, $"key {i} was answered before the kill, but ran again after it");
            Assert.Equal(before.OrderId, final[i].OrderId);
        }

        // Each key has exactly the one order its answer names; no claim is left without an answer.
        var orders = await database.Db.Set<Order>().IgnoreQueryFilters().Where(o => o.Title.StartsWith(TitlePrefix)).Select(o => new { o.Title, o.Id })
            .ToListAsync();
        Assert.Equal(0, await database.UnansweredAsync());
        var byTitle = orders.GroupBy(o => o.Title).ToDictionary(g => g.Key, g => g.Select(o => o.Id).ToList());
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.True(byTitle.TryGetValue(Title(i), out var ids) && ids.Count == 1,
                $"key {i}: {(byTitle.TryGetValue(Title(i), out var found) ? found.Count : 0)} orders");
            Assert.Equal(final[i].OrderId, ids[0]);
        }

        Assert.Equal(keys.Count, orders.Count);
    }

    private const string TitlePrefix = "断电重试 ";

    private static string Title(int i) => $"{TitlePrefix}{i:D3}";

    private static async Task<Guid> FirstPlatformAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/platforms");
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement[0].GetProperty("id").GetGuid();
    }

    private static async Task<Answer> PostAsync(HttpClient client, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Guid? id = null;
        if (response.StatusCode == HttpStatusCode.Created)
        {
            using var json = JsonDocument.Parse(text);
            id = json.RootElement.GetProperty("id").GetGuid();
        }

        return new Answer((int)response.StatusCode, id, response.Headers.Contains("Idempotent-Replayed"), text);
    }

    /// <summary>A throwaway database for the platform's process: a file, or a database of its own in the run's PostgreSQL cluster.</summary>
    private sealed class CrashDatabase : IDisposable
    {
        private readonly string _provider;
        private readonly string _name;

        private CrashDatabase(string provider, string name, string connectionString)
        {
            _provider = provider;
            _name = name;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        public string Files { get; } = Path.Combine(Path.GetTempPath(), $"wenming-files-{Guid.NewGuid():N}");

        public static CrashDatabase Create(string provider)
        {
            if (provider == "Sqlite")
            {
                var file = Path.Combine(Path.GetTempPath(), $"wenming-tests-crash-{Guid.NewGuid():N}.db");
                return new CrashDatabase(provider, file, $"Data Source={file}");
            }

            var name = $"wenming_crash_{Guid.NewGuid():N}";
            return new CrashDatabase(provider, name, TestHosts.PostgresConnectionString(name));
        }

        /// <summary>
        /// The platform's database, read as the platform (no scope), on a connection of this test's own that stays open (so
        /// that watching for a claim takes no connection's start-up between a look and the kill).
        /// </summary>
        public AppDbContext Db
        {
            get
            {
                if (_db is null)
                {
                    var scope = SqliteDesignTimeFactory.SystemScope();
                    _db = _provider == "Sqlite"
                        ? new SqliteAppDbContext(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(ConnectionString).Options) { Scope = scope }
                        : new PostgresAppDbContext(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql(ConnectionString + ";Pooling=false").Options) { Scope = scope };
                    _db.Database.OpenConnection();
                }

                return _db;
            }
        }

        private AppDbContext? _db;

        /// <summary>Keys claimed by a request that has not answered (yet, or ever).</summary>
        public Task<int> UnansweredAsync() => Db.Set<IdempotencyRecord>().CountAsync(r => r.StatusCode == null);

        public void Dispose()
        {
            _db?.Dispose();
            if (_provider == "Sqlite")
            {
                SqliteConnection.ClearAllPools();
                foreach (var file in new[] { _name, _name + "-wal", _name + "-shm" }.Where(File.Exists))
                {
                    File.Delete(file);
                }
            }
            else
            {
                using var admin = new NpgsqlConnection(TestHosts.PostgresConnectionString("postgres") + ";Pooling=false");
                admin.Open();
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
                drop.ExecuteNonQuery();
            }

            if (Directory.Exists(Files))
            {
                Directory.Delete(Files, recursive: true);
            }
        }
    }
}
