using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Activities;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Bench;

/// <summary>
/// Sign-ups: a popular activity, 2,000 people signing up at once over real HTTP on durable PostgreSQL. The
/// accepted count must equal the capacity exactly (the rest waiting, none lost); sign-ups per second are set against a
/// ceiling in the same run: the same 2,000 people at once through the same pipeline to an endpoint that inserts one row
/// with raw Npgsql and does nothing else (no lock, no counting).
/// </summary>
internal static class SignupBench
{
    public static async Task RunAsync(string[] args)
    {
        var people = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 2_000;
        var capacity = args.Length > 1 && int.TryParse(args[1], out var c) ? c : 500;
        var total = Stopwatch.StartNew();
        Console.WriteLine("Starting a throwaway PostgreSQL cluster (fsync on)…");
        using var cluster = PostgresCluster.Start("bench-signups", durable: true);
        var cs = cluster.ConnectionString("wenming_signups");
        await BenchHost.CreateDatabaseAsync(cluster.ConnectionString("postgres"), "wenming_signups");
        await using var ceilingSource = NpgsqlDataSource.Create(cs);
        using var host = new BenchHost(cs, volunteersPerDistrict: 200, services => services
            .AddSingleton(ceilingSource)
            .AddTransient<IStartupFilter, SignupCeiling>());
        var baseAddress = host.Start();
        await using (var cmd = ceilingSource.CreateCommand(SignupCeiling.Table))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"Platform up on {baseAddress} after {total.Elapsed.TotalSeconds:F0} s; creating {people:N0} residents…");
        var tokens = await ResidentsAsync(host, people * 2 + 100);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var admin = await BenchHost.SignInAsync(http, BenchHost.Phone(4, "02"));

        // Warm both paths up with people who are not measured.
        var warm = tokens[^100..];
        var warmActivity = await PublishAsync(http, admin, capacity: 20, dayOffset: 2);
        await BurstAsync(http, warm[..50], _ => $"/api/v1/activities/{warmActivity}/signups");
        await BurstAsync(http, warm[50..], _ => $"{SignupCeiling.Path}/{warmActivity}");

        var activity = await PublishAsync(http, admin, capacity, dayOffset: 3);
        var ceiling = await BurstAsync(http, tokens[..people], _ => $"{SignupCeiling.Path}/{activity}");
        var signups = await BurstAsync(http, tokens[people..(2 * people)], _ => $"/api/v1/activities/{activity}/signups");

        await using var count = ceilingSource.CreateCommand(
            $"SELECT \"Status\", count(*) FROM activity_signups WHERE \"ActivityId\" = '{activity}' GROUP BY \"Status\"");
        var byStatus = new Dictionary<int, long>();
        await using (var reader = await count.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                byStatus[reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }

        var accepted = byStatus.GetValueOrDefault((int)SignupStatus.Accepted);
        var waiting = byStatus.GetValueOrDefault((int)SignupStatus.Waiting);
        Console.WriteLine();
        Console.WriteLine($"{people:N0} people signing up at once for {capacity:N0} places (PostgreSQL, synchronous_commit on, fsync on):");
        Console.WriteLine($"  sign-ups    {signups.PerSecond,8:N0}/s  wall {signups.Seconds:F2} s  p50 {signups.P50:F0} ms  p99 {signups.P99:F0} ms  failed {signups.Failed}");
        Console.WriteLine($"  raw INSERT  {ceiling.PerSecond,8:N0}/s  wall {ceiling.Seconds:F2} s  p50 {ceiling.P50:F0} ms  p99 {ceiling.P99:F0} ms  failed {ceiling.Failed}");
        Console.WriteLine($"  ratio       {signups.PerSecond / ceiling.PerSecond:F2} of the raw-insert ceiling");
        Console.WriteLine($"  accepted    {accepted:N0} (capacity {capacity:N0}) {(accepted == capacity ? "PASS" : "FAIL")}");
        Console.WriteLine($"  waiting     {waiting:N0}; recorded {accepted + waiting:N0} of {people:N0} {(accepted + waiting == people && signups.Failed == 0 ? "PASS (none lost)" : "FAIL")}");
        Console.WriteLine($"Total bench time {total.Elapsed.TotalSeconds:F0} s");
    }

    private sealed record Burst(double Seconds, double PerSecond, double P50, double P99, int Failed);

    /// <summary>Every person's request sent at once; the wall time from the first send to the last answer.</summary>
    private static async Task<Burst> BurstAsync(HttpClient http, string[] tokens, Func<int, string> path)
    {
        var latencies = new double[tokens.Length];
        var failed = 0;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(tokens.Select(async (token, i) =>
        {
            var sw = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, path(i)) { Content = JsonContent.Create(new { }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request);
            latencies[i] = sw.Elapsed.TotalMilliseconds;
            if ((int)response.StatusCode != 201)
            {
                Interlocked.Increment(ref failed);
            }
        }));
        var seconds = wall.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new Burst(seconds, tokens.Length / seconds, latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)], failed);
    }

    private static async Task<Guid> PublishAsync(HttpClient http, string token, int capacity, int dayOffset)
    {
        using var platforms = await http.SendAsync(BenchHost.Get("/api/v1/platforms", token));
        var platform = (await platforms.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().First().GetProperty("id").GetGuid();
        var starts = DateTimeOffset.UtcNow.AddDays(dayOffset);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/activities")
        {
            Content = JsonContent.Create(new { title = "新年音乐会（抢票）", platformId = platform, startsAt = starts, endsAt = starts.AddHours(2), capacity }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Residents of Hongta's first station with bearer tokens issued in process (no password hashing for thousands).</summary>
    private static async Task<string[]> ResidentsAsync(BenchHost host, int count)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var station = await db.Units.SingleAsync(u => u.Code == "530402-01-001");
        var users = Enumerable.Range(0, count).Select(i => new AppUser
        {
            Id = Ids.New(),
            UserName = $"176{i:D8}",
            NormalizedUserName = $"176{i:D8}",
            PhoneNumber = $"176{i:D8}",
            DisplayName = $"居民{i}",
            DistrictId = station.DistrictId,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
        }).ToList();
        db.Users.AddRange(users);
        db.RoleAssignments.AddRange(users.Select(u => new RoleAssignment(Ids.New(), station.DistrictId, u.Id, station.Id, Role.Resident, null, DateTimeOffset.UtcNow)));
        await db.SaveChangesAsync();
        var issuer = scope.ServiceProvider.GetRequiredService<TokenIssuer>();
        var tokens = new string[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = (await issuer.IssueAsync(users[i])).Token;
        }

        return tokens;
    }

    /// <summary>The ceiling: the same pipeline (bearer sign-in, scope with its grants), then one INSERT on its own connection.</summary>
    private sealed class SignupCeiling(NpgsqlDataSource dataSource) : IStartupFilter
    {
        public const string Path = "/api/v1/bench/signup-ceiling";

        public const string Table = """
                                    CREATE TABLE IF NOT EXISTS bench_signups (
                                        id uuid PRIMARY KEY, activity_id uuid NOT NULL, user_id uuid NOT NULL, role varchar(30) NOT NULL,
                                        status integer NOT NULL, created_at timestamptz NOT NULL)
                                    """;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseEndpoints(e => e.MapPost(Path + "/{id:guid}", InsertAsync));
        };

        private async Task<IResult> InsertAsync(Guid id, DataScope scope, CancellationToken ct)
        {
            if (scope.UserId is not { } userId)
            {
                return Results.Unauthorized();
            }

            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var cmd = new NpgsqlCommand("INSERT INTO bench_signups VALUES (@id, @activity, @user, '参与者', 1, @now)", connection);
            cmd.Parameters.AddWithValue("id", Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("activity", id);
            cmd.Parameters.AddWithValue("user", userId);
            cmd.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
            await cmd.ExecuteNonQueryAsync(ct);
            return Results.Created($"{Path}/{id}", new { id });
        }
    }
}
