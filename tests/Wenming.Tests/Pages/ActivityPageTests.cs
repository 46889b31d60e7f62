using System.Globalization;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>A station admin publishes from the library; a volunteer signs up on a phone and checks in by the venue's QR code.</summary>
public sealed class ActivityPageTests
{
    [BrowserFact]
    public async Task A_station_admin_publishes_from_the_library_and_a_volunteer_signs_up_and_checks_in_by_QR_on_a_phone()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(ScreenshotFolder);
        string Shot(string name) => Path.Combine(ScreenshotFolder, $"activity-{name}.png");

        // The center puts an entry in the library (its own entries need no approval).
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var platform = (await center.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        var title = "社区健康讲座" + Random.Shared.Next(1000);
        using var entry = await center.PostJsonAsync("/api/v1/activity-library", new { title, platformId = platform, suggestedMinutes = 60, format = "讲座" });
        var templateId = (await entry.JsonAsync()).GetProperty("id").GetGuid();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var admin = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await admin.GotoAsync("/Activities/Library");
        await admin.ScreenshotAsync(new() { Path = Shot("1-library"), FullPage = true });
        await admin.GotoAsync($"/Activities/New?templateId={templateId}");
        var starts = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddMinutes(10), Wenming.Web.Infrastructure.DistrictTimeJsonConverter.Zone);
        await admin.FillAsync("#startsAt", starts.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await admin.FillAsync("#endsAt", starts.AddHours(1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await admin.FillAsync("#address", "聂耳社区活动室");
        await admin.ScreenshotAsync(new() { Path = Shot("2-publish"), FullPage = true });
        await admin.ClickAsync("#publish");
        await admin.WaitForURLAsync("**/Activities/Detail?id=*");
        var activityUrl = admin.Url;
        Assert.Contains(title, await admin.InnerTextAsync("h1"));

        var volunteer = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "11"), 360, 740);
        await volunteer.GotoAsync(new Uri(activityUrl).PathAndQuery);
        await volunteer.ClickAsync("#signup");
        await volunteer.WaitForSelectorAsync("#my-signup");
        Assert.Contains("您已报名", await volunteer.InnerTextAsync("#my-signup"));
        await AssertFitsAsync(volunteer, 360);
        await volunteer.ScreenshotAsync(new() { Path = Shot("3-signed-up-360"), FullPage = true });

        // The venue screen shows the current code; the volunteer's phone camera opens its link.
        await admin.ClickAsync("#venue-screen");
        await admin.WaitForSelectorAsync("#venue-code[data-url]");
        await UntilAsync(admin, "document.getElementById('venue-qr').complete && document.getElementById('venue-qr').naturalWidth > 0");
        await admin.ScreenshotAsync(new() { Path = Shot("4-venue-qr"), FullPage = true });
        var scanned = await admin.GetAttributeAsync("#venue-code", "data-url");
        await volunteer.GotoAsync(new Uri(scanned!).PathAndQuery);
        await volunteer.ClickAsync("#checkin");
        await volunteer.WaitForSelectorAsync("#checkin-result");
        Assert.Contains("签到成功", await volunteer.InnerTextAsync("#checkin-result"));
        await AssertFitsAsync(volunteer, 360);
        await volunteer.ScreenshotAsync(new() { Path = Shot("5-checked-in-360"), FullPage = true });

        await admin.GotoAsync(new Uri(activityUrl).PathAndQuery);
        Assert.Contains("杨", await admin.InnerTextAsync("#attendance")); // the demo volunteer's row is there
        Assert.Equal(5, Directory.GetFiles(ScreenshotFolder, "activity-*.png").Length);
    }
}
