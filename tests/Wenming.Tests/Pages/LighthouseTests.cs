using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Xunit.Abstractions;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>
/// A test that runs Lighthouse from npm (Pages/lighthouse, <c>npm ci</c> there) against Debian's Chromium. Skipped where
/// either is missing, except when WENMING_REQUIRE_LIGHTHOUSE=1 (CI), where their absence fails the test.
/// </summary>
public sealed class LighthouseFactAttribute : FactAttribute
{
    public LighthouseFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("WENMING_REQUIRE_LIGHTHOUSE") == "1")
        {
            return;
        }

        if (!File.Exists(BrowserFactAttribute.Chromium) || LighthouseTests.Cli is null)
        {
            Skip = "Lighthouse is not installed (npm ci in tests/Wenming.Tests/Pages/lighthouse) or chromium is missing; CI installs both and requires this test.";
        }
    }
}

/// <summary>
/// Lighthouse's mobile audit (a mid-range phone on slow 4G, simulated) of the resident's home, new order and order
/// detail, signed in: the scores and the bytes transferred are printed (and kept beside the screenshots), and the
/// budget is asserted: under 300 KB transferred and a performance score of at least 90.
/// </summary>
public sealed class LighthouseTests(ITestOutputHelper output)
{
    private const double PerformanceFloor = 0.9;

    private static double Score(JsonElement report) =>
        report.GetProperty("categories").GetProperty("performance").GetProperty("score").GetDouble();

    /// <summary>Lighthouse's command line in the source tree's Pages/lighthouse/node_modules, found above the test's output folder.</summary>
    public static string? Cli { get; } = FindCli();

    private static string? FindCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cli = Path.Combine(dir.FullName, "Pages", "lighthouse", "node_modules", "lighthouse", "cli", "index.js");
            if (File.Exists(cli))
            {
                return cli;
            }
        }

        return null;
    }

    [LighthouseFact]
    public async Task The_residents_pages_are_audited_and_keep_the_budget()
    {
        Assert.True(Cli is not null, "Lighthouse is not installed: npm ci in tests/Wenming.Tests/Pages/lighthouse");
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString().TrimEnd('/');
        var order = await Orders.OrderFlow.ResidentOrdersAsync(host, Hongta, "性能检查：上门帮老人测血压");
        string cookie;
        using (var playwright = await Playwright.CreateAsync())
        {
            await using var browser = await LaunchAsync(playwright);
            var page = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), 360, 740);
            cookie = string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));
        }

        var work = Directory.CreateTempSubdirectory("wenming-lighthouse-");
        try
        {
            var headers = Path.Combine(work.FullName, "headers.json");
            await File.WriteAllTextAsync(headers, JsonSerializer.Serialize(new Dictionary<string, string> { ["Cookie"] = cookie }));
            var lines = new List<string>();
            var failures = new List<string>();
            foreach (var path in new[] { "/", "/Orders/New", $"/Orders/Detail?id={order.GetProperty("id").GetGuid()}" })
            {
                // Lighthouse's own advice for a noisy machine: when one run falls short, take the median of three.
                var report = await AuditAsync(baseUrl + path, headers, work.FullName);
                var score = Score(report);
                if (score < PerformanceFloor)
                {
                    var runs = new List<JsonElement> { report, await AuditAsync(baseUrl + path, headers, work.FullName), await AuditAsync(baseUrl + path, headers, work.FullName) };
                    report = runs.OrderBy(Score).ElementAt(1);
                    score = Score(report);
                }

                var audits = report.GetProperty("audits");
                double Value(string audit) => audits.GetProperty(audit).GetProperty("numericValue").GetDouble();
                var bytes = Value("total-byte-weight");
                var line = $"{path.Split('?')[0],-14} performance {score * 100:F0}, {bytes / 1024:F1} KB transferred, FCP {Value("first-contentful-paint"):F0} ms, " +
                           $"LCP {Value("largest-contentful-paint"):F0} ms, TBT {Value("total-blocking-time"):F0} ms, CLS {Value("cumulative-layout-shift"):F3}";
                lines.Add(line);
                output.WriteLine(line);
                if (bytes >= PageWeightTests.Budget || score < PerformanceFloor)
                {
                    failures.Add(line);
                }
            }

            Directory.CreateDirectory(ScreenshotFolder);
            await File.WriteAllLinesAsync(Path.Combine(ScreenshotFolder, "lighthouse.txt"), lines);
            Assert.True(failures.Count == 0, $"over the {PageWeightTests.Budget / 1024} KB budget or under performance {PerformanceFloor * 100:F0}:\n" + string.Join("\n", failures));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task<JsonElement> AuditAsync(string url, string headers, string folder)
    {
        var output = Path.Combine(folder, "report.json");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["CHROME_PATH"] = BrowserFactAttribute.Chromium },
        };
        foreach (var argument in new[]
                 {
                     Cli!, url, "--quiet", "--output=json", $"--output-path={output}", "--only-categories=performance",
                     $"--extra-headers={headers}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"lighthouse {url}: exit {process.ExitCode}\n{await errors}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.Clone();
    }
}
