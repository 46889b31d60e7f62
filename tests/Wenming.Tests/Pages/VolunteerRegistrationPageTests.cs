using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class VolunteerRegistrationPageTests
{
    [BrowserFact]
    public async Task A_resident_registers_on_a_phone_and_the_station_admin_approves()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var (_, phone) = await VolunteerApiTests.NewResidentAsync(host);
        var idNumber = VolunteerApiTests.NewIdNumber();
        var name = PersonName("手机");
        Directory.CreateDirectory(HomePageTests.ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HomePageTests.LaunchAsync(playwright);

        var resident = await HomePageTests.SignInAsync(browser, baseUrl, phone, 360, 740);
        await resident.GotoAsync("/Volunteers/Register");
        await resident.FillAsync("#Form_Name", name);
        await resident.FillAsync("#Form_IdNumber", idNumber);
        await resident.CheckAsync("input[name='Form.Skills'][value='急救']");
        await resident.CheckAsync("input[name='Form.ServiceCategories'][value='社区服务']");
        await resident.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "volunteer-register-360.png"), FullPage = true });
        Assert.True(await resident.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await resident.ClickAsync("#register-form button[type=submit]");
        await resident.WaitForURLAsync("**/Volunteers/Me?registered=1");
        Assert.Equal("待审核", await resident.InnerTextAsync("#my-status"));
        Assert.Contains(idNumber, await resident.InnerTextAsync("#my-volunteer"), StringComparison.Ordinal); // their own number, in full

        var admin = await HomePageTests.SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await admin.GotoAsync($"/Volunteers?status=Applied&q={Uri.EscapeDataString(name)}");
        var row = admin.Locator("#volunteers tbody tr", new PageLocatorOptions { HasText = name });
        Assert.Equal(1, await row.CountAsync());
        Assert.DoesNotContain(idNumber, await row.InnerTextAsync(), StringComparison.Ordinal);
        await row.Locator("button.btn-success").ClickAsync();
        await admin.WaitForSelectorAsync("#decision-message");
        Assert.Contains(name, await admin.InnerTextAsync("#decision-message"), StringComparison.Ordinal);
        await admin.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "volunteer-approved-1280.png"), FullPage = true });

        await resident.ReloadAsync();
        Assert.Equal("在册", await resident.InnerTextAsync("#my-status"));
        await resident.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(HomePageTests.ScreenshotFolder, "volunteer-active-360.png"), FullPage = true });
    }
}
