using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Records;
using Wenming.Web.Features.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Records;

/// <summary>Star levels certified by the level the district names, the district's service year, and a unit's cumulative hours.</summary>
public sealed class StarLevelTests
{
    private const int Jiulongpo = 1;

    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_star_is_certified_by_the_level_the_district_names_for_it_once_the_hours_reach_it(string provider)
    {
        var host = TestHosts.Get(provider);
        await RecordTests.DispatchAsync(host);
        var center = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "00"));
        using (var bad = await center.PutAsJsonAsync("/api/v1/records/rules", new { starCertifiers = new[] { "Station", "Grid", "Center", "Center", "Center" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var saved = await center.PutAsJsonAsync("/api/v1/records/rules", new
        {
            starHours = new[] { 1, 2, 3000, 4000, 5000 },
            starCertifiers = new[] { "Station", "Institute", "Institute", "Center", "Center" },
            yearEnd = "11-30",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var rules = await saved.JsonAsync();
            Assert.Equal("11-30", rules.GetProperty("yearEnd").GetString());
            Assert.Equal("Institute", rules.GetProperty("starCertifiers")[1].GetString());
        }

        try
        {
            var volunteer = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "11"));
            var id = (await volunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
            var standing = await volunteer.GetJsonAsync($"/api/v1/volunteers/{id}/stars");
            Assert.Equal(2, standing.GetProperty("reached").GetInt32()); // the demo history's hours pass 1 and 2
            var certified = standing.GetProperty("certified").GetInt32();
            Assert.InRange(certified, 0, 1);
            var station = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "02"));
            if (certified == 0)
            {
                // 一星: the station certifies it; the volunteer cannot.
                using var self = await volunteer.PostAsJsonAsync($"/api/v1/volunteers/{id}/stars", new { });
                Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
                using var first = await station.PostAsJsonAsync($"/api/v1/volunteers/{id}/stars", new { });
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                Assert.Equal(1, (await first.JsonAsync()).GetProperty("certified").GetInt32());
            }

            // 二星 is the institute's to certify: the station is refused, naming who does it; the institute certifies it.
            using (var refused = await station.PostAsJsonAsync($"/api/v1/volunteers/{id}/stars", new { }))
            {
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                Assert.Contains("认定", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var institute = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "01"));
            using (var second = await institute.PostAsJsonAsync($"/api/v1/volunteers/{id}/stars", new { }))
            {
                Assert.Equal(HttpStatusCode.OK, second.StatusCode);
                var after = await second.JsonAsync();
                Assert.Equal(2, after.GetProperty("certified").GetInt32());
                Assert.Equal(2, after.GetProperty("certifications").GetArrayLength());
            }

            // 三星 is beyond the hours: nothing to certify.
            using (var beyond = await institute.PostAsJsonAsync($"/api/v1/volunteers/{id}/stars", new { }))
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, beyond.StatusCode);
            }

            Assert.Equal(2, await host.WithDbAsync(db => db.Set<StarCertification>().CountAsync(c => c.VolunteerId == id)));
        }
        finally
        {
            using var reset = await center.PutAsJsonAsync("/api/v1/records/rules", new
            {
                starHours = RecordRules.DefaultStarHours,
                starCertifiers = new[] { "Station", "Station", "Institute", "Center", "Center" },
                yearEnd = "12-31",
            });
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }
    }

    [Fact]
    public void A_day_after_the_districts_year_end_counts_towards_the_next_year()
    {
        Assert.Equal(2027, RecordRules.ServiceYear(new DateOnly(2026, 12, 5), 1130));
        Assert.Equal(2026, RecordRules.ServiceYear(new DateOnly(2026, 11, 30), 1130));
        Assert.Equal(2026, RecordRules.ServiceYear(new DateOnly(2026, 12, 31), 1231));
        Assert.Equal(2026, RecordRules.ServiceYear(new DateOnly(2026, 1, 1), 1231));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_units_hours_are_its_volunteers_totals_with_each_child_beside_it(string provider)
    {
        var host = TestHosts.Get(provider);
        await RecordTests.DispatchAsync(host);
        var institute = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "01"));
        var totals = await institute.GetJsonAsync("/api/v1/records/totals");
        var unitId = totals.GetProperty("unit").GetProperty("id").GetGuid();
        var expected = await host.WithDbAsync(async db =>
        {
            var path = await db.Units.Where(u => u.Id == unitId).Select(u => u.Path).SingleAsync();
            var minutes = await db.Set<VolunteerTotal>().Join(db.Set<Volunteer>().Where(v => v.HomeUnit!.Path.StartsWith(path)), t => t.VolunteerId, v => v.Id,
                (t, v) => t.Minutes).SumAsync();
            return RecordRules.Hours(minutes);
        });
        Assert.True(expected > 0);
        Assert.Equal(expected, totals.GetProperty("hours").GetDecimal());
        var children = totals.GetProperty("children").EnumerateArray().Sum(c => c.GetProperty("hours").GetDecimal());
        Assert.InRange(children, expected - 0.1m * totals.GetProperty("children").GetArrayLength() - 0.1m, expected + 0.1m * totals.GetProperty("children").GetArrayLength());

        using var resident = await (await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "20"))).GetAsync("/api/v1/records/totals");
        Assert.Equal(HttpStatusCode.Forbidden, resident.StatusCode);
    }
}
