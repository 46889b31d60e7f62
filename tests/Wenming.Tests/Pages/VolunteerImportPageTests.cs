using Microsoft.Playwright;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class VolunteerImportPageTests
{
    [BrowserFact]
    public async Task A_roster_of_ten_thousand_rows_imports_through_the_page_with_progress_and_offers_its_refused_rows()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var api = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var roster = await DistrictRoster.ArrangeAsync(host, api, 10_000);
        var sheet = new MemoryStream();
        sheet.SaveAs(roster.Rows, sheetName: "花名册");
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "01"), 1280, 800);
        await admin.GotoAsync("/Volunteers/Import");
        await admin.SetInputFilesAsync("#import-form input[type=file]",
            new FilePayload { Name = "花名册.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = sheet.ToArray() });
        await admin.CheckAsync("#import-form input[name=mode][value=valid]");
        await admin.ClickAsync("#import-form button[type=submit]");
        await admin.WaitForURLAsync(url => url.Contains("/Volunteers/Import?job=", StringComparison.Ordinal));
        Assert.Contains("正在导入", await admin.InnerTextAsync("#import-progress"), StringComparison.Ordinal);
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "volunteer-import-running-1280.png") });

        await HomePageTests.UntilAsync(admin, "document.getElementById('import-result') !== null", 180_000);
        Assert.Contains($"{10_000 - roster.Fixes.Count} / 10000", await admin.InnerTextAsync("#import-result"), StringComparison.Ordinal);
        Assert.Contains($"{roster.Fixes.Count}", await admin.InnerTextAsync("#import-failed"), StringComparison.Ordinal);
        Assert.True(await admin.Locator("#import-warnings").CountAsync() == 1);
        var errorsUrl = await admin.GetAttributeAsync("#import-errors-download", "href");
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "volunteer-import-done-1280.png") });

        // The same admin's download: every refused row, none cut off at the page's first 500.
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.ClickAsync("#import-errors-download"));
        var file = new MemoryStream();
        await (await download.CreateReadStreamAsync()).CopyToAsync(file);
        file.Position = 0;
        var refused = file.Query(useHeaderRow: true).ToList();
        Assert.Equal(roster.Fixes.Count, refused.Count);
        Assert.EndsWith("/errors.xlsx", errorsUrl, StringComparison.Ordinal);
    }
}
