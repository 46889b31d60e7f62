using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Wenming.Bench;

/// <summary>
/// The real platform (the web app's own Program, all its middleware, background jobs and SignalR) on a loopback
/// Kestrel port and a PostgreSQL database, seeded with the demo districts on start. Production environment, logging
/// at warnings only; <paramref name="services"/> lets a benchmark add its own services or startup filters.
/// </summary>
internal sealed class BenchHost(string connectionString, int volunteersPerDistrict, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    /// <summary>A fixed key for the ID numbers of the throwaway database.</summary>
    internal const string PersonalDataKey = "d2VubWluZy1iZW5jaC1rZXktMzItYnl0ZXMtbG9uZyE=";

    private readonly string _files = Path.Combine(Path.GetTempPath(), $"wenming-bench-files-{Guid.NewGuid():N}");

    /// <summary>Starts Kestrel on a free loopback port, applies the migrations and seeds the demo districts.</summary>
    public Uri Start()
    {
        // The factory finds the web project through MvcTestingAppManifest.json in the current folder (a test run's is
        // its output folder); `dotnet run --project` runs here from the repository, so it is told where to look.
        var manifest = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MvcTestingAppManifest.json")))!;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_WENMING_WEB",
            manifest.Single(m => m.Key.StartsWith("Wenming.Web,", StringComparison.Ordinal)).Value);
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri($"http://127.0.0.1:{new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port}");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Database:Provider", "PostgreSql");
        builder.UseSetting("ConnectionStrings:Default", connectionString);
        // Sign-in is rate limited per address; every bench client comes from 127.0.0.1.
        builder.UseSetting("RateLimits:AuthPerMinute", "100000");
        builder.UseSetting("Demo:VolunteersPerDistrict", volunteersPerDistrict.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("PersonalData:Key", PersonalDataKey);
        builder.UseSetting("Files:Root", _files);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // EF logs the migrations-history query that fails on a new database as an error before it creates the table.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <summary>An empty database for the platform to migrate (EF would log an error finding none before it made one).</summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string database)
    {
        await using var db = Npgsql.NpgsqlDataSource.Create(serverConnectionString);
        await using var cmd = db.CreateCommand($"CREATE DATABASE {database}");
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A bearer token for the demo account with this phone (password Demo#2026).</summary>
    public static async Task<string> SignInAsync(HttpClient http, string phone)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { phone, password = "Demo#2026" });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("accessToken").GetString()!;
    }

    public static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A demo account's phone: 1380d0000rr (README).</summary>
    public static string Phone(int district, string suffix) => $"1380{district}0000{suffix}";

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            if (Directory.Exists(_files))
            {
                Directory.Delete(_files, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
