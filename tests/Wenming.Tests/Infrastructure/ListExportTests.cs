using System.Net;
using Wenming.Tests.Activities;
using Wenming.Tests.Orders;
using Wenming.Web.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// The admin lists that export to Excel (orders, activities, an activity's attendance, the yearly plan, projects, demands):
/// each file holds what its list shows the admin, and nothing outside the admin's subtree.
/// </summary>
public sealed class ListExportTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static async Task<List<IDictionary<string, object?>>> SheetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        return [.. Sheets.Rows(file)];
    }

    private static async Task CreatedAsync(HttpClient client, string url, object body)
    {
        using var response = await client.PostJsonAsync(url, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_admin_list_exports_what_it_shows_and_nothing_outside_the_subtree(string provider)
    {
        var host = TestHosts.Get(provider);
        var tag = Guid.NewGuid().ToString("N")[..6];
        var stationCode = $"{HongtaCode}-01-001";
        var stationId = await host.UnitIdAsync(stationCode);
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var elsewhere = await host.ClientAsAsync(TestHost.Phone(Hongta, "03"));
        var platform = await ActivityTests.PlatformAsync(station);

        var order = await OrderFlow.ResidentOrdersAsync(host, Hongta, $"导出检查{tag}");
        var person = (await ActivityTests.ResidentsAsync(host, stationCode, 1))[0];
        var activity = await ActivityTests.UnderWayAsync(host, station, person, $"导出活动{tag}", startedAgo: 30, checkedInAgo: 20);
        var today = DistrictTime.Today(DateTimeOffset.UtcNow);
        await CreatedAsync(station, "/api/v1/plans", new { unitId = stationId, year = today.Year, month = today.Month, platformId = platform, title = $"计划{tag}", count = 3 });
        await CreatedAsync(station, "/api/v1/projects", new { name = $"项目{tag}", unitId = stationId, platformId = platform });
        await CreatedAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "20")), "/api/v1/demands", new { text = $"需求{tag}：周末开放图书角", unitId = stationId });

        var orders = await SheetAsync(station, "/api/v1/orders/export?view=all");
        var row = Assert.Single(orders, r => Sheets.Text(r, "服务内容") == $"导出检查{tag}");
        Assert.Equal(order.GetProperty("number").GetString(), Sheets.Text(row, "订单编号"));
        Assert.False(string.IsNullOrEmpty(Sheets.Text(row, "状态")));
        Assert.DoesNotContain(await SheetAsync(elsewhere, "/api/v1/orders/export?view=all"), r => Sheets.Text(r, "服务内容") == $"导出检查{tag}");

        var activities = await SheetAsync(station, "/api/v1/activities/export");
        Assert.Equal("已发布", Sheets.Text(Assert.Single(activities, r => Sheets.Text(r, "活动名称") == $"导出活动{tag}"), "状态"));

        var attendance = Assert.Single(await SheetAsync(station, $"/api/v1/activities/{activity}/attendance/export"));
        Assert.Equal("1", Sheets.Text(attendance, "签到次数"));
        Assert.Equal("已报名", Sheets.Text(attendance, "报名状态"));
        Assert.DoesNotMatch("^1[3-9][0-9]{9}$", Sheets.Text(attendance, "手机号")); // masked, as on the page
        using (var refused = await elsewhere.GetAsync($"/api/v1/activities/{activity}/attendance/export"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // an activity open to everyone: seen, but its attendance is the organiser's
        }

        var plan = await SheetAsync(station, $"/api/v1/plans/export?unit={stationId}&year={today.Year}");
        Assert.Contains(plan, r => Sheets.Text(r, "月份") == today.Month.ToString(System.Globalization.CultureInfo.InvariantCulture)
                                   && int.Parse(Sheets.Text(r, "计划场次"), System.Globalization.CultureInfo.InvariantCulture) >= 3);

        Assert.Contains(await SheetAsync(station, "/api/v1/projects/export"), r => Sheets.Text(r, "项目名称") == $"项目{tag}");

        Assert.Contains(await SheetAsync(station, "/api/v1/demands/export"), r => Sheets.Text(r, "需求内容").StartsWith($"需求{tag}", StringComparison.Ordinal));
        Assert.DoesNotContain(await SheetAsync(elsewhere, "/api/v1/demands/export"), r => Sheets.Text(r, "需求内容").StartsWith($"需求{tag}", StringComparison.Ordinal));

        using var volunteer = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).GetAsync("/api/v1/orders/export");
        Assert.Equal(HttpStatusCode.Forbidden, volunteer.StatusCode);
    }
}
