using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>
/// 长辈版 in Chromium on a 360-px phone: offered to a resident over 60 on her home page, large and plain when taken,
/// kept by her account on another device, switched on a device before anyone signs in. Screenshots of the elderly home
/// and order pages land in the screenshot folder.
/// </summary>
public sealed class ElderlyModeTests
{
    /// <summary>Ledu's demo resident: the other page tests use Hongta's, whose home this test would change.</summary>
    private const int Ledu = 5;

    private static string Shot(string name) => Path.Combine(ScreenshotFolder, $"elderly-360-{name}.png");

    public static TheoryData<string> Providers => TestHosts.Providers();

    [BrowserTheory]
    [MemberData(nameof(Providers))]
    public async Task A_resident_over_60_is_offered_the_elderly_mode_and_her_account_keeps_it(string provider)
    {
        var host = TestHosts.Get(provider);
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var phone = TestHost.Phone(Ledu, "20");

        var page = await SignInAsync(browser, baseUrl, phone, 360, 740);
        Assert.False(await IsElderlyAsync(page));
        Assert.Equal("长辈版", (await page.InnerTextAsync("#wm-elderly-toggle")).Trim());
        await page.ClickAsync("#elderly-accept");
        await page.Locator("#elderly-home").WaitForAsync();

        Assert.True(await IsElderlyAsync(page));
        Assert.Equal(0, await page.Locator("#elderly-offer").CountAsync());
        Assert.Equal("退出长辈版", (await page.InnerTextAsync("#wm-elderly-toggle")).Trim());
        // MIIT: main text 18 pt (24 px) or more, line spacing 1.3 or more, the main controls 60 × 60 px or more.
        var text = await page.EvaluateAsync<double[]>("(() => { const s = getComputedStyle(document.querySelector('main p')); return [parseFloat(s.fontSize), parseFloat(s.lineHeight), parseFloat(s.marginBottom)]; })()");
        Assert.True(text[0] >= 24, $"main text {text[0]}px");
        Assert.True(text[1] >= 1.3 * text[0], $"line height {text[1]}px for {text[0]}px text");
        Assert.True(text[2] >= (1.3 * text[1]) - 0.5, $"paragraph spacing {text[2]}px for {text[1]}px lines");
        var actions = await page.Locator("#elderly-home a").AllAsync();
        Assert.True(actions.Count >= 3, "order, my orders and activities at least");
        foreach (var action in actions)
        {
            var box = await action.BoundingBoxAsync();
            Assert.True(box is { Width: >= 60, Height: >= 60 }, $"{await action.InnerTextAsync()}: {box?.Width}×{box?.Height}");
        }

        Assert.True(await page.Locator("#wm-read").IsVisibleAsync(), "Chromium has speechSynthesis: the read-aloud button shows");
        await AssertFitsAsync(page, 360);
        if (provider == "Sqlite")
        {
            await page.ScreenshotAsync(new() { Path = Shot("home"), FullPage = true });
        }

        // From the keyboard: the first Tab reaches "skip to content", then the read-aloud button and the first action.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("#main", await page.EvaluateAsync<string>("document.activeElement.getAttribute('href')"));
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("wm-read", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("order-now", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.PressAsync("Enter");
        await OpensAsync(page, "**/Orders/New");
        await page.FillAsync("#title", "请人帮忙修一下水龙头");
        await page.FillAsync("#address", "乐都区 3 栋 101");
        await AssertFitsAsync(page, 360);
        var submit = await page.Locator("#place-order").BoundingBoxAsync();
        Assert.True(submit is { Height: >= 60 }, $"the submit button is {submit?.Height}px high");
        if (provider == "Sqlite")
        {
            await page.ScreenshotAsync(new() { Path = Shot("order-new"), FullPage = true });
        }

        await page.ClickAsync("#place-order");
        await page.WaitForURLAsync("**/Orders/Detail?id=*");
        await AssertFitsAsync(page, 360);
        if (provider == "Sqlite")
        {
            await page.ScreenshotAsync(new() { Path = Shot("order-detail"), FullPage = true });
        }

        await page.GotoAsync("/Orders?view=mine");
        await AssertFitsAsync(page, 360);
        if (provider == "Sqlite")
        {
            await page.ScreenshotAsync(new() { Path = Shot("my-orders"), FullPage = true });
        }


        // Another phone: signing in brings the account's choice; switching it off there is kept by the account too.
        var other = await SignInAsync(browser, baseUrl, phone, 360, 740);
        Assert.True(await IsElderlyAsync(other));
        await other.ClickAsync("#wm-elderly-toggle");
        await other.Locator("html:not(.elderly)").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var third = await SignInAsync(browser, baseUrl, phone, 360, 740);
        Assert.False(await IsElderlyAsync(third));
        Assert.Equal(0, await third.Locator("#elderly-offer").CountAsync()); // she has chosen: no more offers
        Assert.False(await host.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.UserName == phone).ElderlyMode ?? true)));
    }

    [BrowserFact]
    public async Task Before_sign_in_the_switch_is_kept_by_the_device()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 360, Height = 740 }, Locale = "zh-CN" });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/Accounts/Login");
        await page.ClickAsync("#wm-elderly-toggle");
        await page.Locator("html.elderly").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.EndsWith("/Accounts/Login", page.Url, StringComparison.Ordinal); // back where the switch was pressed
        Assert.Contains(await context.CookiesAsync(), c => c.Name == ElderlyMode.CookieName && c.Value == "1");
        await page.ReloadAsync();
        Assert.True(await IsElderlyAsync(page));
        Assert.Equal("24px", await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).fontSize"));
        var login = await page.Locator("main form button[type=submit]").BoundingBoxAsync();
        Assert.True(login is { Height: >= 60 }, $"the sign-in button is {login?.Height}px high");
        await AssertFitsAsync(page, 360);
    }

    /// <summary>
    /// Waits for the link just pressed from the keyboard to open <paramref name="url"/>. The form is there once the document
    /// is parsed ("load" also waits for every image and font, which a busy machine can stall). When a loaded test machine
    /// loses the key press (the page has not moved and the link still has the focus), it is pressed once more; a page
    /// that goes elsewhere, or a link Enter does not open, fails with where the browser is.
    /// </summary>
    private static async Task OpensAsync(IPage page, string url)
    {
        var options = new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 20_000 };
        try
        {
            await page.WaitForURLAsync(url, options);
            return;
        }
        catch (TimeoutException)
        {
            var focused = await page.EvaluateAsync<string?>("document.activeElement && document.activeElement.id");
            Assert.True(focused == "order-now", $"Enter left the page at {page.Url} with the focus on '{focused}'");
            await page.Keyboard.PressAsync("Enter");
        }

        options.Timeout = 60_000;
        try
        {
            await page.WaitForURLAsync(url, options);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Enter twice on the focused link did not open {url}: the browser is at {page.Url}");
        }
    }

    private static Task<bool> IsElderlyAsync(IPage page) => page.EvaluateAsync<bool>("document.documentElement.classList.contains('elderly')");
}
