using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.RedYellowList;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class ConductPageTests
{
    /// <summary>
    /// 红黄榜 on phones: Ledu's grid worker records a red and a yellow event for a resident, the resident sees her points and
    /// appeals the yellow one, and the institute admin grants the appeal on a PC.
    /// </summary>
    [BrowserFact]
    public async Task A_grid_worker_records_on_a_phone_the_resident_appeals_and_the_institute_grants_it()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var (_, _, phone, name) = await ConductTests.NewResidentAsync(host);
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        string Shot(string n) => Path.Combine(HomePageTests.ScreenshotFolder, $"conduct-{n}.png");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var grid = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Ledu, "30"), 360, 740);
        await grid.GotoAsync((await grid.Locator("#nav a[href='/RedYellowList']").GetAttributeAsync("href"))!);
        foreach (var (colour, evidence) in new[] { ("红榜", "帮邻居老人收回晾晒的粮食。"), ("黄榜", "在河边乱倒生活垃圾。") })
        {
            await grid.FillAsync("#conduct-phone", phone);
            var option = grid.Locator($"#conduct-item optgroup[label^='{colour}'] option").First;
            await grid.SelectOptionAsync("#conduct-item", (await option.GetAttributeAsync("value"))!);
            await grid.FillAsync("#conduct-evidence", evidence);
            await grid.ClickAsync("#conduct-submit");
            await grid.WaitForSelectorAsync($"#conduct-message:has-text('{colour}')");
            Assert.Contains(name, await grid.InnerTextAsync("#conduct-message"));
        }

        Assert.True(await grid.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await grid.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("grid-360"), FullPage = true });

        var resident = await HomePageTests.SignInAsync(browser, baseUrl, phone, 360, 740);
        await resident.GotoAsync("/RedYellowList");
        Assert.Equal(2, await resident.Locator("#my-events > li").CountAsync());
        var yellow = resident.Locator("#my-events > li", new PageLocatorOptions { HasText = "在河边乱倒生活垃圾" });
        await yellow.Locator("summary").ClickAsync();
        await yellow.Locator("textarea").FillAsync("垃圾是上游冲下来的，我当时在清理。");
        await yellow.Locator("button[type=submit]").ClickAsync();
        await resident.WaitForSelectorAsync("#conduct-message:has-text('已提交申诉')");
        Assert.Contains("申诉中", await resident.Locator("#my-events > li", new PageLocatorOptions { HasText = "在河边乱倒生活垃圾" }).InnerTextAsync());
        Assert.True(await resident.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await resident.ScreenshotAsync(new PageScreenshotOptions { Path = Shot("resident-360"), FullPage = true });

        var institute = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Ledu, "01"), 1280, 800);
        await institute.GotoAsync("/RedYellowList");
        var appeal = institute.Locator("#conduct-appeals li", new PageLocatorOptions { HasText = "垃圾是上游冲下来的" });
        await appeal.Locator("input[value=true]").CheckAsync();
        await appeal.Locator("input[name=note]").FillAsync("经现场核实，予以撤销。");
        await appeal.Locator("button[type=submit]").ClickAsync();
        await institute.WaitForSelectorAsync("#conduct-message:has-text('申诉成立')");

        await resident.ReloadAsync();
        Assert.Contains("申诉成立，已撤销", await resident.Locator("#my-events > li", new PageLocatorOptions { HasText = "在河边乱倒生活垃圾" }).InnerTextAsync());
    }
}
