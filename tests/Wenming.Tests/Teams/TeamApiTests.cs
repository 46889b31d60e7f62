using System.Net;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Teams;

public sealed class TeamApiTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_resident_sees_the_menu_of_their_station_institute_and_center_only(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        var allowed = new[] { await host.UnitIdAsync(HongtaCode), await host.UnitIdAsync($"{HongtaCode}-01"), await host.UnitIdAsync($"{HongtaCode}-01-001") };

        var menu = await resident.GetJsonAsync("/api/v1/menu?pageSize=200");
        var items = menu.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        // Offered at the resident's station or above it, or somewhere inside the station (a grid's own squad).
        var stationPath = await host.WithDbAsync(db => db.Units.Where(u => u.Id == allowed[2]).Select(u => u.Path).SingleAsync());
        var areaPaths = await host.WithDbAsync(db =>
        {
            var ids = items.Select(i => i.GetProperty("area").GetProperty("id").GetGuid()).ToList();
            return db.Units.Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Path }).ToListAsync();
        });
        Assert.All(areaPaths, a => Assert.True(allowed.Contains(a.Id) || a.Path.StartsWith(stationPath, StringComparison.Ordinal), a.Path));
        Assert.Contains(items, i => i.GetProperty("area").GetProperty("id").GetGuid() == allowed[2]);

        var legal = await resident.GetJsonAsync($"/api/v1/menu?search={Uri.EscapeDataString("法律")}");
        Assert.All(legal.GetProperty("items").EnumerateArray(), i => Assert.Contains("法律", i.GetProperty("title").GetString() + i.GetProperty("team").GetString(), StringComparison.Ordinal));

        var near = await resident.GetJsonAsync("/api/v1/menu?lat=24.35&lng=102.54&radiusKm=500");
        var distances = near.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("distanceKm").GetDouble()).ToList();
        Assert.Equal(distances.Order(), distances);

        // A service the station's squad starts offering is on the resident's menu at once (the menu is kept in memory and
        // forgotten when a menu item is saved).
        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "10"));
        var squad = await Orders.OrderFlow.LeadersSquadAsync(host, $"{HongtaCode}-01-001");
        var title = "上门磨剪刀" + Random.Shared.Next(100_000);
        var platformId = legal.GetProperty("items").EnumerateArray().Concat(items).First().GetProperty("platformId").GetGuid();
        using (var offered = await leader.PostJsonAsync($"/api/v1/teams/{squad}/menu", new { title, platformId, capacity = 5 }))
        {
            Assert.Equal(HttpStatusCode.Created, offered.StatusCode);
        }

        var found = await resident.GetJsonAsync($"/api/v1/menu?search={Uri.EscapeDataString(title)}");
        Assert.Equal(title, Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_volunteer_asks_to_join_and_only_an_admin_or_the_teams_leader_decides(string provider)
    {
        var host = TestHosts.Get(provider);
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        using var created = await stationAdmin.PostJsonAsync("/api/v1/teams", new { unitId = station, level = "小队", name = "守楼护院小队" + Random.Shared.Next(1000) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var teamId = (await created.JsonAsync()).GetProperty("id").GetGuid();

        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        using var joined = await volunteer.PostAsync($"/api/v1/teams/{teamId}/join", null);
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        var memberId = (await joined.JsonAsync()).GetProperty("id").GetGuid();
        using var again = await volunteer.PostAsync($"/api/v1/teams/{teamId}/join", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var otherLeader = await host.ClientAsAsync(TestHost.Phone(Hongta, "10")); // leads the station's squad, not this team
        using var notTheirs = await otherLeader.PostAsync($"/api/v1/teams/{teamId}/members/{memberId}/accept", null);
        Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);
        using var accepted = await stationAdmin.PostAsync($"/api/v1/teams/{teamId}/members/{memberId}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var team = await volunteer.GetJsonAsync($"/api/v1/teams/{teamId}");
        var member = Assert.Single(team.GetProperty("members").EnumerateArray());
        Assert.Equal("Member", member.GetProperty("status").GetString());
        Assert.Matches(@"^1\d{2}\*{4}\d{4}$", member.GetProperty("phone").GetString()!);

        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        using var notVolunteer = await resident.PostAsync($"/api/v1/teams/{teamId}/join", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notVolunteer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_raised_need_reaches_the_demand_menu_of_its_station_and_not_its_neighbours(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        var text = "需要有人帮忙修理楼道灯" + Random.Shared.Next(1000);
        using var raised = await resident.PostJsonAsync("/api/v1/demands", new { text });
        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);

        var own = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "02"))).GetStringAsync("/api/v1/demands?pageSize=200");
        Assert.Contains(text, own, StringComparison.Ordinal);
        var neighbour = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "03"))).GetStringAsync("/api/v1/demands?pageSize=200");
        Assert.DoesNotContain(text, neighbour, StringComparison.Ordinal);

        using var tooShort = await resident.PostJsonAsync("/api/v1/demands", new { text = "帮" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
    }
}
