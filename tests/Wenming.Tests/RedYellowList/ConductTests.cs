using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.RedYellowList;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.RedYellowList;

/// <summary>
/// 红黄榜 through the front door, in Ledu: events recorded by the grid worker with evidence and a photo, the resident's
/// points and their spending in the shop, yellow points that pause a benefit until an appeal the institute grants brings
/// them back, an admin's decision with a reason, the center's list and the public board; in Kaizhou, the demo at work.
/// </summary>
public sealed class ConductTests
{
    private const int Kaizhou = 3;

    public static TheoryData<string> Providers => TestHosts.Providers();

    /// <summary>A new resident of Ledu's first station (registered by its admin), signed in; with their account id.</summary>
    internal static async Task<(HttpClient Client, Guid Id, string Phone, string Name)> NewResidentAsync(TestHost host)
    {
        var admin = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var station = await host.UnitIdAsync($"{LeduCode}-01-001");
        var phone = $"1392{Random.Shared.Next(1000000, 9999999)}";
        var name = PersonName("黄");
        using var granted = await admin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone, displayName = name, role = "Resident" });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var id = await host.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.UserName == phone);
            user.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<Wenming.Web.Features.Accounts.AppUser>().HashPassword(user, "Demo#2026");
            await db.SaveChangesAsync();
            return user.Id;
        });
        return (await host.ClientAsAsync(phone), id, phone, name);
    }

    private static async Task<List<JsonElement>> ItemsAsync(HttpClient client, string colour) =>
        [.. (await client.GetJsonAsync("/api/v1/conduct/items")).EnumerateArray().Where(i => i.GetProperty("colour").GetString() == colour && i.GetProperty("active").GetBoolean())];

    private static async Task<JsonElement> RecordAsync(HttpClient recorder, string phone, JsonElement item, string evidence = "邻居反映，现场核实属实。")
    {
        using var response = await recorder.PostJsonAsync("/api/v1/conduct/events", new { phone, itemId = item.GetProperty("id").GetGuid(), evidence });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_grid_worker_records_events_with_evidence_and_the_resident_sees_them_and_spends_red_points_in_the_shop(string provider)
    {
        var host = TestHosts.Get(provider);
        var grid = await host.ClientAsAsync(TestHost.Phone(Ledu, "30"));
        var station = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var (resident, residentId, phone, name) = await NewResidentAsync(host);

        var reds = await ItemsAsync(grid, "Red");
        var yellows = await ItemsAsync(grid, "Yellow");
        Assert.True(reds.Count >= 10 && yellows.Count >= 10, "the district's ten red and ten yellow items");
        var red = reds.OrderByDescending(i => i.GetProperty("points").GetInt32()).First();
        var points = red.GetProperty("points").GetInt32();

        var recorded = await RecordAsync(grid, phone, red, "暴雨夜帮独居老人转移到安全处。");
        Assert.Equal("Red", recorded.GetProperty("colour").GetString());
        Assert.Equal(points, recorded.GetProperty("moved").GetInt64());
        Assert.Equal(name, recorded.GetProperty("resident").GetString());
        var eventId = recorded.GetProperty("id").GetGuid();

        // A photo as evidence, which the resident sees too.
        using (var photo = await grid.PostAsync($"/api/v1/conduct/events/{eventId}/photo",
                   new MultipartFormDataContent { { new ByteArrayContent(PolicyTests.Png), "file", "evidence.png" } }))
        {
            Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        }

        using (var seen = await resident.GetAsync($"/api/v1/conduct/events/{eventId}/photo"))
        {
            Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
            Assert.Equal("image/png", seen.Content.Headers.ContentType?.MediaType);
        }

        var mine = await resident.GetJsonAsync("/api/v1/conduct/me");
        Assert.Equal(points, mine.GetProperty("balance").GetInt64());
        Assert.Equal(points, mine.GetProperty("redTotal").GetInt64());
        var only = Assert.Single(mine.GetProperty("events").EnumerateArray());
        Assert.Equal("暴雨夜帮独居老人转移到安全处。", only.GetProperty("evidence").GetString());
        Assert.True(only.GetProperty("hasPhoto").GetBoolean());

        // Bad input: a clear error in Chinese, and nothing saved.
        using (var noEvidence = await grid.PostJsonAsync("/api/v1/conduct/events", new { phone, itemId = red.GetProperty("id").GetGuid(), evidence = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noEvidence.StatusCode);
            Assert.Contains("事实依据", await noEvidence.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var future = await grid.PostJsonAsync("/api/v1/conduct/events",
                   new { phone, itemId = red.GetProperty("id").GetGuid(), evidence = "明天的事先记上。", occurredOn = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd") }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        }

        using (var stranger = await grid.PostJsonAsync("/api/v1/conduct/events", new { phone = "13999999999", itemId = red.GetProperty("id").GetGuid(), evidence = "不存在的人。" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
            Assert.Contains("手机号", await stranger.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Neither a volunteer nor the resident records; nor does anyone for themself.
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Ledu, "11"));
        using (var refused = await volunteer.PostJsonAsync("/api/v1/conduct/events", new { phone, itemId = red.GetProperty("id").GetGuid(), evidence = "志愿者想记一笔。" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var self = await resident.PostJsonAsync("/api/v1/conduct/events", new { phone, itemId = red.GetProperty("id").GetGuid(), evidence = "给自己加分。" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        }

        // The same form sent again at once (a double tap) is the event already recorded.
        var doubleTap = await RecordAsync(grid, phone, red, "暴雨夜帮独居老人转移到安全处。");
        Assert.Equal(eventId, doubleTap.GetProperty("id").GetGuid());

        // The same request replayed with its key records once.
        var key = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/conduct/events")
            {
                Content = JsonContent(new { phone, itemId = reds[1].GetProperty("id").GetGuid(), evidence = "重阳节参加敬老志愿服务。" }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await grid.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        mine = await resident.GetJsonAsync("/api/v1/conduct/me");
        Assert.Equal(2, mine.GetProperty("events").GetArrayLength());
        var balance = mine.GetProperty("balance").GetInt64();
        Assert.Equal(points + reds[1].GetProperty("points").GetInt32(), balance);

        // Red points spend in the station's shop: one item affordable, the second not.
        var stationId = await host.UnitIdAsync($"{LeduCode}-01-001");
        using (var stocked = await station.PostJsonAsync("/api/v1/shop/items",
                   new { unitId = stationId, name = "红榜毛巾" + Random.Shared.Next(1000, 9999), price = balance, quantity = 3, donor = "村集体" }))
        {
            Assert.Equal(HttpStatusCode.Created, stocked.StatusCode);
            var item = (await stocked.JsonAsync()).GetProperty("id").GetGuid();
            using var redeemed = await resident.PostJsonAsync("/api/v1/shop/redemptions", new { itemId = item, from = "resident" });
            Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
            var redemption = await redeemed.JsonAsync();
            Assert.Equal(name, redemption.GetProperty("volunteer").GetString());
            Assert.Equal(0, (await resident.GetJsonAsync("/api/v1/conduct/me")).GetProperty("balance").GetInt64());
            using (var collected = await station.PostAsync($"/api/v1/shop/redemptions/{redemption.GetProperty("id").GetGuid()}/collect", null))
            {
                Assert.Equal(HttpStatusCode.OK, collected.StatusCode);
            }

            using var again = await resident.PostJsonAsync("/api/v1/shop/redemptions", new { itemId = item, from = "resident" });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        }

        var ledger = await Points.PointsTests.CheckLedgerAsync(host);
        Assert.Equal(0, ledger.Mismatched);
        Assert.Equal(0, ledger.Total);

        // Another district's admin finds no such resident; the station admin sees them.
        var elsewhere = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "00"));
        using (var hidden = await elsewhere.GetAsync($"/api/v1/conduct/residents/{residentId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        }

        Assert.Equal(2, (await station.GetJsonAsync($"/api/v1/conduct/residents/{residentId}")).GetProperty("events").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Yellow_points_pause_a_benefit_an_appeal_granted_lifts_it_and_an_admin_decides_otherwise_with_a_reason(string provider)
    {
        var host = TestHosts.Get(provider);
        var grid = await host.ClientAsAsync(TestHost.Phone(Ledu, "30"));
        var station = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var institute = await host.ClientAsAsync(TestHost.Phone(Ledu, "01"));
        var (resident, residentId, phone, _) = await NewResidentAsync(host);

        var rules = await grid.GetJsonAsync("/api/v1/conduct/rules");
        var benefit = rules.GetProperty("benefits").EnumerateArray().Where(b => b.GetProperty("active").GetBoolean())
            .OrderBy(b => b.GetProperty("threshold").GetInt32()).First();
        var threshold = benefit.GetProperty("threshold").GetInt32();
        var benefitId = benefit.GetProperty("id").GetGuid();
        var yellow = (await ItemsAsync(grid, "Yellow")).OrderBy(i => i.GetProperty("points").GetInt32()).Last(i => i.GetProperty("points").GetInt32() <= threshold);
        var each = yellow.GetProperty("points").GetInt32();
        var times = (threshold + each - 1) / each;
        // A few red points first: the first yellow event takes what there is, the others nothing (never below zero).
        var red = (await ItemsAsync(grid, "Red")).OrderBy(i => i.GetProperty("points").GetInt32()).First();
        var earned = red.GetProperty("points").GetInt32();
        await RecordAsync(grid, phone, red, "帮邻居照看孩子。");
        var events = new List<Guid>();
        for (var i = 0; i < times; i++)
        {
            var e = await RecordAsync(grid, phone, yellow, $"第 {i + 1} 次：村民反映，现场核实属实。");
            Assert.Equal(i == 0 ? Math.Min(each, earned) : 0, e.GetProperty("moved").GetInt64());
            events.Add(e.GetProperty("id").GetGuid());
        }

        JsonElement State(JsonElement me) => me.GetProperty("benefits").EnumerateArray().Single(b => b.GetProperty("id").GetGuid() == benefitId);
        var mine = await resident.GetJsonAsync("/api/v1/conduct/me");
        Assert.Equal(times * each, mine.GetProperty("yellowTotal").GetInt64());
        Assert.Equal(Math.Max(0, earned - each), mine.GetProperty("balance").GetInt64());
        Assert.True(State(mine).GetProperty("paused").GetBoolean());
        Assert.True(State(mine).GetProperty("byRule").GetBoolean());
        Assert.Contains($"达到 {threshold} 分", State(mine).GetProperty("reason").GetString(), StringComparison.Ordinal);
        var paused = await station.GetJsonAsync("/api/v1/conduct/paused");
        Assert.Contains(paused.EnumerateArray(), p => p.GetProperty("residentId").GetGuid() == residentId);

        // The resident appeals the first one, which took points; once only. The station does not decide; the institute does.
        var last = events[0];
        using (var appealed = await resident.PostJsonAsync($"/api/v1/conduct/events/{last}/appeal", new { reason = "那天我不在村里，在县医院陪护老人。" }))
        {
            Assert.Equal(HttpStatusCode.OK, appealed.StatusCode);
            Assert.Equal("Appealed", (await appealed.JsonAsync()).GetProperty("status").GetString());
        }

        using (var twice = await resident.PostJsonAsync($"/api/v1/conduct/events/{last}/appeal", new { reason = "再申诉一次。" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        using (var notStation = await station.PostJsonAsync($"/api/v1/conduct/events/{last}/decide", new { grant = true, note = "同意" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notStation.StatusCode);
        }

        Assert.Contains((await institute.GetJsonAsync("/api/v1/conduct/events?status=Appealed")).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("id").GetGuid() == last);
        using (var granted = await institute.PostJsonAsync($"/api/v1/conduct/events/{last}/decide", new { grant = true, note = "经核实当日不在村，撤销。" }))
        {
            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
            Assert.Equal("Withdrawn", (await granted.JsonAsync()).GetProperty("status").GetString());
        }

        // Lifted by itself: the yellow total fell below the threshold; the points it took came back.
        mine = await resident.GetJsonAsync("/api/v1/conduct/me");
        Assert.Equal((times - 1) * each, mine.GetProperty("yellowTotal").GetInt64());
        Assert.Equal(earned, mine.GetProperty("balance").GetInt64());
        var ledger = await Points.PointsTests.CheckLedgerAsync(host);
        Assert.Equal(0, ledger.Mismatched);
        Assert.False(State(mine).GetProperty("paused").GetBoolean());

        // Past it again; the station admin gives the benefit back with a reason, and later returns to the rule.
        await RecordAsync(grid, phone, yellow);
        Assert.True(State(await resident.GetJsonAsync("/api/v1/conduct/me")).GetProperty("paused").GetBoolean());
        using (var noReason = await station.PostJsonAsync($"/api/v1/conduct/residents/{residentId}/benefits/{benefitId}", new { mode = "Lift", reason = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }

        using (var lifted = await station.PostJsonAsync($"/api/v1/conduct/residents/{residentId}/benefits/{benefitId}",
                   new { mode = "Lift", reason = "家中有重病老人，经村民代表会议同意照常享受。" }))
        {
            Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        }

        var state = State(await resident.GetJsonAsync("/api/v1/conduct/me"));
        Assert.False(state.GetProperty("paused").GetBoolean());
        Assert.False(state.GetProperty("byRule").GetBoolean());
        Assert.Contains("村民代表会议", state.GetProperty("reason").GetString(), StringComparison.Ordinal);
        using (var rule = await station.PostJsonAsync($"/api/v1/conduct/residents/{residentId}/benefits/{benefitId}", new { mode = "Rule", reason = "情况已变化，按规则执行。" }))
        {
            Assert.Equal(HttpStatusCode.OK, rule.StatusCode);
        }

        Assert.True(State(await resident.GetJsonAsync("/api/v1/conduct/me")).GetProperty("paused").GetBoolean());
        Assert.Equal(2, await host.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == "conduct.benefit-overridden" && a.TargetId == residentId.ToString())));

        // The resident cannot decide their own benefit.
        using var own = await resident.PostJsonAsync($"/api/v1/conduct/residents/{residentId}/benefits/{benefitId}", new { mode = "Lift", reason = "我自己恢复一下。" });
        Assert.True(own.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{(int)own.StatusCode}");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_center_keeps_the_list_and_the_public_board_shows_it_as_the_district_chooses(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var station = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var grid = await host.ClientAsAsync(TestHost.Phone(Ledu, "30"));
        var items = (await center.GetJsonAsync("/api/v1/conduct/items")).EnumerateArray().ToList();
        var list = items.Select(i => new
        {
            id = (Guid?)i.GetProperty("id").GetGuid(),
            colour = i.GetProperty("colour").GetString(),
            title = i.GetProperty("title").GetString(),
            points = i.GetProperty("points").GetInt32(),
            active = i.GetProperty("active").GetBoolean(),
        }).ToList();
        var title = "节约用水" + Random.Shared.Next(1000, 9999);
        var changed = list.Append(new { id = (Guid?)null, colour = (string?)"Red", title = (string?)title, points = 4, active = true }).ToList();
        using (var refused = await station.PutJsonAsync("/api/v1/conduct/items", changed))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var saved = await center.PutJsonAsync("/api/v1/conduct/items", changed))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        var added = (await grid.GetJsonAsync("/api/v1/conduct/items")).EnumerateArray().Single(i => i.GetProperty("title").GetString() == title);
        Assert.Equal(4, added.GetProperty("points").GetInt32());
        using (var renamed = await center.PutJsonAsync("/api/v1/conduct/items",
                   changed.Select(x => x.title == title ? x with { id = added.GetProperty("id").GetGuid(), title = "改名" } : x)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        }

        var (_, _, phone, name) = await NewResidentAsync(host);
        await RecordAsync(grid, phone, added, "主动修好了村里漏水的水管。");
        var stationId = await host.UnitIdAsync($"{LeduCode}-01-001");
        using var anonymous = host.CreateClient();
        var rules = await center.GetJsonAsync("/api/v1/conduct/rules");
        try
        {
            foreach (var (board, shown) in new[] { ("Named", name), ("Masked", name[..1] + new string('*', name.Length - 1)) })
            {
                using (var set = await center.PutJsonAsync("/api/v1/conduct/rules", new { windowMonths = 12, board, version = (await center.GetJsonAsync("/api/v1/conduct/rules")).GetProperty("version").GetInt32() }))
                {
                    Assert.Equal(HttpStatusCode.OK, set.StatusCode);
                }

                var page = await anonymous.GetStringAsync($"/h/{stationId}");
                Assert.Contains("红黄榜", page, StringComparison.Ordinal);
                Assert.Contains($"<strong>{shown}</strong> · {title}", page, StringComparison.Ordinal);
            }

            using (var hide = await center.PutJsonAsync("/api/v1/conduct/rules", new { windowMonths = 12, board = "Hidden", version = (await center.GetJsonAsync("/api/v1/conduct/rules")).GetProperty("version").GetInt32() }))
            {
                Assert.Equal(HttpStatusCode.OK, hide.StatusCode);
            }

            Assert.DoesNotContain(title, await anonymous.GetStringAsync($"/h/{stationId}"), StringComparison.Ordinal);
        }
        finally
        {
            using var restore = await center.PutJsonAsync("/api/v1/conduct/rules", new { windowMonths = rules.GetProperty("windowMonths").GetInt32(), board = "Masked" });
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_station_moved_to_another_institute_takes_its_events_along(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var root = await host.UnitIdAsync(LeduCode);
        var first = await Dashboards.DashboardTests.CreateUnitAsync(center, root, "Institute", "红黄榜迁出所");
        var second = await Dashboards.DashboardTests.CreateUnitAsync(center, root, "Institute", "红黄榜迁入所");
        var station = await Dashboards.DashboardTests.CreateUnitAsync(center, first, "Station", "红黄榜迁移站");
        var phone = $"1393{Random.Shared.Next(1000000, 9999999)}";
        using (var granted = await center.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone, displayName = PersonName("迁"), role = "Resident" }))
        {
            Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        }

        var recorded = await RecordAsync(center, phone, (await ItemsAsync(center, "Yellow"))[0]);
        async Task<bool> ListedUnderAsync(Guid unit) =>
            (await center.GetJsonAsync($"/api/v1/conduct/events?unit={unit}")).GetProperty("items").EnumerateArray()
            .Any(e => e.GetProperty("id").GetGuid() == recorded.GetProperty("id").GetGuid());
        Assert.True(await ListedUnderAsync(first));
        Assert.False(await ListedUnderAsync(second));

        var version = (await center.GetJsonAsync($"/api/v1/units/{station}")).GetProperty("version").GetInt32();
        using (var moved = await center.PostJsonAsync($"/api/v1/units/{station}/move", new { newParentId = second, version }))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        Assert.False(await ListedUnderAsync(first));
        Assert.True(await ListedUnderAsync(second));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Kaizhou_starts_with_its_red_yellow_list_at_work(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "00"));
        var events = (await center.GetJsonAsync("/api/v1/conduct/events?pageSize=200")).GetProperty("items").EnumerateArray().ToList();
        Assert.True(events.Count >= 10, $"{events.Count} events");
        Assert.Contains(events, e => e.GetProperty("colour").GetString() == "Red");
        foreach (var status in new[] { "Appealed", "Upheld", "Withdrawn" })
        {
            Assert.Contains(events, e => e.GetProperty("status").GetString() == status);
        }

        Assert.NotEmpty((await center.GetJsonAsync("/api/v1/conduct/paused")).EnumerateArray());
        var resident = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "20"));
        var mine = await resident.GetJsonAsync("/api/v1/conduct/me");
        Assert.True(mine.GetProperty("balance").GetInt64() > 0);
        Assert.Contains(mine.GetProperty("events").EnumerateArray(), e => e.GetProperty("status").GetString() == nameof(ConductStatus.Appealed));
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
