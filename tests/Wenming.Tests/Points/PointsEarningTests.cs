using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using Wenming.Web.Features.Honours;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Points;
using Wenming.Web.Infrastructure.Events;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Orders.OrderFlow;
using static Wenming.Tests.Records.RecordTests;

namespace Wenming.Tests.Points;

/// <summary>
/// The points that are not for hours, through the front door: each volunteer who served an order its resident rates well
/// earns the district's points for it once, however often the event comes; a poor rating, or the rule at 0, earns nothing;
/// a review that sends the order back takes them back. An honour given to a volunteer earns the district's bonus, and its
/// withdrawal takes the bonus back without overdrawing. The volunteers are made by each test, in Hongta.
/// </summary>
public sealed class PointsEarningTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private sealed record Rules(int PerHour, int PerOrder, int PerGoodRating, int GoodRating, int HonourBonus);

    private static async Task<Rules> RulesAsync(HttpClient client)
    {
        var r = await client.GetJsonAsync("/api/v1/points/rules");
        return new Rules(r.GetProperty("perHour").GetInt32(), r.GetProperty("perOrder").GetInt32(), r.GetProperty("perGoodRating").GetInt32(),
            r.GetProperty("goodRating").GetInt32(), r.GetProperty("honourBonus").GetInt32());
    }

    private static async Task<long> BalanceAsync(HttpClient volunteer) => (await volunteer.GetJsonAsync("/api/v1/points/me")).GetProperty("balance").GetInt64();

    private static async Task<List<JsonElement>> EntriesAsync(HttpClient volunteer) =>
        [.. (await volunteer.GetJsonAsync("/api/v1/points/me")).GetProperty("entries").GetProperty("items").EnumerateArray()];

    /// <summary>A resident's order in Hongta's workflow (the station collects, the center resolves and assigns), served by the volunteers and delivered.</summary>
    private static async Task<JsonElement> DeliveredByAsync(TestHost host, string title, params (HttpClient Client, Guid Id)[] volunteers)
    {
        var order = await ResidentOrdersAsync(host, Hongta, title);
        order = await ActAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "02")), order, "collect");
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        order = await ActAsync(center, order, "resolve");
        order = await ActAsync(center, order, "assign", new { volunteerIds = volunteers.Select(v => v.Id).ToArray() });
        foreach (var (client, _) in volunteers)
        {
            order = await ActAsync(client, order, "check-in", Here(order));
        }

        foreach (var (client, _) in volunteers)
        {
            order = await ActAsync(client, order, "check-out", Here(order));
        }

        order = await ActAsync(volunteers[0].Client, order, "deliver", new { note = "已完成" });
        await DispatchAsync(host);
        return order;
    }

    private static async Task RateAsync(TestHost host, JsonElement order, int stars)
    {
        await ActAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "20")), order, "rate", new { stars });
        await DispatchAsync(host);
    }

    /// <summary>The subject's last event of <paramref name="kind"/> written again as a new message (no receipt of it anywhere), and handed out.</summary>
    private static async Task ReplayAsync<T>(TestHost host, string kind, Guid subjectId) where T : IOutboxEvent
    {
        await host.WithDbAsync(async db =>
        {
            var message = await db.Set<OutboxMessage>().Where(m => m.Kind == kind && m.SubjectId == subjectId).OrderByDescending(m => m.Sequence).FirstAsync();
            db.Add(new OutboxMessage(message.Read<T>(), DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        await DispatchAsync(host);
    }

    /// <summary>Every balance equals its entries and all balances sum to zero.</summary>
    private static async Task AssertBalancedAsync(TestHost host)
    {
        var check = await PointsTests.CheckLedgerAsync(host);
        Assert.Equal((0L, 0L), (check.Mismatched, check.Total));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_good_rating_earns_each_volunteer_who_served_the_rule_once_and_a_poor_rating_earns_nothing(string provider)
    {
        var host = TestHosts.Get(provider);
        var first = await VolunteerApiTests.NewVolunteerAsync(host, PersonName("好评"));
        var second = await VolunteerApiTests.NewVolunteerAsync(host, PersonName("好评"));
        var rules = await RulesAsync(first.Client);
        Assert.Equal(4, rules.GoodRating);
        Assert.True(rules.PerGoodRating > 0, "a good rating earns by default");

        var order = await DeliveredByAsync(host, "帮独居老人换灯泡", first, second);
        var before = (await BalanceAsync(first.Client), await BalanceAsync(second.Client));
        await RateAsync(host, order, 5);
        Assert.Equal(before.Item1 + rules.PerGoodRating, await BalanceAsync(first.Client));
        Assert.Equal(before.Item2 + rules.PerGoodRating, await BalanceAsync(second.Client));
        var entry = (await EntriesAsync(second.Client)).First();
        Assert.Equal(("获得", rules.PerGoodRating), (entry.GetProperty("kind").GetString(), entry.GetProperty("amount").GetInt64()));
        Assert.Equal("「帮独居老人换灯泡」获得 5 星好评", entry.GetProperty("reason").GetString());

        // Handed out again, and the same event written again as a new message: the transfer's key lets it earn once.
        var orderId = order.GetProperty("id").GetGuid();
        await DispatchAsync(host);
        await ReplayAsync<OrderRated>(host, OrderRated.Name, orderId);
        Assert.Equal(before.Item1 + rules.PerGoodRating, await BalanceAsync(first.Client));
        Assert.Equal(before.Item2 + rules.PerGoodRating, await BalanceAsync(second.Client));
        Assert.Equal(2, await host.WithDbAsync(db => db.Set<PointsTransfer>().CountAsync(t => t.SourceRef == $"rating:{orderId:N}")));

        // Two stars send the order to review and earn nothing; nor does the review that closes it.
        var poor = await DeliveredByAsync(host, "帮忙疏通下水道", first);
        var held = await BalanceAsync(first.Client);
        await RateAsync(host, poor, 2);
        Assert.Equal(held, await BalanceAsync(first.Client));
        await ActAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "00")), poor, "review", new { outcome = "close", note = "已向居民说明" });
        await DispatchAsync(host);
        Assert.Equal(held, await BalanceAsync(first.Client));
        await AssertBalancedAsync(host);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_review_that_sends_a_well_rated_order_back_takes_its_points_back_and_the_rule_at_zero_earns_nothing(string provider)
    {
        var host = TestHosts.Get(provider);
        var volunteer = await VolunteerApiTests.NewVolunteerAsync(host, PersonName("重办"));
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var rules = await RulesAsync(center);

        // The resident rates it well, then reopens it; the center's review sends it back to be done again.
        var order = await DeliveredByAsync(host, "帮老人修理轮椅", volunteer);
        var before = await BalanceAsync(volunteer.Client);
        await RateAsync(host, order, 4);
        Assert.Equal(before + rules.PerGoodRating, await BalanceAsync(volunteer.Client));
        await ActAsync(await host.ClientAsAsync(TestHost.Phone(Hongta, "20")), order, "reopen", new { reason = "轮椅又坏了" });
        await ActAsync(center, order, "review", new { outcome = "redo", note = "重新上门维修" });
        await DispatchAsync(host);
        await ReplayAsync<OrderReviewed>(host, OrderReviewed.Name, order.GetProperty("id").GetGuid());
        Assert.Equal(before, await BalanceAsync(volunteer.Client));
        var reversal = (await EntriesAsync(volunteer.Client)).First();
        Assert.Equal(("冲回", -rules.PerGoodRating), (reversal.GetProperty("kind").GetString(), reversal.GetProperty("amount").GetInt64()));
        Assert.Equal("「帮老人修理轮椅」复核后重新办理，好评积分冲回", reversal.GetProperty("reason").GetString());

        // The center's rules form on the points page offers both rules, in either language.
        var page = await center.GetStringAsync("/Points");
        Assert.Contains($"name=\"perGoodRating\" value=\"{rules.PerGoodRating}\"", page);
        Assert.Contains($"name=\"honourBonus\" value=\"{rules.HonourBonus}\"", page);
        Assert.Contains("订单获 4 星及以上好评", page);
        Assert.Contains("Points to each volunteer who served an order rated 4 stars or more", await center.GetStringAsync("/Points?culture=en"));

        // Only the center sets the rule; a value out of range is refused; a rule left out of the request keeps its value.
        using (var refused = await center.PutJsonAsync("/api/v1/points/rules", new { rules.PerHour, rules.PerOrder, perGoodRating = 1001 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var station = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "02"))).PutJsonAsync("/api/v1/points/rules", new { rules.PerHour, rules.PerOrder, perGoodRating = 0 }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, station.StatusCode);
        }

        try
        {
            using (var off = await center.PutJsonAsync("/api/v1/points/rules", new { rules.PerHour, rules.PerOrder, perGoodRating = 0 }))
            {
                Assert.Equal(HttpStatusCode.OK, off.StatusCode);
                var saved = await off.JsonAsync();
                Assert.Equal(0, saved.GetProperty("perGoodRating").GetInt32());
                Assert.Equal(rules.HonourBonus, saved.GetProperty("honourBonus").GetInt32());
            }

            var unrewarded = await DeliveredByAsync(host, "帮忙搬运米面油", volunteer);
            var held = await BalanceAsync(volunteer.Client);
            await RateAsync(host, unrewarded, 5);
            Assert.Equal(held, await BalanceAsync(volunteer.Client));
        }
        finally
        {
            using var restored = await center.PutJsonAsync("/api/v1/points/rules", new { rules.PerHour, rules.PerOrder, rules.PerGoodRating });
            Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        }

        await AssertBalancedAsync(host);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_honour_given_to_a_volunteer_earns_the_bonus_and_its_withdrawal_takes_back_what_is_left(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, PersonName("荣誉"));
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var bonus = (await RulesAsync(volunteer)).HonourBonus;
        Assert.True(bonus >= 4, $"bonus {bonus}");
        var title = (await station.GetJsonAsync("/api/v1/honours/titles")).EnumerateArray()
            .First(t => t.GetProperty("method").GetString() == "Decision" && t.GetProperty("recipient").GetString() == "Person" && t.GetProperty("active").GetBoolean());
        var titleName = title.GetProperty("name").GetString();

        async Task<Guid> AwardAsync(string period)
        {
            using var given = await station.PostJsonAsync("/api/v1/honours/awards",
                new { titleId = title.GetProperty("id").GetGuid(), volunteerId, period, evidence = "常年义务为社区老人理发、送药。" });
            Assert.Equal(HttpStatusCode.Created, given.StatusCode);
            await DispatchAsync(host);
            return (await given.JsonAsync()).GetProperty("id").GetGuid();
        }

        async Task WithdrawAsync(Guid id, string reason)
        {
            using var withdrawn = await station.PostJsonAsync($"/api/v1/honours/awards/{id}/withdraw", new { reason });
            Assert.Equal(HttpStatusCode.NoContent, withdrawn.StatusCode);
            await DispatchAsync(host);
        }

        // Given: the bonus, once however often the event comes. Withdrawn: all of it goes back.
        var first = await AwardAsync("2025 年度");
        await ReplayAsync<HonourAwarded>(host, HonourAwarded.Name, first);
        Assert.Equal(bonus, await BalanceAsync(volunteer));
        var earned = (await EntriesAsync(volunteer)).Single();
        Assert.Equal(("获得", (long)bonus), (earned.GetProperty("kind").GetString(), earned.GetProperty("amount").GetInt64()));
        Assert.Equal($"获得荣誉「{titleName}」（2025 年度）", earned.GetProperty("reason").GetString());
        await WithdrawAsync(first, "事迹材料有误");
        await ReplayAsync<HonourWithdrawn>(host, HonourWithdrawn.Name, first);
        Assert.Equal(0, await BalanceAsync(volunteer));
        var reversal = (await EntriesAsync(volunteer)).First();
        Assert.Equal(("冲回", (long)-bonus), (reversal.GetProperty("kind").GetString(), reversal.GetProperty("amount").GetInt64()));
        Assert.Equal($"荣誉「{titleName}」（2025 年度）已撤销：事迹材料有误", reversal.GetProperty("reason").GetString());

        // Given again and partly spent before it is withdrawn: what is left goes back, and the entry says so.
        var second = await AwardAsync("2026 年度");
        var price = bonus * 3 / 4;
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        using (var item = await center.PostJsonAsync("/api/v1/shop/items",
                   new { unitId = await host.UnitIdAsync($"{HongtaCode}-01-001"), name = $"荣誉测试水杯{Guid.NewGuid().ToString("N")[..4]}", price, quantity = 1 }))
        {
            Assert.Equal(HttpStatusCode.Created, item.StatusCode);
            using var redeemed = await volunteer.PostJsonAsync("/api/v1/shop/redemptions", new { itemId = (await item.JsonAsync()).GetProperty("id").GetGuid() });
            Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
        }

        await WithdrawAsync(second, "重复授予");
        Assert.Equal(0, await BalanceAsync(volunteer));
        var partial = (await EntriesAsync(volunteer)).First();
        Assert.Equal(-(bonus - price), partial.GetProperty("amount").GetInt64());
        Assert.Equal($"荣誉「{titleName}」（2026 年度）已撤销：重复授予（积分已使用，仅冲回 {bonus - price} 分）", partial.GetProperty("reason").GetString());

        // An honour given to a name, not a volunteer of the platform, moves no points.
        using (var named = await station.PostJsonAsync("/api/v1/honours/awards",
                   new { titleId = title.GetProperty("id").GetGuid(), recipientName = PersonName("荣誉"), period = "2026 年度", evidence = "热心调解邻里纠纷多年。" }))
        {
            Assert.Equal(HttpStatusCode.Created, named.StatusCode);
            await DispatchAsync(host);
            var source = $"honour:{(await named.JsonAsync()).GetProperty("id").GetGuid():N}";
            Assert.False(await host.WithDbAsync(db => db.Set<PointsTransfer>().AnyAsync(t => t.SourceRef == source)));
        }

        await AssertBalancedAsync(host);
    }
}
