using System.Net;
using System.Text.Json;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;

namespace Wenming.Tests.Teams;

/// <summary>Needs followed through, in Haidian, which other tests leave alone: answered, declined, linked, counted.</summary>
public sealed class DemandApiTests
{
    private const int Haidian = 2;
    private const string HaidianCode = "110108";

    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_need_is_answered_then_becomes_a_project_the_resident_sees(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Haidian, "20"));
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Haidian, "02"));
        var id = await RaiseAsync(resident, new { text = "希望小区开设老年人智能手机课" + Random.Shared.Next(100_000) });

        // The same answer sent twice with one Idempotency-Key takes effect once.
        var key = Guid.NewGuid().ToString();
        var first = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/answer", new { answer = "已转给社区学校，下月排课" }, key);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("Answered", first.Body.GetProperty("status").GetString());
        Assert.Equal(1, first.Body.GetProperty("version").GetInt32());
        var replay = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/answer", new { answer = "已转给社区学校，下月排课" }, key);
        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.Equal(1, replay.Body.GetProperty("version").GetInt32());
        var again = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/answer", new { answer = "再答复一次" });
        Assert.Equal(HttpStatusCode.Conflict, again.Status);

        var station = await host.UnitIdAsync($"{HaidianCode}-01-001");
        using var created = await stationAdmin.PostJsonAsync("/api/v1/projects", new { name = "银龄学堂" + Guid.NewGuid().ToString("N")[..6], unitId = station });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var projectId = (await created.JsonAsync()).GetProperty("id").GetGuid();
        var became = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/became", new { projectId, answer = "已立项：银龄学堂，每周三上课" });
        Assert.Equal(HttpStatusCode.OK, became.Status);
        Assert.Equal("BecameProject", became.Body.GetProperty("status").GetString());
        Assert.Equal(projectId, became.Body.GetProperty("link").GetProperty("id").GetGuid());

        // Settled: no decline after it became something.
        var decline = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/decline", new { reason = "重复" });
        Assert.Equal(HttpStatusCode.Conflict, decline.Status);

        var mine = (await resident.GetJsonAsync("/api/v1/demands/mine")).GetProperty("items").EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == id);
        Assert.Equal("BecameProject", mine.GetProperty("status").GetString());
        Assert.Equal("已立项", mine.GetProperty("statusName").GetString());
        Assert.Equal("已立项：银龄学堂，每周三上课", mine.GetProperty("answer").GetString());
        Assert.Equal("project", mine.GetProperty("link").GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, mine.GetProperty("answeredBy").ValueKind);

        var listed = await stationAdmin.GetJsonAsync("/api/v1/demands?status=BecameProject&pageSize=200");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), d => d.GetProperty("id").GetGuid() == id);
        var received = await stationAdmin.GetJsonAsync("/api/v1/demands?status=Received&pageSize=200");
        Assert.DoesNotContain(received.GetProperty("items").EnumerateArray(), d => d.GetProperty("id").GetGuid() == id);
        using var badStatus = await stationAdmin.GetAsync("/api/v1/demands?status=Lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Declining_needs_a_reason_and_only_admins_over_the_need_act_on_it(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Haidian, "20"));
        var id = await RaiseAsync(resident, new { text = "希望周末开放社区活动室" + Random.Shared.Next(100_000) });
        var path = $"/api/v1/demands/{id}/decline";

        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Haidian, "02"));
        var noReason = await SendAsync(stationAdmin, path, new { reason = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.Status);
        Assert.Contains("理由", noReason.Body.GetProperty("errors").GetProperty("reason")[0].GetString(), StringComparison.Ordinal);

        var body = new { reason = "活动室周末另有安排" };
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(await host.ClientAsAsync(TestHost.Phone(1, "00")), path, body)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(await host.ClientAsAsync(TestHost.Phone(Haidian, "03")), path, body)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(await host.ClientAsAsync(TestHost.Phone(Haidian, "40")), path, body)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(await host.ClientAsAsync(TestHost.Phone(Haidian, "10")), path, body)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(resident, path, body)).Status);

        var bothTargets = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/became", new { menuItemId = Guid.NewGuid(), projectId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, bothTargets.Status);
        var unknown = await SendAsync(stationAdmin, $"/api/v1/demands/{id}/became", new { projectId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        var stale = await SendAsync(stationAdmin, path, new { reason = "活动室周末另有安排", version = 7 });
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);

        // The center's admin is above the station: theirs to decide.
        var declined = await SendAsync(await host.ClientAsAsync(TestHost.Phone(Haidian, "00")), path, new { reason = "活动室周末另有安排", version = 0 });
        Assert.Equal(HttpStatusCode.OK, declined.Status);
        var mine = (await resident.GetJsonAsync("/api/v1/demands/mine")).GetProperty("items").EnumerateArray().Single(d => d.GetProperty("id").GetGuid() == id);
        Assert.Equal("Declined", mine.GetProperty("status").GetString());
        Assert.Equal("活动室周末另有安排", mine.GetProperty("answer").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Of_two_admins_answering_at_once_one_wins_and_the_other_gets_409(string provider)
    {
        var host = TestHosts.Get(provider);
        var resident = await host.ClientAsAsync(TestHost.Phone(Haidian, "20"));
        var id = await RaiseAsync(resident, new { text = "楼下路灯坏了很久没人修" + Random.Shared.Next(100_000) });
        var center = await host.ClientAsAsync(TestHost.Phone(Haidian, "00"));
        var station = await host.ClientAsAsync(TestHost.Phone(Haidian, "02"));

        var both = await Task.WhenAll(
            SendAsync(center, $"/api/v1/demands/{id}/answer", new { answer = "中心已联系物业" }),
            SendAsync(station, $"/api/v1/demands/{id}/answer", new { answer = "站里明天派人看" }));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], both.Select(r => r.Status).Order());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_summary_counts_a_subtrees_needs_by_status_and_the_export_shows_status_and_answer(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Haidian, "00"));
        var institute = await host.UnitIdAsync($"{HaidianCode}-01");
        using var made = await center.PostJsonAsync("/api/v1/units", new { parentId = institute, kind = "Station", name = "需求统计测试站", code = TestData.UniqueCode(HaidianCode) });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var unit = (await made.JsonAsync()).GetProperty("id").GetGuid();

        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await RaiseAsync(center, new { text = $"统计测试需求第{i}条", unitId = unit }));
        }

        using var team = await center.PostJsonAsync("/api/v1/teams", new { unitId = unit, level = "小队", name = "统计测试小队" });
        var teamId = (await team.JsonAsync()).GetProperty("id").GetGuid();
        var platformId = (await center.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        using var offered = await center.PostJsonAsync($"/api/v1/teams/{teamId}/menu", new { title = "上门理发", platformId, capacity = 2 });
        var menuItemId = (await offered.JsonAsync()).GetProperty("id").GetGuid();
        using var project = await center.PostJsonAsync("/api/v1/projects", new { name = "统计测试项目" + Guid.NewGuid().ToString("N")[..6], unitId = unit });
        var projectId = (await project.JsonAsync()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(center, $"/api/v1/demands/{ids[0]}/answer", new { answer = "收到，在安排" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(center, $"/api/v1/demands/{ids[1]}/decline", new { reason = "不在服务范围" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(center, $"/api/v1/demands/{ids[2]}/became", new { menuItemId })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(center, $"/api/v1/demands/{ids[3]}/became", new { projectId })).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(center, $"/api/v1/demands/{ids[4]}/became", new { projectId, answer = "并入项目" })).Status);

        var summary = await center.GetJsonAsync($"/api/v1/demands/summary?unit={unit}");
        Assert.Equal((1, 1, 1, 2, 1, 6), (summary.GetProperty("received").GetInt32(), summary.GetProperty("answered").GetInt32(),
            summary.GetProperty("becameMenuItem").GetInt32(), summary.GetProperty("becameProject").GetInt32(), summary.GetProperty("declined").GetInt32(),
            summary.GetProperty("total").GetInt32()));
        var leader = await host.ClientAsAsync(TestHost.Phone(Haidian, "40"));
        Assert.Equal(6, (await leader.GetJsonAsync($"/api/v1/demands/summary?unit={unit}")).GetProperty("total").GetInt32());
        var future = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3).ToString("yyyy-MM-dd");
        Assert.Equal(0, (await center.GetJsonAsync($"/api/v1/demands/summary?unit={unit}&from={future}")).GetProperty("total").GetInt32());
        using (var otherDistrict = await (await host.ClientAsAsync(TestHost.Phone(1, "00"))).GetAsync($"/api/v1/demands/summary?unit={unit}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherDistrict.StatusCode);
        }

        using (var resident = await (await host.ClientAsAsync(TestHost.Phone(Haidian, "20"))).GetAsync($"/api/v1/demands/summary?unit={unit}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, resident.StatusCode);
        }

        using var export = await center.GetAsync($"/api/v1/demands/export?unit={unit}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var rows = (await export.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal(6, rows.Count);
        var declined = Assert.Single(rows, r => Equals(r["状态"], "暂不采纳"));
        Assert.Equal("不在服务范围", declined["答复"]);
        Assert.Equal("上门理发", Assert.Single(rows, r => Equals(r["状态"], "已纳入服务菜单"))["转化为"]);
    }

    private static async Task<Guid> RaiseAsync(HttpClient client, object body)
    {
        using var raised = await client.PostJsonAsync("/api/v1/demands", body);
        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);
        return (await raised.JsonAsync()).GetProperty("id").GetGuid();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, string url, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.JsonAsync());
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
