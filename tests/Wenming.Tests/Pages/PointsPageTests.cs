using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Points;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class PointsPageTests
{
    [BrowserFact]
    public async Task A_volunteer_on_a_phone_redeems_an_item_and_the_station_confirms_the_hand_over()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var api = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var volunteerId = (await api.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        await PointsTests.GiveServiceAsync(host, volunteerId, 60, "页面测试值守");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var name = $"页面测试保温杯{Guid.NewGuid().ToString("N")[..4]}";
        using (var created = await station.PostJsonAsync("/api/v1/shop/items", new { unitId = await host.UnitIdAsync($"{HongtaCode}-01-001"), name, price = 2, quantity = 3, donor = "页面测试捐赠方" }))
        {
            Assert.True(created.IsSuccessStatusCode);
        }

        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);
        var volunteer = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "11"), 360, 740);
        await volunteer.GotoAsync("/");
        await volunteer.GotoAsync((await volunteer.Locator("#nav a[href='/Points']").GetAttributeAsync("href"))!);
        var before = long.Parse(await volunteer.InnerTextAsync("#points-balance"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(before >= 2, $"balance {before}");
        Assert.Contains("页面测试值守", await volunteer.InnerTextAsync("#points-entries"));
        var item = volunteer.Locator("#shop-items li", new PageLocatorOptions { HasText = name });
        Assert.Contains("页面测试捐赠方", await item.InnerTextAsync());
        await item.Locator("button:has-text('兑换')").ClickAsync();
        await volunteer.WaitForSelectorAsync("#points-message:has-text('已兑换')");
        Assert.Equal(before - 2, long.Parse(await volunteer.InnerTextAsync("#points-balance"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(name, await volunteer.InnerTextAsync("#my-redemptions"));
        Assert.True(await volunteer.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await volunteer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "points-360.png"), FullPage = true });

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await admin.GotoAsync("/Points");
        var waiting = admin.Locator("#waiting-redemptions li", new PageLocatorOptions { HasText = name });
        await waiting.Locator("button").ClickAsync();
        await admin.WaitForSelectorAsync("#points-message:has-text('已领取')");

        await volunteer.ReloadAsync();
        var mine = volunteer.Locator("#my-redemptions li", new PageLocatorOptions { HasText = name });
        Assert.Contains("已领取", await mine.InnerTextAsync());
        Assert.Equal(0, await mine.Locator("button").CountAsync());
    }
}
