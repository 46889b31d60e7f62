using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Orders;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Orders.OrderFlow;

namespace Wenming.Tests.Orders;

/// <summary>Each district's preset workflow end to end through HTTP, with that district's demo accounts.</summary>
public sealed class WorkflowTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private const int Jiulongpo = 1, Haidian = 2, Kaizhou = 3;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Hongta_five_steps_order_collect_dispatch_accept_deliver_rate(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Hongta);
        Assert.Equal("所站集单", Step(order));
        Assert.Equal(await host.UnitIdAsync($"{HongtaCode}-01-001"), HolderUnit(order));
        Assert.Equal(["place"], Timeline(order));
        Assert.Contains("所站集单", order.GetProperty("next").GetString(), StringComparison.Ordinal);
        Assert.Equal(TestHost.Phone(Hongta, "20"), order.GetProperty("contactPhone").GetString()); // the resident sees their own phone

        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var seenByStation = await station.GetJsonAsync($"/api/v1/orders/{order.GetProperty("id")}");
        Assert.Equal("138****0020", seenByStation.GetProperty("contactPhone").GetString());
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        await ActAsync(center, order, "dispatch", new { teamId = Guid.Empty }, HttpStatusCode.Conflict); // not at dispatch yet
        order = await ActAsync(station, order, "collect", new { note = "已电话核实需求" });
        Assert.Equal("中心派单", Step(order));
        Assert.Equal(await host.UnitIdAsync(HongtaCode), HolderUnit(order));
        await ActAsync(station, order, "dispatch", new { teamId = Guid.Empty }, HttpStatusCode.Forbidden); // the station no longer holds it

        var squad = await LeadersSquadAsync(host, $"{HongtaCode}-01-001");
        var recommended = await center.GetJsonAsync($"/api/v1/orders/{order.GetProperty("id")}/recommendations");
        Assert.NotEmpty(recommended.GetProperty("teams").EnumerateArray());
        Assert.All(recommended.GetProperty("volunteers").EnumerateArray(), v => Assert.NotEmpty(v.GetProperty("reasons").EnumerateArray()));
        order = await ActAsync(center, order, "dispatch", new { teamId = squad });
        Assert.Equal("志愿服务队接单", Step(order));

        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "10"));
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        await ActAsync(volunteer, order, "accept", null, HttpStatusCode.Forbidden);
        order = await ActAsync(leader, order, "accept");
        Assert.Equal("InService", State(order));
        var volunteerId = await VolunteerIdAsync(host, TestHost.Phone(Hongta, "11"));
        order = await ActAsync(leader, order, "assign", new { volunteerIds = new[] { volunteerId } });

        await ActAsync(volunteer, order, "check-in", new { latitude = 24.0, longitude = 102.0, coordinateSystem = "wgs84" }, HttpStatusCode.UnprocessableEntity);
        order = await ActAsync(volunteer, order, "check-in", Here(order));
        await ActAsync(volunteer, order, "deliver", null, HttpStatusCode.UnprocessableEntity); // not checked out
        order = await ActAsync(volunteer, order, "check-out", Here(order));
        order = await ActAsync(volunteer, order, "deliver", new { note = "测了血压，讲解了用药" });
        Assert.Equal("Delivered", State(order));
        Assert.Equal("群众评单", Step(order));
        var assignment = Assert.Single(order.GetProperty("assignments").EnumerateArray());
        Assert.True(assignment.GetProperty("minutes").GetInt32() >= 0);

        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        await ActAsync(volunteer, order, "rate", new { stars = 5 }, HttpStatusCode.Forbidden);
        await ActAsync(resident, order, "rate", new { stars = 9 }, HttpStatusCode.BadRequest); // 1 to 5, and nothing changes
        order = await ActAsync(resident, order, "rate", new { stars = 5, comment = "很及时，谢谢！" });
        Assert.Equal("Closed", State(order));
        Assert.Equal(["place", "collect", "dispatch", "accept", "assign", "check-in", "check-out", "deliver", "rate"], Timeline(order));

        var teamPage = await resident.GetJsonAsync($"/api/v1/teams/{squad}");
        var work = teamPage.GetProperty("recentWork").EnumerateArray().First();
        Assert.Equal(5, work.GetProperty("rating").GetInt32()); // the team's page shows its recent work, newest first
        Assert.DoesNotContain("独居老人", teamPage.GetProperty("recentWork").GetRawText(), StringComparison.Ordinal); // but not what the resident typed

        var reviews = await resident.GetJsonAsync($"/api/v1/reviews/{HongtaCode}");
        Assert.Contains(reviews.EnumerateArray(), r => r.GetProperty("number").GetString() == order.GetProperty("number").GetString());
        Assert.DoesNotContain(TestHost.Phone(Hongta, "20"), reviews.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_rejected_order_goes_back_a_step_to_whoever_held_it(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Hongta, "帮忙修理漏水的水龙头");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "10"));
        order = await ActAsync(station, order, "collect");
        order = await ActAsync(center, order, "dispatch", new { teamId = await LeadersSquadAsync(host, $"{HongtaCode}-01-001") });

        await ActAsync(leader, order, "reject", new { }, HttpStatusCode.BadRequest); // a reason is required
        order = await ActAsync(leader, order, "reject", new { reason = "本周队员都在外出服务" });
        Assert.Equal("中心派单", Step(order));
        Assert.Equal(await host.UnitIdAsync(HongtaCode), HolderUnit(order));
        Assert.Contains(order.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("note").GetString() == "本周队员都在外出服务");

        order = await ActAsync(center, order, "reject", new { reason = "请站点先核实地址" });
        Assert.Equal("所站集单", Step(order));
        order = await ActAsync(station, order, "reject", new { reason = "不属于志愿服务范围" });
        Assert.Equal("Rejected", State(order));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Jiulongpo_dispatches_level_by_level_and_a_resident_may_cancel(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Jiulongpo, "社区开展防诈骗宣讲");
        Assert.Equal("中心/所/站制单", Step(order));
        var station = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "02"));
        var institute = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "01"));
        var center = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "00"));
        order = await ActAsync(station, order, "draft", new { note = "转为宣讲工单" });
        Assert.Equal("层层派单", Step(order));
        Assert.Equal(await host.UnitIdAsync(JiulongpoCode), HolderUnit(order));

        await ActAsync(center, order, "dispatch", new { unitId = await host.UnitIdAsync($"{JiulongpoCode}-01-001") }, HttpStatusCode.UnprocessableEntity); // skips a level
        // Nor straight to a station's team: the workflow says so (its dispatch step goes one level at a time).
        var workflow = await center.GetJsonAsync("/api/v1/workflow");
        Assert.True(workflow.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "层层派单").GetProperty("oneLevelAtATime").GetBoolean());
        var editor = await center.GetStringAsync("/Orders/Workflow"); // the editor page shows it ticked, so a save keeps it
        Assert.Matches(@"name=""steps\[2\]\.OneLevelAtATime""[^>]*checked", editor);
        Assert.DoesNotMatch(@"name=""steps\[1\]\.OneLevelAtATime""[^>]*checked", editor);
        using (var skipped = await center.PostJsonAsync($"/api/v1/orders/{order.GetProperty("id")}/actions/dispatch",
                   new { teamId = await LeadersSquadAsync(host, $"{JiulongpoCode}-01-001") }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, skipped.StatusCode);
            Assert.Contains("层层派单", (await skipped.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        order = await ActAsync(center, order, "dispatch", new { unitId = await host.UnitIdAsync($"{JiulongpoCode}-01") });
        Assert.Equal("层层派单", Step(order));
        order = await ActAsync(institute, order, "dispatch", new { unitId = await host.UnitIdAsync($"{JiulongpoCode}-01-001") });
        order = await ActAsync(station, order, "dispatch", new { teamId = await LeadersSquadAsync(host, $"{JiulongpoCode}-01-001") });
        Assert.Equal("队伍接单", Step(order));
        var leader = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "10"));
        order = await ActAsync(leader, order, "accept");
        Assert.Equal("InService", State(order));

        // The team's volunteer serves it, and the resident rates it: the order is done.
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "11"));
        order = await ActAsync(leader, order, "assign", new { volunteerIds = new[] { await VolunteerIdAsync(host, TestHost.Phone(Jiulongpo, "11")) } });
        order = await ActAsync(volunteer, order, "check-in", Here(order));
        order = await ActAsync(volunteer, order, "check-out", Here(order));
        order = await ActAsync(volunteer, order, "deliver", new { note = "宣讲一场，约 40 位居民参加" });
        Assert.Equal(("Delivered", "群众评单"), (State(order), Step(order)));
        var resident = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "20"));
        order = await ActAsync(resident, order, "rate", new { stars = 4, comment = "讲得很实用" });
        Assert.Equal("Closed", State(order));
        Assert.Equal(["place", "draft", "dispatch", "dispatch", "dispatch", "accept", "assign", "check-in", "check-out", "deliver", "rate"], Timeline(order));

        var second = await ResidentOrdersAsync(host, Jiulongpo, "想学习用手机挂号");
        await ActAsync(station, second, "cancel", new { reason = "不是本人" }, HttpStatusCode.Forbidden);
        second = await ActAsync(resident, second, "cancel", new { reason = "已经学会了" });
        Assert.Equal("Cancelled", State(second));
        await ActAsync(station, second, "draft", null, HttpStatusCode.Conflict);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Kaizhou_six_steps_from_a_grid_workers_patrol_to_public_review(string provider)
    {
        var host = TestHosts.Get(provider);
        var grid = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "30"));
        var platform = (await grid.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        var phone = $"139{Random.Shared.Next(10_000_000, 99_999_999)}";
        var order = await PlaceAsync(grid, new
        {
            title = "独居老人家中灯坏了需要更换",
            platformId = platform,
            contactName = "刘建国",
            contactPhone = phone,
            address = "3 栋 2 单元 101",
            latitude = 31.16,
            longitude = 108.39,
            coordinateSystem = "gcj02",
        });
        Assert.Equal("AwaitingConfirmation", State(order));
        Assert.Equal("群众点单", Step(order));
        Assert.Equal(["file"], Timeline(order));
        Assert.NotEqual(31.16, order.GetProperty("latitude").GetDouble()); // GCJ-02 converted to WGS-84

        var sms = host.Sms.Sent.Last(s => s.Phone == phone).Text;
        var link = System.Text.RegularExpressions.Regex.Match(sms, @"/o/[A-Za-z0-9_-]+").Value;
        using var anonymous = host.CreateClient();
        using (var preview = await anonymous.GetAsync(link)) // a link previewer confirms nothing
        {
            Assert.Contains("是的，我需要这项服务", await preview.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await ActAsync(grid, order, "confirm", null, HttpStatusCode.Forbidden); // only the resident confirms
        Assert.Equal("AwaitingConfirmation", State(await grid.GetJsonAsync($"/api/v1/orders/{order.GetProperty("id")}")));
        using var confirmed = await anonymous.PostAsync(link, null);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains("已确认", await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var station = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "02"));
        var institute = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "01"));
        order = await station.GetJsonAsync($"/api/v1/orders/{order.GetProperty("id")}");
        Assert.Equal("实践站接单", Step(order));
        order = await ActAsync(station, order, "accept");
        Assert.Equal("中转站派单", Step(order));
        order = await ActAsync(institute, order, "dispatch", new { teamId = await LeadersSquadAsync(host, "500154-01-001") });
        Assert.Equal("志愿者送单", Step(order));

        var leader = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "10"));
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "11"));
        var volunteerId = await VolunteerIdAsync(host, TestHost.Phone(Kaizhou, "11"));
        var volunteerName = await host.WithDbAsync(db => db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.Id == volunteerId).Select(v => v.Name).SingleAsync());
        order = await ActAsync(leader, order, "assign", new { volunteerIds = new[] { volunteerId } });
        order = await ActAsync(volunteer, order, "check-in", Here(order));
        order = await ActAsync(volunteer, order, "check-out", Here(order));
        order = await ActAsync(volunteer, order, "deliver", new { note = "换了两只节能灯" });

        // The resident has no account: the grid worker who filed it rates for them. Two stars go to the unit above for review.
        // What people write names people: the resident, the volunteer (in full, and by family name with a form of address).
        var comment = $"来得有点晚，不过{volunteerName}很耐心，刘大爷说谢谢{volunteerName[0]}老师，有事打 {phone}";
        order = await ActAsync(grid, order, "rate", new { stars = 2, comment });
        Assert.Equal("UnderReview", State(order));
        var team = await LeadersSquadAsync(host, "500154-01-001");
        var above = await host.WithDbAsync(db => db.Set<Wenming.Web.Features.Teams.Team>().Where(t => t.Id == team)
            .Select(t => new { Id = db.Units.Single(u => u.Id == t.UnitId).ParentId!.Value, Top = db.Units.Single(u => u.Id == t.UnitId).Kind == Wenming.Web.Features.Organization.UnitKind.Institute }).SingleAsync());
        Assert.Equal(above.Id, HolderUnit(order)); // the unit above the team's unit reviews
        var reviewer = above.Top ? await host.ClientAsAsync(TestHost.Phone(Kaizhou, "00")) : institute;
        order = await ActAsync(reviewer, order, "review", new { outcome = "close", note = "已向老人致歉" });
        Assert.Equal("Closed", State(order));
        Assert.Contains(host.Sms.Sent, s => s.Phone == phone && s.Text.Contains("服务完成", StringComparison.Ordinal));

        var reviews = await anonymous.GetJsonAsync("/api/v1/reviews/500154");
        Assert.Contains(reviews.EnumerateArray(), r => r.GetProperty("number").GetString() == order.GetProperty("number").GetString() && r.GetProperty("rating").GetInt32() == 2);
        Assert.DoesNotContain(phone, reviews.GetRawText(), StringComparison.Ordinal);
        var shown = reviews.EnumerateArray().Single(r => r.GetProperty("number").GetString() == order.GetProperty("number").GetString()).GetProperty("comment").GetString()!;
        Assert.StartsWith("来得有点晚，不过", shown, StringComparison.Ordinal); // the rest of what was said stays
        Assert.DoesNotContain("刘大爷", shown, StringComparison.Ordinal); // the resident, 刘建国, by family name and form of address
        Assert.DoesNotContain(volunteerName, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(volunteerName[0] + "老师", shown, StringComparison.Ordinal);
        Assert.Contains("刘**", shown, StringComparison.Ordinal);

        var resident = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "20"));
        var mine = await ResidentOrdersAsync(host, Kaizhou, "希望有人陪老人去医院复诊");
        Assert.Equal("实践站接单", Step(mine)); // a resident's own order skips the patrol
        _ = resident;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Haidian_volunteers_claim_first_come_first_served(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Haidian, "周末陪伴孤寡老人聊天");
        Assert.Equal("志愿者抢单", Step(order));
        var first = await host.ClientAsAsync(TestHost.Phone(Haidian, "11"));
        var second = await host.ClientAsAsync(TestHost.Phone(Haidian, "10"));
        var claimable = await first.GetJsonAsync($"/api/v1/orders?view=claimable&lat={order.GetProperty("latitude")}&lng={order.GetProperty("longitude")}&radiusKm=3");
        Assert.Contains(claimable.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetGuid() == order.GetProperty("id").GetGuid());

        var id = order.GetProperty("id").GetGuid();
        var attempts = await Task.WhenAll(first.PostJsonAsync($"/api/v1/orders/{id}/actions/accept", new { }),
            second.PostJsonAsync($"/api/v1/orders/{id}/actions/accept", new { }));
        var codes = attempts.Select(a => a.StatusCode).Order().ToList();
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], codes);
        var loser = attempts.Single(a => a.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", loser.Content.Headers.ContentType?.MediaType);
        foreach (var a in attempts)
        {
            a.Dispose();
        }

        var resident = await host.ClientAsAsync(TestHost.Phone(Haidian, "20"));
        order = await resident.GetJsonAsync($"/api/v1/orders/{id}");
        Assert.Single(order.GetProperty("assignments").EnumerateArray());
        Assert.Equal(1, Timeline(order).Count(a => a == "accept"));

        // Whoever won serves it; to the other, a claimed order is gone from view. The resident rates it: done.
        var winner = attempts[0].StatusCode == HttpStatusCode.OK ? first : second;
        var other = ReferenceEquals(winner, first) ? second : first;
        await ActAsync(other, order, "check-in", Here(order), HttpStatusCode.NotFound);
        order = await ActAsync(winner, order, "check-in", Here(order));
        order = await ActAsync(winner, order, "check-out", Here(order));
        order = await ActAsync(winner, order, "deliver", new { note = "陪老人聊了一个下午" });
        Assert.Equal(("Delivered", "群众评单"), (State(order), Step(order)));
        order = await ActAsync(resident, order, "rate", new { stars = 5 });
        Assert.Equal("Closed", State(order));
        Assert.Equal(["place", "accept", "check-in", "check-out", "deliver", "rate"], Timeline(order));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_missed_deadline_escalates_once_even_when_two_instances_scan_together(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Hongta, "楼道堆放杂物需要清理");
        var id = order.GetProperty("id").GetGuid();
        var second = (await ResidentOrdersAsync(host, Hongta, "小区健身器材损坏需要报修")).GetProperty("id").GetGuid();
        var deadlines = host.Services.GetRequiredService<OrderDeadlines>();
        var later = DateTimeOffset.UtcNow.AddHours(25); // the collect step allows 24 hours

        await deadlines.RunOnceAsync(DateTimeOffset.UtcNow.AddHours(23), CancellationToken.None);
        var institute = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var before = await institute.GetJsonAsync($"/api/v1/orders/{id}");
        Assert.Equal(await host.UnitIdAsync($"{HongtaCode}-01-001"), HolderUnit(before));

        await Task.WhenAll(deadlines.RunOnceAsync(later, CancellationToken.None), deadlines.RunOnceAsync(later, CancellationToken.None));
        await deadlines.RunOnceAsync(later, CancellationToken.None);
        var after = await institute.GetJsonAsync($"/api/v1/orders/{id}");
        Assert.Equal(await host.UnitIdAsync($"{HongtaCode}-01"), HolderUnit(after));
        Assert.Equal(1, Timeline(after).Count(a => a == "escalate-timeout"));
        Assert.Equal("所站集单", Step(after));
        Assert.Contains("collect", Actions(after));
        var notices = await host.WithDbAsync(db => db.Set<OrderNotice>().CountAsync(n => n.OrderId == id && n.Text.Contains("超时")));
        Assert.Equal(1, notices);
        var told = await institute.GetJsonAsync("/api/v1/orders/notices");
        Assert.Contains(told.EnumerateArray(), n => n.GetProperty("orderId").GetGuid() == id && n.GetProperty("text").GetString()!.Contains("超时", StringComparison.Ordinal));

        // The institute holds both now, neither overdue yet by the real clock. When the first one's new deadline has passed
        // too (set back here, as time would), it leads the institute's to-do list, ahead of the newer second.
        var rows = (await institute.GetJsonAsync("/api/v1/orders?view=todo")).GetProperty("items").EnumerateArray().ToList();
        Assert.False(rows.Single(r => r.GetProperty("id").GetGuid() == id).GetProperty("overdue").GetBoolean());
        Assert.False(rows.Single(r => r.GetProperty("id").GetGuid() == second).GetProperty("overdue").GetBoolean());
        await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.StepDueAt, DateTimeOffset.UtcNow.AddMinutes(-5))));
        rows = [.. (await institute.GetJsonAsync("/api/v1/orders?view=todo")).GetProperty("items").EnumerateArray()];
        Assert.Equal(id, rows[0].GetProperty("id").GetGuid());
        Assert.True(rows[0].GetProperty("overdue").GetBoolean());
        Assert.True(rows.FindIndex(r => r.GetProperty("id").GetGuid() == second) > 0);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_scanner_escalates_on_its_own_timer_by_its_clock(string provider)
    {
        var host = TestHosts.Get(provider);
        var id = (await ResidentOrdersAsync(host, Hongta, "社区活动室的门锁坏了")).GetProperty("id").GetGuid();
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        // This order's step was due two days ago (nothing else is due by the real clock); a clock scanning every 5 s.
        await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Id == id).ExecuteUpdateAsync(u => u.SetProperty(o => o.StepDueAt, DateTimeOffset.UtcNow.AddDays(-2))));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orders:DeadlineScanSeconds"] = "5" }).Build();
        using var scanner = new OrderDeadlines.Scanner(host.Services.GetRequiredService<OrderDeadlines>(), clock, config, NullLogger<OrderDeadlines.Scanner>.Instance);
        await scanner.StartAsync(CancellationToken.None);
        try
        {
            async Task<Guid?> HolderAsync() => await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Id == id).Select(o => o.HolderUnitId).SingleAsync());

            // Before its tick, nothing moves, however overdue the order.
            await Task.Delay(300);
            Assert.Equal(station, await HolderAsync());
            clock.Advance(TimeSpan.FromSeconds(5));
            var institute = await host.UnitIdAsync($"{HongtaCode}-01");
            for (var i = 0; i < 100 && await HolderAsync() != institute; i++)
            {
                await Task.Delay(100);
            }

            Assert.Equal(institute, await HolderAsync());
        }
        finally
        {
            await scanner.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_closed_order_can_be_reopened_for_review_and_redone(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Hongta, "帮忙搬运社区捐赠物资");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        order = await ActAsync(station, order, "collect");
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        order = await ActAsync(center, order, "resolve", new { note = "中心直接办理" });
        Assert.Equal("志愿服务", Step(order));
        order = await ActAsync(center, order, "assign", new { volunteerIds = new[] { await VolunteerIdAsync(host, TestHost.Phone(Hongta, "11")) } });
        await ActAsync(resident, order, "cancel", null, HttpStatusCode.OK); // before anyone has started, cancelling is allowed…
        var again = await ResidentOrdersAsync(host, Hongta, "帮忙搬运社区捐赠物资（重下）");
        again = await ActAsync(station, again, "resolve");
        again = await ActAsync(station, again, "assign", new { volunteerIds = new[] { await VolunteerIdAsync(host, TestHost.Phone(Hongta, "11")) } });
        again = await ActAsync(volunteer, again, "check-in", Here(again));
        await ActAsync(resident, again, "cancel", null, HttpStatusCode.Conflict); // …but not once the service has started
        again = await ActAsync(volunteer, again, "check-out", Here(again));
        again = await ActAsync(station, again, "deliver");
        again = await ActAsync(resident, again, "rate", new { stars = 4 });
        Assert.Equal("Closed", State(again));
        again = await ActAsync(resident, again, "reopen", new { reason = "还有两箱没有搬" });
        Assert.Equal("UnderReview", State(again));
        var institute = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        again = await ActAsync(institute, again, "review", new { outcome = "redo" });
        Assert.Equal("Open", State(again));
        Assert.Equal("中心派单", Step(again));
    }
}
