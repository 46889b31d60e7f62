using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>The order workflow editor on a 360-px phone: its version in words, one card per step, every control named and at least 24 px.</summary>
public sealed class WorkflowEditorPageTests
{
    [BrowserFact]
    public async Task On_a_phone_the_editor_shows_one_step_per_card_with_named_controls_of_24_px_or_more()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "00"), 360, 740);

        await page.GotoAsync("/Orders/Workflow");
        Assert.Matches(@"^点单流程 v\d+$", (await page.InnerTextAsync("h1")).Trim());
        var cards = await page.Locator("#workflow-editor > li").AllAsync();
        Assert.True(cards.Count >= 4, $"{cards.Count} step cards");
        double? lastBottom = null;
        foreach (var card in cards)
        {
            var box = (await card.BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= 360, $"a card spans {box.X}–{box.X + box.Width}px");
            Assert.True(lastBottom is null || box.Y >= lastBottom - 1, "the cards stack one under another");
            lastBottom = box.Y + box.Height;
        }

        var controls = await page.Locator("#workflow-form input:not([type=hidden]), #workflow-form select, #workflow-form button, #preset").AllAsync();
        Assert.True(controls.Count > 40);
        foreach (var control in controls)
        {
            var box = (await control.BoundingBoxAsync())!;
            var name = await control.EvaluateAsync<string>("e => e.labels && e.labels.length ? e.labels[0].innerText : (e.getAttribute('aria-label') || e.innerText || '')");
            Assert.False(string.IsNullOrWhiteSpace(name), $"a control without a name: {await control.EvaluateAsync<string>("e => e.outerHTML")}");
            Assert.True(box.Width >= 24 && box.Height >= 24, $"{name}: {box.Width}×{box.Height}px");
        }

        await AssertFitsAsync(page, 360);
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "workflow-editor-360.png"), FullPage = true });
    }
}
