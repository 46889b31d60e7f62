using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>A center admin issues an Open311 partner a key on the page (shown once), the partner files with it, and the admin revokes it.</summary>
public sealed class PartnerKeyPageTests
{
    [BrowserFact]
    public async Task A_center_admin_issues_a_key_on_the_page_that_works_until_revoked_there()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);

        var center = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "00"), 360, 740);
        await center.GotoAsync("/Orders/PartnerKeys");
        var partner = "红塔区 12345 热线" + Random.Shared.Next(1000, 9999);
        await center.FillAsync("#partner-name", partner);
        await center.ClickAsync("form[action*='handler=Issue'] button[type=submit]");
        var apiKey = (await center.InnerTextAsync("#issued-api-key")).Trim();
        Assert.StartsWith("wm311-", apiKey, StringComparison.Ordinal);
        Assert.Contains(partner, await center.InnerTextAsync("table"));
        await AssertFitsAsync(center, 360);
        await center.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "partner-key-issued-360.png"), FullPage = true });

        // Shown once: the page reloaded lists the partner, not the key, and issues no second one.
        await center.ReloadAsync();
        Assert.Equal(1, await center.Locator($"tr:has-text('{partner}')").CountAsync());
        Assert.DoesNotContain(apiKey, await center.ContentAsync(), StringComparison.Ordinal);

        using var client = host.CreateClient();
        var station = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01-001")
            .Select(u => new { Lat = u.Latitude!.Value, Lng = u.Longitude!.Value }).SingleAsync());
        var services = await client.GetStringAsync($"/open311/v2/services.json?jurisdiction_id={HongtaCode}");
        var code = System.Text.Json.JsonDocument.Parse(services).RootElement[0].GetProperty("service_code").GetString()!;
        Task<HttpResponseMessage> FileAsync() => client.PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["jurisdiction_id"] = HongtaCode,
            ["api_key"] = apiKey,
            ["service_code"] = code,
            ["description"] = "热线转来的求助：老人想学用手机",
            ["lat"] = station.Lat.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["long"] = station.Lng.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        using (var filed = await FileAsync())
        {
            Assert.Equal(HttpStatusCode.OK, filed.StatusCode);
        }

        await center.ClickAsync($"tr:has-text('{partner}') button:has-text('停用')"); // "确定停用吗？" in the page: press again
        await center.WaitForSelectorAsync($"tr:has-text('{partner}') .wm-confirm");
        await center.ClickAsync($"tr:has-text('{partner}') button:has-text('停用')");
        await center.WaitForSelectorAsync($"tr:has-text('{partner}'):has-text('已停用')");
        using (var refused = await FileAsync())
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Anyone but a center admin is refused the page (sent to the access-denied page): no form, no list.
        var stationAdmin = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await stationAdmin.GotoAsync("/Orders/PartnerKeys");
        Assert.Contains("/Accounts/Denied", stationAdmin.Url, StringComparison.Ordinal);
        Assert.Equal(0, await stationAdmin.Locator("#partner-name").CountAsync());
        Assert.DoesNotContain(partner, await stationAdmin.ContentAsync(), StringComparison.Ordinal);
    }
}
