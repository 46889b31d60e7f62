using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;

namespace Wenming.Tests.Pages;

public sealed class DemandPageTests
{
    private const int Haidian = 2;

    /// <summary>
    /// 点出你的需求 on phones: a Haidian resident raises a need on the home page, the station admin finds it on the demand menu
    /// by its status, answers it and then declines it with a reason, and the resident reads both where she raised it.
    /// </summary>
    [BrowserFact]
    public async Task A_resident_raises_a_need_the_station_answers_and_declines_it_on_a_phone_and_she_reads_why()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var text = "希望社区开设书法兴趣班" + Random.Shared.Next(100_000);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var resident = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Haidian, "20"), 360, 740);
        await resident.GotoAsync("/");
        await resident.FillAsync("textarea[name=text]", text);
        await resident.ClickAsync("form[action*=Demand] button[type=submit]");
        await resident.WaitForSelectorAsync("#demand-message");
        Assert.Contains("已收到", await resident.Locator("#my-demands li", new PageLocatorOptions { HasText = text }).InnerTextAsync());

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Haidian, "02"), 360, 740);
        await admin.GotoAsync("/Teams/Demands");
        await admin.SelectOptionAsync("#demand-status", "Received");
        await admin.ClickAsync("#demand-filters button[type=submit]");
        await admin.Locator("#demands li", new PageLocatorOptions { HasText = text }).Locator("a.btn").ClickAsync();
        await admin.FillAsync("#answer-text", "已联系社区老年大学，正在找老师");
        await admin.ClickAsync("#demand-answer button[type=submit]");
        await admin.WaitForSelectorAsync("#demand-message:has-text('已答复')");
        Assert.Equal(0, await admin.Locator("#demand-answer").CountAsync());
        await admin.FillAsync("#decline-reason", "暂时找不到书法老师，明年再议");
        await admin.ClickAsync("#demand-decline button[type=submit]");
        await admin.WaitForSelectorAsync("#demand-message:has-text('暂不采纳')");
        await HomePageTests.AssertFitsAsync(admin, 360);

        await resident.GotoAsync("/");
        var mine = await resident.Locator("#my-demands li", new PageLocatorOptions { HasText = text }).InnerTextAsync();
        Assert.Contains("暂不采纳", mine);
        Assert.Contains("暂时找不到书法老师，明年再议", mine);
    }
}
