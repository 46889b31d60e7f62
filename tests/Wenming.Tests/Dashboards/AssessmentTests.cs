using System.Net;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Dashboards;

/// <summary>
/// 督导考核 in Ledu: the center sets the year's indicators (two figures with targets and a manual score), a fresh institute's
/// two stations are scored and ranked exactly, a manual score with its reason counts, the indicators stay fixed once scored
/// by hand, and the result exports in the offices' layout.
/// </summary>
public sealed class AssessmentTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Stations_are_scored_on_the_years_indicators_and_ranked_and_the_center_adds_manual_scores(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var institute = await DashboardTests.CreateUnitAsync(center, await host.UnitIdAsync(LeduCode), "Institute", "考核测试所");
        var a = await DashboardTests.CreateUnitAsync(center, institute, "Station", "考核测试甲站");
        var b = await DashboardTests.CreateUnitAsync(center, institute, "Station", "考核测试乙站");
        foreach (var unit in new[] { a, a, b })
        {
            await Orders.OrderFlow.OrderOnUnitAsync(host, unit);
        }

        await DashboardTests.GiveRecordAsync(host, a, 120);
        await DashboardTests.GiveRecordAsync(host, b, 60);

        var year = DateTime.UtcNow.AddHours(8).Year;
        var indicators = new object[]
        {
            new { name = "志愿服务时长", figure = "serviceHours", weight = 40, target = 2 },
            new { name = "群众点单", figure = "ordersPlaced", weight = 30, target = 2 },
            new { name = "阵地建设", figure = (string?)null, weight = 30, target = (decimal?)null },
        };
        var station = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        using (var refused = await station.PutJsonAsync($"/api/v1/assessments/{year}/indicators", indicators))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var noTarget = await center.PutJsonAsync($"/api/v1/assessments/{year}/indicators", new[] { new { name = "服务时长", figure = "serviceHours", weight = 40 } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noTarget.StatusCode);
        }

        using (var saved = await center.PutJsonAsync($"/api/v1/assessments/{year}/indicators", indicators))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        var set = (await center.GetJsonAsync($"/api/v1/assessments/{year}/indicators")).EnumerateArray().ToList();
        var manual = set.Single(i => i.GetProperty("figure").ValueKind == System.Text.Json.JsonValueKind.Null).GetProperty("id").GetGuid();

        async Task<Dictionary<Guid, (int Rank, decimal Total)>> ResultAsync()
        {
            var view = await center.GetJsonAsync($"/api/v1/assessments/{year}?unit={institute}&levels=1");
            Assert.Equal(100m, view.GetProperty("maxTotal").GetDecimal());
            return view.GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("unitId").GetGuid(),
                u => (u.GetProperty("rank").GetInt32(), u.GetProperty("total").GetDecimal()));
        }

        // A: 2 hours of 2 (40) + 2 orders of 2 (30); B: 1 of 2 (20) + 1 of 2 (15); nobody scored by hand yet.
        var result = await ResultAsync();
        Assert.Equal((1, 70m), result[a]);
        Assert.Equal((2, 35m), result[b]);

        using (var tooMuch = await center.PostJsonAsync($"/api/v1/assessments/{year}/scores", new { indicatorId = manual, unitId = b, score = 31, reason = "阵地规范" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        }

        using (var notCenter = await station.PostJsonAsync($"/api/v1/assessments/{year}/scores", new { indicatorId = manual, unitId = b, score = 30, reason = "阵地规范" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notCenter.StatusCode);
        }

        using (var scored = await center.PostJsonAsync($"/api/v1/assessments/{year}/scores",
                   new { indicatorId = manual, unitId = b, score = 30, reason = "实地督查：阵地“五有”齐全，台账规范。" }))
        {
            Assert.Equal(HttpStatusCode.OK, scored.StatusCode);
        }

        result = await ResultAsync();
        Assert.Equal((2, 65m), result[b]);
        using (var changed = await center.PutJsonAsync($"/api/v1/assessments/{year}/indicators", indicators))
        {
            Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        }

        using var export = await center.GetAsync($"/api/v1/assessments/{year}/export?unit={institute}&levels=1");
        var rows = (await export.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(["考核测试甲站", "考核测试乙站"], rows.Select(r => (string)r["单位"]!).ToList());
        Assert.Equal(65.0, Convert.ToDouble(rows[1]["总分"]));
        Assert.Equal(30.0, Convert.ToDouble(rows[1]["阵地建设（30分）"]));

        var kaizhou = await host.ClientAsAsync(TestHost.Phone(3, "00"));
        using var elsewhere = await kaizhou.GetAsync($"/api/v1/assessments/{year}?unit={institute}");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }
}
