using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Records;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class RecordPageTests
{
    [BrowserFact]
    public async Task A_volunteer_on_a_phone_sees_hours_and_star_downloads_a_certificate_and_anyone_verifies_it()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        await RecordTests.DeliveredOrderAsync(host, "帮老人整理院子", 100);
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var volunteer = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "11"), 360, 740);
        await volunteer.GotoAsync("/Volunteers/Me");
        await volunteer.ClickAsync("#my-records-link");
        await volunteer.WaitForURLAsync("**/Records");
        var total = decimal.Parse((await volunteer.InnerTextAsync("#total-hours")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(total >= 1.6m, $"total hours {total}");
        Assert.Contains("星", await volunteer.InnerTextAsync("#star-level"));
        Assert.Contains("帮老人整理院子", await volunteer.InnerTextAsync("#records"));
        Assert.True(await volunteer.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await volunteer.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "records-360.png"), FullPage = true });

        var download = await volunteer.RunAndWaitForDownloadAsync(() => volunteer.ClickAsync("#download-certificate"));
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
        var file = await download.PathAsync();
        Assert.InRange(new FileInfo(file).Length, 1_000, 1_000_000);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString((await File.ReadAllBytesAsync(file))[..4]), StringComparison.Ordinal);

        // A period without service is said on the page, in words.
        await volunteer.FillAsync("#cert-from", "2020-01-01");
        await volunteer.FillAsync("#cert-to", "2020-12-31");
        await volunteer.ClickAsync("#download-certificate");
        await volunteer.WaitForSelectorAsync("#records-message");
        Assert.Contains("没有已确认的服务记录", await volunteer.InnerTextAsync("#records-message"));

        // The volunteer asks for a correction of the order's time on the page; the center, which organised it, agrees on its page.
        await volunteer.ReloadAsync();
        var record = volunteer.Locator("#records li", new PageLocatorOptions { HasText = "帮老人整理院子" }).First;
        await record.Locator("summary").ClickAsync();
        await record.Locator("input[name=minutes]").FillAsync("120");
        await record.Locator("input[name=reason]").FillAsync("签退时网络中断，实际服务两小时");
        await record.Locator("button[type=submit]").ClickAsync();
        await volunteer.WaitForSelectorAsync("#records-message:has-text('更正申请已提交')");
        var center = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "00"), 1280, 800);
        await center.GotoAsync("/Volunteers");
        await center.ClickAsync("#records-link");
        var pending = center.Locator("#pending-corrections li", new PageLocatorOptions { HasText = "签退时网络中断" });
        await pending.Locator("input[name=reason]").FillAsync("与现场记录核对无误");
        await pending.Locator("button[value=true]").ClickAsync();
        await center.WaitForSelectorAsync("#records-message:has-text('已同意更正')");
        await volunteer.ReloadAsync();
        Assert.Contains("与现场记录核对无误", await volunteer.InnerTextAsync("#records"));

        // The QR code's link, opened by someone who is not signed in.
        var volunteerId = (await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var certificate = await host.WithDbAsync(db => db.Set<Certificate>().Where(c => c.VolunteerId == volunteerId).OrderByDescending(c => c.IssuedAt).FirstAsync());
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl, Locale = "zh-CN", ViewportSize = new ViewportSize { Width = 360, Height = 740 } });
        var stranger = await context.NewPageAsync();
        await stranger.GotoAsync($"/c/{certificate.Code}");
        Assert.Contains("证明有效", await stranger.InnerTextAsync("#verify-result"));
        Assert.Equal(certificate.Number, await stranger.InnerTextAsync("#verify-number"));
        Assert.True(await stranger.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await stranger.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "certificate-verified-360.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task An_institute_admin_on_a_phone_issues_an_activitys_certificates_in_bulk_and_watches_them_made()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var (activity, volunteers) = await BulkCertificateTests.DemoActivityAsync(host);
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "01"), 360, 740);
        await admin.GotoAsync("/Records");
        await admin.ClickAsync("#bulk-certificates");
        await admin.WaitForURLAsync("**/Records/Bulk");
        await admin.SelectOptionAsync("#bulk-activity", activity.ToString());
        await admin.ClickAsync("#bulk-activity-submit");
        await admin.WaitForSelectorAsync("#bulk-progress");
        Assert.Equal(volunteers.ToString(System.Globalization.CultureInfo.InvariantCulture), await admin.GetAttributeAsync("#bulk-bar", "max"));
        await admin.WaitForSelectorAsync("#bulk-download", new() { Timeout = 60_000 });
        Assert.Equal(volunteers.ToString(System.Globalization.CultureInfo.InvariantCulture), await admin.InnerTextAsync("#bulk-issued"));
        Assert.Equal(await admin.GetAttributeAsync("#bulk-bar", "max"), await admin.EvaluateAsync<string>("document.getElementById('bulk-bar').value.toString()"));
        Assert.True(await admin.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "bulk-certificates-360.png"), FullPage = true });

        var download = await admin.RunAndWaitForDownloadAsync(() => admin.ClickAsync("#bulk-download"));
        Assert.EndsWith(".zip", download.SuggestedFilename, StringComparison.Ordinal);
        using var zip = System.IO.Compression.ZipFile.OpenRead(await download.PathAsync());
        Assert.Equal(volunteers, zip.Entries.Count);
    }
}
