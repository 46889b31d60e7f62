using System.Collections.Concurrent;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>
/// The pages under the platform's Content-Security-Policy (no inline script, event handler or style): Chromium reports
/// no violation on the key pages of each role, with their charts' tooltips shown, the live board connected, a form's
/// confirmation asked and the elderly-mode switch used.
/// </summary>
public sealed class ContentSecurityPolicyTests
{
    /// <summary>Collects the page's CSP violation events (an init script, which the policy does not govern) and the console's reports.</summary>
    private const string Listen = """
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', function (e) {
            window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
        });
        """;

    private static async Task<IPage> WatchedAsync(IBrowser browser, string baseUrl, string phone, ConcurrentQueue<string> console)
    {
        var page = await SignInAsync(browser, baseUrl, phone, 1280, 800,
            new Geolocation { Latitude = 24.3541f, Longitude = 102.5444f });
        await page.Context.AddInitScriptAsync(Listen);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
            {
                console.Enqueue($"{page.Url}: {message.Text}");
            }
        };
        return page;
    }

    private static async Task VisitAsync(IPage page, string path, List<string> violations, Func<IPage, Task>? use = null)
    {
        var response = await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.True(response is { Ok: true }, $"{path}: {response?.Status}");
        foreach (var chart in await page.Locator(".wm-chart").AllAsync())
        {
            await chart.HoverAsync(); // a tooltip drawn
            await page.Mouse.MoveAsync(10, 10);
        }

        if (use is not null)
        {
            await use(page);
        }

        violations.AddRange((await page.EvaluateAsync<string[]>("window.__csp || []")).Select(v => $"{path}: {v}"));
    }

    [BrowserFact]
    public async Task The_key_pages_run_under_the_policy_without_a_violation()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var console = new ConcurrentQueue<string>();
        var violations = new List<string>();

        var center = await WatchedAsync(browser, baseUrl, TestHost.Phone(Hongta, "00"), console);
        await VisitAsync(center, "/", violations, async p =>
        {
            await p.ClickAsync("#wm-elderly-toggle");
            // Locators, not WaitForFunction: Playwright evaluates a function's text with eval, which the policy refuses.
            await p.Locator("html.elderly").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await p.ClickAsync("#wm-elderly-toggle");
            await p.Locator("html:not(.elderly)").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        });
        // ECharts loads when the chart comes into view: bring it there, as a reader scrolling down does.
        await center.Locator("#kind-chart").ScrollIntoViewIfNeededAsync();
        await center.Locator("#kind-chart canvas").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        Assert.True(await center.Locator("#kind-chart canvas").CountAsync() > 0, "the home chart is drawn");
        await VisitAsync(center, "/Orders/Board", violations, p => p.WaitForSelectorAsync("#board-live:not([hidden])"));
        Assert.True(await center.Locator("#board-orders li").CountAsync() > 0, "the board lists its orders");
        await VisitAsync(center, "/Activities/Plan", violations);
        Assert.True(await center.Locator("#plan-chart canvas").CountAsync() > 0, "the plan's chart is drawn");
        await VisitAsync(center, "/Organization", violations);
        await VisitAsync(center, "/Organization/Import", violations);
        await VisitAsync(center, "/Volunteers", violations);
        await VisitAsync(center, "/Orders", violations);
        await VisitAsync(center, "/Activities", violations);
        await VisitAsync(center, "/Honours", violations);
        await VisitAsync(center, "/Points", violations);
        await VisitAsync(center, "/RedYellowList", violations);
        await VisitAsync(center, "/Dashboards?compare=volunteers", violations, p => p.WaitForSelectorAsync("#children-chart canvas"));
        // A batch of certificates: its progress is polled by htmx under the policy until the zip is offered.
        var (activity, _) = await Records.BulkCertificateTests.DemoActivityAsync(host);
        var institute = await WatchedAsync(browser, baseUrl, TestHost.Phone(Hongta, "01"), console);
        await VisitAsync(institute, $"/Records/Bulk?activity={activity}", violations, async p =>
        {
            await p.ClickAsync("#bulk-activity-submit");
            await p.WaitForSelectorAsync("#bulk-download", new() { Timeout = 60_000 });
        });
        await VisitAsync(center, "/Orders/PartnerKeys", violations, async p =>
        {
            var partner = "内容安全策略测试" + Random.Shared.Next(1000, 9999);
            await p.FillAsync("#partner-name", partner);
            await p.ClickAsync("form[action*='handler=Issue'] button[type=submit]");
            // The first press asks in the page (no pop-up), and sends nothing.
            await p.ClickAsync($"tr:has-text('{partner}') button:has-text('停用')");
            Assert.Contains("确定停用吗", await p.InnerTextAsync($"tr:has-text('{partner}') .wm-confirm"), StringComparison.Ordinal);
            Assert.Equal(1, await p.Locator($"tr:has-text('{partner}'):has-text('使用中')").CountAsync());
        });

        var resident = await WatchedAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), console);
        await VisitAsync(resident, "/", violations);
        await VisitAsync(resident, "/Orders/New", violations, async p =>
        {
            await p.ClickAsync("#use-location");
            await p.WaitForSelectorAsync("#location-status:has-text('已定位')");
        });

        await VisitAsync(resident, "/RedYellowList", violations);

        var volunteer = await WatchedAsync(browser, baseUrl, TestHost.Phone(Hongta, "11"), console);
        await VisitAsync(volunteer, "/Volunteers/Me", violations);
        await VisitAsync(volunteer, $"/h/{await host.UnitIdAsync($"{HongtaCode}-01-001")}", violations);

        // The API reference has a policy of its own (its inline start-up script and styles), and keeps to it.
        await VisitAsync(center, "/api/docs/", violations, async p =>
        {
            await p.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "api-reference.png") });
        });

        var anonymous = await browser.NewPageAsync(new() { BaseURL = baseUrl });
        await anonymous.AddInitScriptAsync(Listen);
        await VisitAsync(anonymous, "/Accounts/Login", violations);

        // Scalar's bundle probes once whether it may compile code (`Function('')` in a try, for its validator) and does
        // without: a report, not a failure.
        static bool Probe(string report) => report.Contains("/api/docs/", StringComparison.Ordinal) && report.Contains("eval", StringComparison.OrdinalIgnoreCase);
        var reports = violations.Concat(console).Where(r => !Probe(r)).ToList();
        Assert.True(reports.Count == 0, string.Join("\n", reports));
    }
}
