using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

/// <summary>Signs in through the real login page in Debian's Chromium and looks at each role's home page on a phone and a PC.</summary>
public sealed class HomePageTests
{
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

    internal static async Task<IPage> SignInAsync(IBrowser browser, string baseUrl, string phone, int width, int height, Geolocation? at = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "zh-CN",
            Geolocation = at,
            Permissions = at is null ? null : ["geolocation"],
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/Accounts/Login");
        await page.FillAsync("#Phone", phone);
        await page.FillAsync("#Password", "Demo#2026");
        await page.ClickAsync("main form button[type=submit]");
        await page.WaitForURLAsync(baseUrl.TrimEnd('/') + "/");
        return page;
    }

    [BrowserFact]
    public async Task A_station_admin_and_a_resident_see_their_own_home_on_a_phone_and_a_PC()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);

        foreach (var (width, height) in new[] { (360, 740), (1280, 800) })
        {
            var admin = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), width, height);
            Assert.Contains("待办事项", await admin.InnerTextAsync("main"));
            Assert.Contains("聂耳社区新时代文明实践站", await admin.InnerTextAsync("h1"));
            await AssertFitsAsync(admin, width);
            await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"station-admin-home-{width}.png"), FullPage = true });

            var resident = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), width, height);
            var text = await resident.InnerTextAsync("main");
            Assert.Contains("服务菜单", text);
            Assert.Contains("理论宣讲", text);
            Assert.Contains("聂耳社区新时代文明实践站", text);
            Assert.Equal(6, await resident.Locator("#menu-platforms .wm-tile").CountAsync());
            await AssertFitsAsync(resident, width);
            await resident.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"resident-home-{width}.png"), FullPage = true });
        }

        Assert.Equal(4, Directory.GetFiles(ScreenshotFolder, "*-home-*.png").Length);
    }

    /// <summary>
    /// Waits until <paramref name="expression"/> holds on the page. Playwright's WaitForFunction polls by evaluating a string
    /// in the page, which the platform's content-security policy (no eval) refuses; each evaluation here comes through
    /// the browser's debugging protocol instead, as the policy allows.
    /// </summary>
    internal static async Task UntilAsync(IPage page, string expression, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await page.EvaluateAsync<bool>(expression))
        {
            Assert.True(DateTime.UtcNow < until, $"still not true after {timeoutMs} ms: {expression}");
            await Task.Delay(50);
        }
    }

    internal static async Task AssertFitsAsync(IPage page, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"page is {scrollWidth}px wide on a {width}px screen");
    }
}
