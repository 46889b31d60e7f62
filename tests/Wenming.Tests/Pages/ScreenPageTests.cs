using System.Globalization;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;

namespace Wenming.Tests.Pages;

public sealed class ScreenPageTests
{
    private const int Kaizhou = 3;

    /// <summary>The JS heap in use after a garbage collection, read from Chromium's own metrics.</summary>
    private static async Task<double> HeapAsync(ICDPSession cdp)
    {
        await cdp.SendAsync("HeapProfiler.collectGarbage");
        var metrics = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics");
        return metrics.EnumerateArray().First(m => m.GetProperty("name").GetString() == "JSHeapUsedSize").GetProperty("value").GetDouble();
    }

    /// <summary>
    /// Kaizhou's leader opens the big screen at 1920×1080: figures, the stations' map and the latest activities are there;
    /// an hour of refreshes (120, one every 30 s, run back to back) leaves the JS heap where it was; and at 3840×2160.
    /// </summary>
    [BrowserFact]
    public async Task The_big_screen_draws_the_district_and_an_hour_of_refreshes_does_not_grow_the_heap()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);
        var page = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Kaizhou, "40"), 1920, 1080);
        await page.GotoAsync("/Dashboards");
        await page.ClickAsync("a[href^='/Dashboards/Screen']");
        await page.WaitForSelectorAsync("#screen-map canvas");
        Assert.Equal(8, await page.Locator("#screen-figures .wm-screen-figure").CountAsync());
        Assert.NotEqual("", (await page.InnerTextAsync("#screen-activities li:first-child")).Trim());
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1920);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "screen-1920.png") });

        var cdp = await page.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        await page.EvaluateAsync("() => window.wmScreenRefresh()");
        var start = await HeapAsync(cdp);
        for (var i = 0; i < 120; i++)
        {
            await page.EvaluateAsync("() => window.wmScreenRefresh()");
        }

        var end = await HeapAsync(cdp);
        await File.WriteAllTextAsync(Path.Combine(HomePageTests.ScreenshotFolder, "screen-heap.txt"),
            string.Create(CultureInfo.InvariantCulture, $"JS heap after GC: {start / 1e6:0.00} MB at the start, {end / 1e6:0.00} MB after 120 refreshes\n"));
        Assert.True(end < start * 1.2 + 1_000_000, $"the heap grew from {start / 1e6:0.00} MB to {end / 1e6:0.00} MB");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "screen-1920-after-an-hour.png") });

        var large = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Kaizhou, "40"), 3840, 2160);
        await large.GotoAsync("/Dashboards/Screen");
        await large.WaitForSelectorAsync("#screen-map canvas");
        Assert.True(await large.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 3840);
        await large.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "screen-3840.png") });
    }
}
