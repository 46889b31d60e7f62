using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using Xunit.Abstractions;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>
/// The resident's pages on a first visit (an empty browser cache, signed in): every byte Chromium receives for the
/// page and what it loads, headers included, within the 300 KB budget; then compression and year-long caching of the
/// fingerprinted files, the favicon and the app manifest, over plain HTTP.
/// </summary>
public sealed class PageWeightTests(ITestOutputHelper output)
{
    public const int Budget = 300 * 1024;

    [BrowserFact]
    public async Task The_residents_pages_load_under_300_KB_on_a_first_visit_in_both_modes()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        var order = await Orders.OrderFlow.ResidentOrdersAsync(host, Hongta, "页面重量：上门帮老人测血压");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var signedIn = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), 360, 740);
        var session = await signedIn.Context.StorageStateAsync();

        var lines = new List<string>();
        foreach (var elderly in new[] { false, true })
        {
            foreach (var path in new[] { "/", "/Orders/New", $"/Orders/Detail?id={order.GetProperty("id").GetGuid()}", "/Orders?view=mine", "/Activities" })
            {
                // A fresh context: the session's cookies, nothing cached.
                var context = await browser.NewContextAsync(new()
                {
                    BaseURL = baseUrl,
                    StorageState = session,
                    ViewportSize = new() { Width = 360, Height = 740 },
                    Locale = "zh-CN",
                });
                await context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = Wenming.Web.Features.Accounts.ElderlyMode.CookieName, Value = elderly ? "1" : "0", Url = baseUrl }]);
                var page = await context.NewPageAsync();
                var sizes = new ConcurrentBag<(string Url, long Bytes)>();
                var pending = new ConcurrentBag<Task>();
                page.RequestFinished += (_, request) => pending.Add(Measure(request, sizes));
                var response = await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
                Assert.True(response is { Ok: true }, $"{path}: {response?.Status}");
                await Task.WhenAll(pending);
                var total = sizes.Sum(s => s.Bytes);
                var line = $"{(elderly ? "elderly" : "normal ")} {path.Split('?')[0],-16} {total / 1024.0,7:F1} KB in {sizes.Count} requests: "
                           + string.Join(", ", sizes.OrderByDescending(s => s.Bytes).Select(s => $"{new Uri(s.Url).AbsolutePath} {s.Bytes / 1024.0:F1}"));
                lines.Add(line);
                output.WriteLine(line);
                Assert.True(total < Budget, line);
                Assert.DoesNotContain(sizes, s => s.Url.Contains("echarts", StringComparison.Ordinal)); // no chart on these pages
                await context.CloseAsync();
            }
        }

        Directory.CreateDirectory(ScreenshotFolder);
        await File.WriteAllLinesAsync(Path.Combine(ScreenshotFolder, "resident-page-weight.txt"), lines);
    }

    private static async Task Measure(IRequest request, ConcurrentBag<(string, long)> sizes)
    {
        var s = await request.SizesAsync();
        sizes.Add((request.Url, s.ResponseBodySize + s.ResponseHeadersSize));
    }

    [Fact]
    public async Task Text_is_compressed_fingerprinted_files_are_cached_for_a_year_and_the_icons_are_there()
    {
        var host = TestHosts.Get("Sqlite");
        using var client = host.CreateClient();
        var login = await client.GetStringAsync("/Accounts/Login");
        var css = System.Text.RegularExpressions.Regex.Match(login, "/lib/bootstrap/bootstrap.min.css\\?v=[^\"]+").Value;
        Assert.NotEmpty(css);

        foreach (var encoding in new[] { "br", "gzip" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, css);
            request.Headers.AcceptEncoding.ParseAdd(encoding);
            using var compressed = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal(encoding, Assert.Single(compressed.Content.Headers.ContentEncoding));
            Assert.True((await compressed.Content.ReadAsByteArrayAsync()).Length < 40 * 1024, "bootstrap.min.css (232 KB) compresses under 40 KB");
            Assert.Equal(Web.Infrastructure.Operations.LightPages.YearLong, compressed.Headers.CacheControl!.ToString());
        }

        using (var page = new HttpRequestMessage(HttpMethod.Get, "/Accounts/Login"))
        {
            page.Headers.AcceptEncoding.ParseAdd("br");
            using var answer = await client.SendAsync(page);
            Assert.Equal("br", Assert.Single(answer.Content.Headers.ContentEncoding));
        }

        using var unversioned = await client.GetAsync("/css/site.css");
        Assert.True(unversioned.Headers.CacheControl!.NoCache, "a file asked for without its fingerprint is revalidated");

        using var favicon = await client.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, favicon.StatusCode);
        using var manifest = await client.GetAsync("/manifest.webmanifest");
        Assert.Equal("application/manifest+json", manifest.Content.Headers.ContentType!.MediaType);
        var icons = JsonDocument.Parse(await manifest.Content.ReadAsStringAsync()).RootElement.GetProperty("icons").EnumerateArray().ToList();
        Assert.Contains(icons, i => i.GetProperty("sizes").GetString() == "512x512");
        foreach (var icon in icons)
        {
            using var file = await client.GetAsync(icon.GetProperty("src").GetString());
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        }
    }
}
