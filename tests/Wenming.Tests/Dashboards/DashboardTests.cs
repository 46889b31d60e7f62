using System.Net;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Dashboards;

/// <summary>
/// The dashboard of a fresh institute of Ledu with two stations and a small hand-made dataset: each figure's exact value, the
/// subtree equal to the sum of its children, the export, and the scope (another subtree or district does not exist).
/// </summary>
public sealed class DashboardTests
{
    private const int Kaizhou = 3;

    public static TheoryData<string> Providers => TestHosts.Providers();

    /// <summary>Figures that add up over children (counts and sums); the others (medians, averages, shares) do not.</summary>
    private static readonly string[] Summable =
        ["volunteers", "activeVolunteers", "teams", "activitiesHeld", "activitiesPlanned", "lectures", "audience", "beneficiaries", "serviceHours", "ordersPlaced",
         "ordersOpen", "ordersDelivered", "ordersOverdue", "demandsRaised", "demandsBecameServices", "pointsIssued", "pointsRedeemed"];

    internal static async Task<Guid> CreateUnitAsync(HttpClient admin, Guid parent, string kind, string name)
    {
        using var created = await admin.PostJsonAsync("/api/v1/units", new { parentId = parent, kind, name, code = UniqueCode("dash") });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.JsonAsync()).GetProperty("id").GetGuid();
    }

    internal static Task<int> GiveRecordAsync(TestHost host, Guid organizer, int minutes) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == organizer);
        var volunteer = await db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.DistrictId == unit.DistrictId).Select(v => v.Id).FirstAsync();
        var platform = await db.Platforms.Where(p => p.DistrictId == unit.DistrictId).OrderBy(p => p.SortOrder).Select(p => p.Id).FirstAsync();
        var at = DateTimeOffset.UtcNow.AddMinutes(-minutes - 1);
        db.Add(new ServiceRecord(unit.DistrictId, volunteer, RecordSource.Offline, Guid.NewGuid(), null, "看板测试服务", platform, organizer, organizer, null, null, at,
            at.AddMinutes(minutes), minutes, null, "看板测试", DateTimeOffset.UtcNow));
        await VolunteerTotal.CountAsync(db, DateTimeOffset.UtcNow, CancellationToken.None); // the kept totals, as the records feature keeps them
        return await db.SaveChangesAsync();
    });

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Each_figure_has_its_hand_computed_value_and_the_subtree_is_the_sum_of_its_children(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var institute = await CreateUnitAsync(center, await host.UnitIdAsync(LeduCode), "Institute", "看板测试所");
        var a = await CreateUnitAsync(center, institute, "Station", "看板测试甲站");
        var b = await CreateUnitAsync(center, institute, "Station", "看板测试乙站");

        // Station A: two orders, rated 5 and 3; 90 + 30 minutes of service. Station B: one order, one hour.
        var rated = new List<Guid>();
        foreach (var unit in new[] { a, a, b })
        {
            rated.Add((await Orders.OrderFlow.OrderOnUnitAsync(host, unit)).Id);
        }

        await host.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            await db.Set<Order>().Where(o => o.Id == rated[0]).ExecuteUpdateAsync(x => x.SetProperty(o => o.Rating, 5).SetProperty(o => o.RatedAt, now));
            return await db.Set<Order>().Where(o => o.Id == rated[1]).ExecuteUpdateAsync(x => x.SetProperty(o => o.Rating, 3).SetProperty(o => o.RatedAt, now));
        });
        await GiveRecordAsync(host, a, 90);
        await GiveRecordAsync(host, a, 30);
        await GiveRecordAsync(host, b, 60);

        // Yesterday and today, district time: the records and orders just made, whatever the day of the year.
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        var period = $"&from={today.AddDays(-1):yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var view = await center.GetJsonAsync($"/api/v1/dashboard?unit={institute}{period}");
        var figures = view.GetProperty("figures").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!, f => f.GetProperty("value").GetDecimal());
        Assert.Equal(3, figures["ordersPlaced"]);
        Assert.Equal(3, figures["ordersOpen"]);
        Assert.Equal(0, figures["ordersDelivered"]);
        Assert.Equal(3.0m, figures["serviceHours"]);
        Assert.Equal(4.00m, figures["averageRating"]);
        Assert.Equal(50.0m, figures["goodShare"]);
        Assert.Equal(0, figures["volunteers"]);
        Assert.Equal(0, figures["teams"]);

        var children = view.GetProperty("children").EnumerateArray().ToDictionary(c => c.GetProperty("unitId").GetGuid(), c => c.GetProperty("values"));
        Assert.Equal(new[] { a, b }.Order(), children.Keys.Order()); // no rows of the institute itself
        Assert.Equal(2, children[a].GetProperty("ordersPlaced").GetDecimal());
        Assert.Equal(1, children[b].GetProperty("ordersPlaced").GetDecimal());
        Assert.Equal(2.0m, children[a].GetProperty("serviceHours").GetDecimal());
        Assert.Equal(1.0m, children[b].GetProperty("serviceHours").GetDecimal());
        Assert.Equal(4.00m, children[a].GetProperty("averageRating").GetDecimal());
        foreach (var key in Summable)
        {
            Assert.Equal(figures[key], children.Values.Sum(c => c.GetProperty(key).GetDecimal()));
        }

        // The figures lead to their lists; the series and the platforms carry the same orders and hours.
        Assert.Equal($"/Orders?unit={institute}", view.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "ordersPlaced").GetProperty("list").GetString());
        Assert.Equal(3, view.GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("orders").GetDecimal()));
        Assert.Equal(3.0m, view.GetProperty("byPlatform").EnumerateArray().Sum(p => p.GetProperty("hours").GetDecimal()));

        // The list behind the figure holds the same orders.
        var list = await center.GetStringAsync($"/Orders?unit={institute}");
        Assert.Equal(3, list.Split("策略测试订单").Length - 1);

        // The institute's own dashboard agrees with the station's.
        var station = await center.GetJsonAsync($"/api/v1/dashboard?unit={a}{period}");
        Assert.Equal(2, station.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "ordersPlaced").GetProperty("value").GetDecimal());

        // Ranked: station A first on orders; on the median time to delivery (none delivered) both share the first place.
        var ranking = await center.GetJsonAsync($"/api/v1/dashboard/rankings?unit={institute}&figure=ordersPlaced{period}");
        Assert.Equal([(1, a, 2m), (2, b, 1m)], ranking.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("rank").GetInt32(), r.GetProperty("unitId").GetGuid(), r.GetProperty("value").GetDecimal())).ToList());
        Assert.All((await center.GetJsonAsync($"/api/v1/dashboard/rankings?unit={institute}&figure=deliverMedian{period}")).GetProperty("rows").EnumerateArray(),
            r => Assert.Equal(System.Text.Json.JsonValueKind.Null, r.GetProperty("value").ValueKind)); // nothing delivered: no time, not a time of zero
        var district = await center.GetJsonAsync($"/api/v1/dashboard/rankings?figure=ordersPlaced&levels=2{period}");
        Assert.Contains(district.GetProperty("rows").EnumerateArray(), r => r.GetProperty("unitId").GetGuid() == a && r.GetProperty("parent").GetString() == "看板测试所");
        using (var unknown = await center.GetAsync($"/api/v1/dashboard/rankings?unit={institute}&figure=nothing"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        using (var rankingSheet = await center.GetAsync($"/api/v1/dashboard/rankings/export?unit={institute}&figure=ordersPlaced{period}"))
        {
            var ranked = (await rankingSheet.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
            Assert.Equal("看板测试甲站", ranked[0]["单位"]);
        }

        // The export: a row a child and the total.
        using var export = await center.GetAsync($"/api/v1/dashboard/export?unit={institute}{period}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = (await export.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(3.0, Convert.ToDouble(rows.Single(r => ((string)r["单位"]!).EndsWith("（合计）", StringComparison.Ordinal))["服务时长（小时）"]));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_subtree_or_district_does_not_exist_and_people_without_oversight_are_refused(string provider)
    {
        var host = TestHosts.Get(provider);
        var institute = await host.UnitIdAsync($"{LeduCode}-01");
        var sibling = await host.UnitIdAsync($"{LeduCode}-02");
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        using (var other = await stationAdmin.GetAsync($"/api/v1/dashboard?unit={sibling}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        var kaizhou = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "00"));
        using (var elsewhere = await kaizhou.GetAsync($"/api/v1/dashboard?unit={institute}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        var volunteer = await host.ClientAsAsync(TestHost.Phone(Ledu, "11"));
        using (var own = await volunteer.GetAsync("/api/v1/dashboard"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        }

        var leader = await host.ClientAsAsync(TestHost.Phone(Ledu, "40"));
        var view = await leader.GetJsonAsync($"/api/v1/dashboard?unit={institute}&from=2026-01-01&to=2026-03-31");
        Assert.Equal("month", view.GetProperty("grain").GetString());
        Assert.Equal(["2026-01", "2026-02", "2026-03"], view.GetProperty("series").EnumerateArray().Select(p => p.GetProperty("period").GetString()!).ToList());
        using var backwards = await leader.GetAsync($"/api/v1/dashboard?unit={institute}&from=2026-03-01&to=2026-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("日期", await backwards.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_quantile_is_the_nearest_rank()
    {
        Assert.Equal(3, Wenming.Web.Features.Dashboards.Figures.Quantile([5, 1, 3, 2, 4], 0.5));
        Assert.Equal(5, Wenming.Web.Features.Dashboards.Figures.Quantile([5, 1, 3, 2, 4], 0.9));
        Assert.Equal(7, Wenming.Web.Features.Dashboards.Figures.Quantile([7], 0.9));
    }
}
