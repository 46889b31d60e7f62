using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// The platform on a real Kestrel port and a real database (SQLite file or a throwaway PostgreSQL cluster), seeded
/// with the demo districts. The only fake is the SMS gateway, which keeps what it would have sent.
/// </summary>
public sealed class TestHost : WebApplicationFactory<Program>
{
    private readonly string _provider;
    private readonly string _connectionString;
    private readonly ConcurrentDictionary<string, string> _tokens = new();

    internal TestHost(string provider, string connectionString)
    {
        _provider = provider;
        _connectionString = connectionString;
        UseKestrel(0);
    }

    /// <summary>A fixed key for encrypting ID numbers in tests (production keys come from configuration).</summary>
    public const string TestKey = "d2VubWluZy10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE=";

    public string Provider => _provider;

    internal CapturingSmsSender Sms { get; } = new();

    internal ScriptedOrderNumbers OrderNumbers { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", _provider);
        builder.UseSetting("ConnectionStrings:Default", _connectionString);
        builder.UseSetting("RateLimits:AuthPerMinute", "100000");
        builder.UseSetting("Demo:VolunteersPerDistrict", "200");
        // The deadline scanner's own timer waits a day here: tests run its scan at the moments they choose (RunOnceAsync), and
        // an order a test makes overdue is not moved behind its back.
        builder.UseSetting("Orders:DeadlineScanSeconds", "86400");
        builder.UseSetting("PersonalData:Key", TestKey);
        builder.UseSetting("Files:Root", Path.Combine(Path.GetTempPath(), $"wenming-files-{Guid.NewGuid():N}"));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<ISmsSender>();
            services.AddSingleton<ISmsSender>(Sms);
            services.RemoveAll<Wenming.Web.Features.Orders.OrderNumbers>();
            services.AddSingleton<Wenming.Web.Features.Orders.OrderNumbers>(OrderNumbers);
            services.AddOutboxSubscriber<CountingSubscriber>();
        });
    }

    /// <summary>
    /// The same platform and database, placing one order at a time with none waiting: a second one at once is refused.
    /// With <paramref name="sms"/>, that host's text messages go there (a <see cref="HoldingSmsSender"/> keeps an order
    /// that texts its resident in its place until let go).
    /// </summary>
    internal WebApplicationFactory<Program> WithOneOrderAtATime(ISmsSender? sms = null) =>
        WithWebHostBuilder(b =>
        {
            b.UseSetting("Orders:IntakeConcurrency", "1").UseSetting("Orders:IntakeQueue", "0");
            if (sms is not null)
            {
                b.ConfigureServices(services =>
                {
                    services.RemoveAll<ISmsSender>();
                    services.AddSingleton(sms);
                });
            }
        });

    /// <summary>An HTTP client signed in (bearer token) as the demo account with this phone.</summary>
    public async Task<HttpClient> ClientAsAsync(string phone)
    {
        var client = CreateClient();
        if (!_tokens.TryGetValue(phone, out var token))
        {
            using var anonymous = CreateClient();
            var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { phone, password = "Demo#2026" });
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            token = body.GetProperty("accessToken").GetString()!;
            _tokens[phone] = token;
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An anonymous client that shows redirects instead of following them.</summary>
    public HttpClient ClientWithoutRedirects()
    {
        using var probe = CreateClient();
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = probe.BaseAddress };
    }

    public static string Phone(int district, string suffix) => $"1380{district}0000{suffix}";

    /// <summary>Runs <paramref name="work"/> against the database as the platform (no scope): for arranging and checking.</summary>
    internal async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}

/// <summary>
/// A subscriber as a feature writes one: it keeps what it handled in the database (here, an audit entry per message), in
/// the transaction that also keeps its receipt. Tests count its entries to see each event handled once.
/// </summary>
internal sealed class CountingSubscriber : IOutboxSubscriber
{
    public const string Action = "test.outbox-handled";

    public string Name => "test-counter";

    public bool Wants(string kind) => true;

    public Task HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        db.Add(new Wenming.Web.Infrastructure.Audit.AuditEntry(Guid.CreateVersion7(), message.DistrictId, DateTimeOffset.UtcNow, null, null, Action,
            "outbox", message.Id.ToString(), null, message.Kind, null));
        return Task.CompletedTask;
    }
}

/// <summary>Order numbers as drawn, unless a test has said what a district's next draw is (to make two orders collide).</summary>
internal sealed class ScriptedOrderNumbers : Wenming.Web.Features.Orders.OrderNumbers
{
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<string>> _next = new();
    private readonly ConcurrentDictionary<Guid, (TaskCompletionSource Reached, Task LetGo)> _holds = new();

    public void Script(Guid districtId, string number) => _next.GetOrAdd(districtId, _ => new()).Enqueue(number);

    public int Pending(Guid districtId) => _next.TryGetValue(districtId, out var queue) ? queue.Count : 0;

    /// <summary>
    /// The district's next draw waits until <paramref name="letGo"/> ends (for 30 s at most): the order placing it is held
    /// before it writes anything. <paramref name="reached"/> says it is waiting.
    /// </summary>
    public void HoldNext(Guid districtId, TaskCompletionSource reached, Task letGo) => _holds[districtId] = (reached, letGo);

    public override string Next(Guid districtId, DateTimeOffset now)
    {
        if (_holds.TryRemove(districtId, out var hold))
        {
            hold.Reached.TrySetResult();
            hold.LetGo.Wait(TimeSpan.FromSeconds(30));
        }

        return _next.TryGetValue(districtId, out var queue) && queue.TryDequeue(out var number) ? number : base.Next(districtId, now);
    }
}

/// <summary>The SMS gateway's fake that holds the first message until let go: the request sending it keeps its place meanwhile.</summary>
internal sealed class HoldingSmsSender : ISmsSender
{
    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource LetGo { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task SendAsync(string phone, string text, CancellationToken ct)
    {
        Reached.TrySetResult();
        await LetGo.Task.WaitAsync(ct);
    }
}

internal sealed class CapturingSmsSender : ISmsSender
{
    public ConcurrentQueue<(string Phone, string Text)> Sent { get; } = new();

    public Task SendAsync(string phone, string text, CancellationToken ct)
    {
        Sent.Enqueue((phone, text));
        return Task.CompletedTask;
    }
}

/// <summary>
/// One seeded host per database provider for the whole run (seeding takes seconds). SQLite always; PostgreSQL when
/// Debian's server binaries are installed, and always when WENMING_REQUIRE_POSTGRES=1 (CI), where their absence fails.
/// </summary>
public static class TestHosts
{
    private static readonly Lazy<TestHost> SqliteHost = new(CreateSqlite);
    private static readonly Lazy<PostgresCluster> Cluster = new(() => PostgresCluster.Start());
    private static readonly Lazy<TestHost> PostgresHost = new(CreatePostgres);

    static TestHosts()
    {
        RemoveLeftovers();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (SqliteHost.IsValueCreated)
            {
                SqliteHost.Value.Dispose();
            }

            if (PostgresHost.IsValueCreated)
            {
                PostgresHost.Value.Dispose();
            }

            if (Cluster.IsValueCreated)
            {
                Cluster.Value.Dispose();
            }
        };
    }

    /// <summary>
    /// Test databases of earlier runs that ended before their clean-up ran (the runner may end the process first):
    /// anything of ours in the temp folder older than two hours goes.
    /// </summary>
    private static void RemoveLeftovers()
    {
        var cutoff = DateTime.UtcNow.AddHours(-2);
        var temp = new DirectoryInfo(Path.GetTempPath());
        foreach (var dir in temp.EnumerateDirectories("wenming-pg-tests-*").Concat(temp.EnumerateDirectories("wenming-files-*")))
        {
            if (dir.LastWriteTimeUtc < cutoff)
            {
                try
                {
                    dir.Delete(recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        foreach (var file in temp.EnumerateFiles("wenming-tests-*.db*").Where(f => f.LastWriteTimeUtc < cutoff))
        {
            try
            {
                file.Delete();
            }
            catch (IOException)
            {
            }
        }
    }

    public static bool PostgresRequired => Environment.GetEnvironmentVariable("WENMING_REQUIRE_POSTGRES") == "1";

    public static TheoryData<string> Providers()
    {
        var data = new TheoryData<string> { "Sqlite" };
        if (PostgresRequired || PostgresCluster.Available)
        {
            data.Add("PostgreSql");
        }

        return data;
    }

    /// <summary>A database of its own in the run's PostgreSQL cluster; the platform creates it when it first starts on it.</summary>
    internal static string PostgresConnectionString(string database) => Cluster.Value.ConnectionString(database);

    public static TestHost Get(string provider) => provider == "Sqlite" ? SqliteHost.Value : PostgresHost.Value;

    /// <summary>
    /// A host of its own on a new, freshly seeded database, for a test that may change anything (the caller disposes it);
    /// every other test shares <see cref="Get"/>'s.
    /// </summary>
    public static TestHost Fresh(string provider) => Started(provider == "Sqlite"
        ? new TestHost("Sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), $"wenming-tests-{Guid.NewGuid():N}.db")}")
        : new TestHost("PostgreSql", Cluster.Value.ConnectionString($"wenming_fresh_{Guid.NewGuid():N}")));

    private static TestHost CreateSqlite() => Fresh("Sqlite");

    private static TestHost CreatePostgres() =>
        Started(new TestHost("PostgreSql", Cluster.Value.ConnectionString("wenming_tests")));

    private static TestHost Started(TestHost host)
    {
        host.StartServer();
        return host;
    }
}
