using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>
/// Every page reachable from each demo role's navigation (and the links on those pages, one step further), checked with
/// axe-core's WCAG 2.1 A/AA rules and for sideways scrolling, at 360 px and 1280 px, in the normal and the elderly
/// mode, with the browser's text at 100 % and at 200 %, and in the elderly mode every control at least 44 × 44 px. A page
/// that a new link or a new nav entry brings in is checked too.
/// </summary>
public sealed class AccessibilityTests
{
    /// <summary>axe-core from npm, vendored with its licence (Pages/axe); evaluated in the page through the debugging protocol, which the pages' CSP does not govern.</summary>
    private static readonly Lazy<string> Axe = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Pages", "axe", "axe.min.js")));

    private const string RunAxe = """
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] })
          .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 4).map(n => n.target.join(' ') + (n.failureSummary ? ' [' + n.failureSummary.replace(/\s+/g, ' ').slice(0, 160) + ']' : '')).join('; ')))
        """;

    /// <summary>Links that are not pages: files, feeds, the API, switches that answer with a redirect.</summary>
    private static bool IsPage(string path) =>
        !path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/calendars/", StringComparison.Ordinal)
        && !path.StartsWith("/hubs/", StringComparison.Ordinal) && !path.StartsWith("/open311/", StringComparison.Ordinal)
        && !path.StartsWith("/set-", StringComparison.Ordinal) && !path.StartsWith("/preferences", StringComparison.Ordinal)
        && path != "/Accounts/Logout" && !path.EndsWith(".xlsx", StringComparison.Ordinal) && !path.EndsWith(".ics", StringComparison.Ordinal);

    private const string Links = """
        (scope) => Array.from(document.querySelectorAll(scope + ' a[href^="/"]'))
          .filter(a => !a.hasAttribute('download'))
          .map(a => a.getAttribute('href'))
        """;

    [BrowserFact]
    public async Task Every_page_in_reach_of_each_role_passes_axe_and_fits_a_phone_in_both_modes_and_at_double_text()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString().TrimEnd('/');
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        // An order and an activity of the resident's, so that their detail pages are in reach whatever ran before; the
        // order collected by the station, so that the center admin sees it with its dispatch controls.
        var order = await Orders.OrderFlow.ResidentOrdersAsync(host, Hongta, "无障碍检查：上门帮老人测血压");
        await Orders.OrderFlow.ActAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "02")), order, "collect");
        var dispatchable = $"/Orders/Detail?id={order.GetProperty("id").GetGuid()}";
        await Activities.ActivityData.ActivityOnUnitAsync(host, await host.UnitIdAsync($"{HongtaCode}-01-001"), TestHost.Phone(Hongta, "20"));
        // A need opened for handling, so that the demand menu is checked with its answer, link and decline forms.
        var handled = $"/Teams/Demands?id={await Teams.DemandData.DemandOnUnitAsync(host, await host.UnitIdAsync($"{HongtaCode}-01-001"))}";
        var problems = new List<string>();
        var checkedPages = new HashSet<string>();
        var count = 0;

        // Admin roles first: they reach the most pages. A page whose content depends on who looks (home, orders) is
        // checked once for those who run things and once for the people they serve.
        string[] roles = ["00", "02", "20", "10", "11", "30", "40", "01", ""];
        foreach (var suffix in roles)
        {
            var page = suffix == ""
                ? await (await browser.NewContextAsync(new() { BaseURL = baseUrl, Locale = "zh-CN" })).NewPageAsync()
                : await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, suffix), 1280, 800);
            var audience = suffix switch { "00" or "01" or "02" or "40" => "admin", "" => "anonymous", _ => "person" };
            var start = suffix switch
            {
                "" => new List<string> { "/", "/Accounts/Login", $"/reviews/{HongtaCode}" },
                "00" => [dispatchable, handled, "/"],
                _ => ["/"],
            };
            await page.GotoAsync("/");
            start.AddRange(await page.EvaluateAsync<string[]>(Links, "#nav"));

            var targets = new List<string>();
            foreach (var url in start.Where(u => IsPage(PathOf(u))).Distinct())
            {
                targets.Add(url);
                var response = await page.GotoAsync(url);
                if (response is { Ok: true })
                {
                    targets.AddRange(await page.EvaluateAsync<string[]>(Links, "main"));
                }
            }

            foreach (var url in targets.Where(u => IsPage(PathOf(u))))
            {
                if (!checkedPages.Add(audience + " " + PathOf(url)))
                {
                    continue;
                }

                count++;
                problems.AddRange((await CheckAsync(page, baseUrl, url)).Select(p => $"[{(suffix == "" ? "anonymous" : suffix)}] {url} {p}"));
            }

            await page.Context.CloseAsync();
        }

        Assert.True(count > 20, $"only {count} pages were reached");
        Assert.True(problems.Count == 0, $"{problems.Count} problems on {count} pages:\n" + string.Join("\n", problems));
    }

    private static string PathOf(string url) => url.Split('?', '#')[0];

    /// <summary>The page at both widths, in both modes: axe at the browser's usual text size, the width also at 200 %.</summary>
    private static async Task<List<string>> CheckAsync(IPage page, string baseUrl, string url)
    {
        var problems = new List<string>();
        var cdp = await page.Context.NewCDPSessionAsync(page);
        foreach (var elderly in new[] { false, true })
        {
            await page.Context.AddCookiesAsync([new Cookie { Name = ElderlyMode.CookieName, Value = elderly ? "1" : "0", Url = baseUrl }]);
            foreach (var width in new[] { 360, 1280 })
            {
                var mode = $"{width}px{(elderly ? " elderly" : "")}";
                await page.SetViewportSizeAsync(width, 800);
                await SetTextSizeAsync(cdp, 16);
                var response = await page.GotoAsync(url);
                if (response is not { Ok: true })
                {
                    problems.Add($"{mode}: HTTP {response?.Status}");
                    return problems;
                }

                await page.EvaluateAsync(Axe.Value);
                problems.AddRange((await page.EvaluateAsync<string[]>(RunAxe)).Select(v => $"{mode}: {v}"));
                problems.AddRange(await OverflowAsync(page, width, mode));
                if (elderly)
                {
                    problems.AddRange((await page.EvaluateAsync<string[]>(Small)).Select(c => $"{mode}: under 44 × 44 px: {c}"));
                }

                // The browser restyles the page at the new size as it stands; a frame later it is laid out again.
                await SetTextSizeAsync(cdp, 32);
                var textSize = await page.EvaluateAsync<double>("new Promise(r => requestAnimationFrame(() => r(parseFloat(getComputedStyle(document.documentElement).fontSize))))");
                Assert.True(textSize >= 32, $"{url} {mode}: the text is {textSize}px at 200 %");
                problems.AddRange(await OverflowAsync(page, width, mode + " text 200%"));
            }
        }

        await SetTextSizeAsync(cdp, 16);
        await cdp.DetachAsync();
        return problems;
    }

    /// <summary>The browser's default text size, as a reader sets it in the browser's settings.</summary>
    private static Task<System.Text.Json.JsonElement?> SetTextSizeAsync(ICDPSession cdp, int px) =>
        cdp.SendAsync("Page.setFontSizes", new Dictionary<string, object>
        {
            ["fontSizes"] = new Dictionary<string, object> { ["standard"] = px, ["fixed"] = px * 13 / 16 },
        });

    /// <summary>In the elderly mode (MIIT): every visible control at least 44 × 44 px; links inside running text are exempt.</summary>
    private const string Small = """
        Array.from(document.querySelectorAll('a.btn, button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, .nav-link, .dropdown-item'))
          .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && (r.width < 43.5 || r.height < 43.5); })
          .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' "' + (e.innerText || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 20) + '" ' + Math.round(e.getBoundingClientRect().width) + '×' + Math.round(e.getBoundingClientRect().height))
        """;

    private const string Widest = """
        (width) => Array.from(document.querySelectorAll('body *'))
          .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-responsive')
            && (!e.parentElement || e.parentElement.getBoundingClientRect().right <= width + 1))
          .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
        """;

    private static async Task<IEnumerable<string>> OverflowAsync(IPage page, int width, string mode)
    {
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        if (scrollWidth <= width)
        {
            return [];
        }

        var widest = await page.EvaluateAsync<string[]>(Widest, width);
        return [$"{mode}: scrolls sideways ({scrollWidth}px): {string.Join(", ", widest)}"];
    }
}
