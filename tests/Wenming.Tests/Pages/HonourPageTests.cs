using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class HonourPageTests
{
    [BrowserFact]
    public async Task A_station_admin_gives_an_honour_and_opens_a_vote_and_a_resident_on_a_phone_votes_once()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var tag = Guid.NewGuid().ToString("N")[..4];
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await admin.GotoAsync("/Honours");
        await admin.SelectOptionAsync("#award-title", new SelectOptionValue { Label = "文明家庭" });
        await admin.FillAsync("#award-name", $"李家{tag}");
        await admin.FillAsync("#award-evidence", "孝老爱亲、邻里和睦，多年义务照看村里留守儿童。");
        await admin.ClickAsync("#award-submit");
        await admin.WaitForSelectorAsync("#honours-message.alert-success");
        Assert.Contains($"李家{tag}", await admin.InnerTextAsync("#board"));

        await admin.FillAsync("#round-name", $"身边好人评选{tag}");
        await admin.SelectOptionAsync("#round-title", new SelectOptionValue { Label = "身边好人" });
        await admin.ClickAsync("#round-submit");
        await admin.WaitForSelectorAsync("#honours-message.alert-success");
        var round = admin.Locator("section", new PageLocatorOptions { HasText = $"身边好人评选{tag}" });
        await round.Locator("summary").ClickAsync();
        await round.Locator("input[name=name]").FillAsync($"赵大姐{tag}");
        await round.Locator("input[name=evidence]").FillAsync("每天早上为社区老人送早餐。");
        await round.Locator("button[type=submit]").ClickAsync();
        await admin.WaitForSelectorAsync("#honours-message:has-text('候选人已提名')");

        var resident = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), 360, 740);
        await resident.GotoAsync("/Honours");
        var mine = resident.Locator("section", new PageLocatorOptions { HasText = $"身边好人评选{tag}" });
        await mine.Locator("button", new LocatorLocatorOptions { HasText = $"赵大姐{tag}" }).ClickAsync();
        await resident.WaitForSelectorAsync("#honours-message:has-text('投票成功')");
        mine = resident.Locator("section", new PageLocatorOptions { HasText = $"身边好人评选{tag}" });
        Assert.Contains("1 票", await mine.InnerTextAsync());
        Assert.Equal(0, await mine.Locator("button").CountAsync()); // one vote an account: no second button
        Assert.True(await resident.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await resident.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "honours-360.png"), FullPage = true });

        // The station's public board, as its wall's QR code opens it, for anyone.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 360, Height = 740 } });
        var stranger = await context.NewPageAsync();
        await stranger.GotoAsync($"/h/{await host.UnitIdAsync($"{HongtaCode}-01-001")}");
        Assert.Contains($"李家{tag}", await stranger.InnerTextAsync("#public-honours"));
    }
}
