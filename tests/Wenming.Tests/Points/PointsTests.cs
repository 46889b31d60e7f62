using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using Wenming.Web.Features.Points;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Records.RecordTests;

namespace Wenming.Tests.Points;

/// <summary>
/// The points ledger and the points shop through the front door: points earned from confirmed records and taken back when
/// a correction removes hours, redemptions that never overdraw an account or oversell an item even all at once, replays that
/// move nothing twice, and every balance equal to its entries.
/// </summary>
public sealed class PointsTests
{
    private const int Jiulongpo = 1;

    public static TheoryData<string> Providers => TestHosts.Providers();

    internal sealed record LedgerCheck(long Mismatched, long Total, long NegativeStock, long Transfers);

    /// <summary>
    /// In one statement: accounts whose balance differs from their entries (or sits below its floor), the sum of every balance
    /// (zero: each transfer takes from one account what it gives another), items below zero, and how many transfers exist.
    /// </summary>
    internal static Task<LedgerCheck> CheckLedgerAsync(TestHost host) => host.WithDbAsync(async db => (await db.Database.SqlQueryRaw<LedgerCheck>("""
        SELECT
          (SELECT COUNT(*) FROM points_accounts a
            WHERE a."Balance" <> COALESCE((SELECT SUM(t."Amount") FROM points_transfers t WHERE t."CreditAccountId" = a."Id"), 0)
                               - COALESCE((SELECT SUM(t."Amount") FROM points_transfers t WHERE t."DebitAccountId" = a."Id"), 0)
               OR (a."Kind" <> 1 AND a."Balance" < 0)) AS "Mismatched",
          CAST((SELECT COALESCE(SUM(a."Balance"), 0) FROM points_accounts a) AS BIGINT) AS "Total",
          (SELECT COUNT(*) FROM shop_items i WHERE i."Quantity" < 0) AS "NegativeStock",
          (SELECT COUNT(*) FROM points_transfers) AS "Transfers"
        """).ToListAsync()).Single());

    private static async Task<long> BalanceAsync(HttpClient client, Guid volunteerId) =>
        (await client.GetJsonAsync($"/api/v1/points/accounts/{volunteerId}")).GetProperty("balance").GetInt64();

    /// <summary>A confirmed record of <paramref name="minutes"/> for the volunteer (arranged in the database), its points earned.</summary>
    internal static async Task GiveServiceAsync(TestHost host, Guid volunteerId, int minutes, string title = "社区值守")
    {
        await host.WithDbAsync(async db =>
        {
            var v = await db.Set<Wenming.Web.Features.Volunteers.Volunteer>().SingleAsync(x => x.Id == volunteerId);
            var platform = await db.Platforms.Where(p => p.DistrictId == v.DistrictId).Select(p => p.Id).FirstAsync();
            var at = DateTimeOffset.UtcNow.AddDays(-1);
            db.Add(new ServiceRecord(v.DistrictId, v.Id, RecordSource.Offline, Guid.NewGuid(), null, title, platform, v.HomeUnitId, v.HomeUnitId, null, null,
                at, at.AddMinutes(minutes), minutes, null, "积分测试", DateTimeOffset.UtcNow));
            await VolunteerTotal.CountAsync(db, DateTimeOffset.UtcNow, CancellationToken.None);
            return await db.SaveChangesAsync();
        });
        await DispatchAsync(host);
    }

    /// <summary>An item on the volunteer's home station (put there by the center's admin).</summary>
    private static async Task<Guid> ItemAsync(TestHost host, string name, int price, int quantity, string station = $"{HongtaCode}-01-001")
    {
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        using var created = await center.PostJsonAsync("/api/v1/shop/items",
            new { unitId = await host.UnitIdAsync(station), name, price, quantity, donor = "测试爱心企业" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.JsonAsync()).GetProperty("id").GetGuid();
    }

    private static async Task<HttpResponseMessage> RedeemAsync(HttpClient client, Guid itemId, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/shop/redemptions") { Content = JsonContent.Create(new { itemId }) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    private static Task<int> StockAsync(TestHost host, Guid itemId) => host.WithDbAsync(db => db.Set<ShopItem>().Where(i => i.Id == itemId).Select(i => i.Quantity).SingleAsync());

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_delivered_order_earns_points_per_hour_and_per_order_and_a_correction_takes_back_what_it_removed(string provider)
    {
        var host = TestHosts.Get(provider);
        await DispatchAsync(host);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var volunteerId = (await volunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var rules = await volunteer.GetJsonAsync("/api/v1/points/rules");
        var (perHour, perOrder) = (rules.GetProperty("perHour").GetInt32(), rules.GetProperty("perOrder").GetInt32());
        var before = await BalanceAsync(volunteer, volunteerId);

        var order = await DeliveredOrderAsync(host, "陪同老人买菜", 120);
        await DispatchAsync(host); // handed out again: nothing more is earned
        var orderId = order.GetProperty("id").GetGuid();
        var record = Assert.Single(await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == orderId).ToListAsync()));
        var earned = record.Minutes * perHour / 60 + perOrder;
        Assert.Equal(before + earned, await BalanceAsync(volunteer, volunteerId));
        var mine = await volunteer.GetJsonAsync("/api/v1/points/me");
        var entry = mine.GetProperty("entries").GetProperty("items").EnumerateArray().First(e => e.GetProperty("reason").GetString()!.Contains("陪同老人买菜"));
        Assert.Equal(earned, entry.GetProperty("amount").GetInt64());
        Assert.Contains("完成订单", entry.GetProperty("reason").GetString());

        // The volunteer says it was one hour; the organising unit (the center resolved the order) agrees: an hour's points go back.
        using (var asked = await volunteer.PostJsonAsync($"/api/v1/records/{record.Id}/correction-requests", new { minutes = record.Minutes - 60, reason = "实际只服务了一小时" }))
        {
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
            var requestId = (await asked.JsonAsync()).GetProperty("id").GetGuid();
            var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
            using var accepted = await center.PostJsonAsync($"/api/v1/records/correction-requests/{requestId}/accept", new { reason = "核实无误" });
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await DispatchAsync(host);
        var corrected = (record.Minutes - 60) * perHour / 60 + perOrder;
        Assert.Equal(before + corrected, await BalanceAsync(volunteer, volunteerId));
        mine = await volunteer.GetJsonAsync("/api/v1/points/me");
        var reversal = mine.GetProperty("entries").GetProperty("items").EnumerateArray().First();
        Assert.Equal(corrected - earned, reversal.GetProperty("amount").GetInt64());
        Assert.Equal("冲回", reversal.GetProperty("kind").GetString());
        Assert.Contains("实际只服务了一小时", reversal.GetProperty("reason").GetString());

        var check = await CheckLedgerAsync(host);
        Assert.Equal(0, check.Mismatched);
        Assert.Equal(0, check.Total);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Backfilled_hours_earn_points_only_where_the_district_says_so(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "补录积分");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var platform = await Activities.ActivityTests.PlatformAsync(station);
        var started = DateTimeOffset.UtcNow.AddDays(-2);
        using (var backfilled = await station.PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records",
                   new { title = "防汛值守", platformId = platform, startedAt = started, endedAt = started.AddHours(3), reason = "断网未能签到，按值班表补录" }))
        {
            Assert.Equal(HttpStatusCode.Created, backfilled.StatusCode);
        }

        await DispatchAsync(host);
        var backfillEarns = (await volunteer.GetJsonAsync("/api/v1/points/rules")).GetProperty("backfillEarnsPoints").GetBoolean();
        var balance = await BalanceAsync(volunteer, volunteerId);
        Assert.Equal(backfillEarns, balance > 0);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_hundred_redemptions_at_the_same_instant_never_overdraw_the_account(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "并发兑换");
        await GiveServiceAsync(host, volunteerId, 120);
        var balance = await BalanceAsync(volunteer, volunteerId);
        Assert.True(balance >= 7, $"balance {balance}");
        var price = (int)(balance / 7);
        var affordable = (int)(balance / price);
        var itemId = await ItemAsync(host, "并发测试毛巾", price, 1000);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => RedeemAsync(volunteer, itemId, $"burst-{Guid.NewGuid():N}")));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(affordable, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Equal(HttpStatusCode.UnprocessableEntity, s));
        Assert.Contains("积分余额不足", await responses.First(r => r.StatusCode != HttpStatusCode.Created).Content.ReadAsStringAsync());
        Assert.Equal(balance - affordable * price, await BalanceAsync(volunteer, volunteerId));
        Assert.Equal(1000 - affordable, await StockAsync(host, itemId));
        var check = await CheckLedgerAsync(host);
        Assert.Equal(0, check.Mismatched);
        Assert.Equal(0, check.Total);
        Assert.Equal(0, check.NegativeStock);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_hundred_redemptions_at_the_same_instant_never_oversell_the_last_items(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "抢兑最后几件");
        await GiveServiceAsync(host, volunteerId, 600);
        var balance = await BalanceAsync(volunteer, volunteerId);
        var itemId = await ItemAsync(host, "限量纪念徽章", 1, 5);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => RedeemAsync(volunteer, itemId, $"last-{Guid.NewGuid():N}")));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses.Where(s => s != HttpStatusCode.Created), s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(0, await StockAsync(host, itemId));
        Assert.Equal(balance - 5, await BalanceAsync(volunteer, volunteerId));
        var check = await CheckLedgerAsync(host);
        Assert.Equal(0, check.Mismatched);
        Assert.Equal(0, check.NegativeStock);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_redemption_replayed_with_its_key_in_sequence_or_in_parallel_is_made_once(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "重放兑换");
        await GiveServiceAsync(host, volunteerId, 120);
        var balance = await BalanceAsync(volunteer, volunteerId);
        var itemId = await ItemAsync(host, "重放测试香皂", 3, 10);

        using var first = await RedeemAsync(volunteer, itemId, "replay-1");
        using var again = await RedeemAsync(volunteer, itemId, "replay-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal((await first.JsonAsync()).GetProperty("id").GetGuid(), (await again.JsonAsync()).GetProperty("id").GetGuid());

        var parallel = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => RedeemAsync(volunteer, itemId, "replay-2")));
        Assert.All(parallel, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Contains(parallel, r => r.StatusCode == HttpStatusCode.Created);

        Assert.Equal(balance - 6, await BalanceAsync(volunteer, volunteerId));
        Assert.Equal(8, await StockAsync(host, itemId));
        Assert.Equal(2, await host.WithDbAsync(db => db.Set<Redemption>().CountAsync(r => r.VolunteerId == volunteerId)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Cancelling_returns_the_points_and_the_item_and_the_station_confirms_a_hand_over_once(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "取消兑换");
        await GiveServiceAsync(host, volunteerId, 120);
        var balance = await BalanceAsync(volunteer, volunteerId);
        var itemId = await ItemAsync(host, "取消测试牙膏", 4, 2);
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));

        using var kept = await RedeemAsync(volunteer, itemId, $"keep-{Guid.NewGuid():N}");
        using var dropped = await RedeemAsync(volunteer, itemId, $"drop-{Guid.NewGuid():N}");
        var keptId = (await kept.JsonAsync()).GetProperty("id").GetGuid();
        var droppedId = (await dropped.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(0, await StockAsync(host, itemId));
        var account = await volunteer.GetJsonAsync($"/api/v1/points/accounts/{volunteerId}");
        Assert.Equal(balance - 8, account.GetProperty("balance").GetInt64());
        Assert.Equal(8, account.GetProperty("reserved").GetInt64());

        using (var cancelled = await volunteer.PostAsync($"/api/v1/shop/redemptions/{droppedId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            Assert.Equal("Cancelled", (await cancelled.JsonAsync()).GetProperty("status").GetString());
        }

        Assert.Equal(balance - 4, await BalanceAsync(volunteer, volunteerId));
        Assert.Equal(1, await StockAsync(host, itemId));

        // The station sees it waiting and hands it over; a second confirmation, or a cancel after it, is refused and moves nothing.
        var waiting = await station.GetJsonAsync($"/api/v1/shop/redemptions?unit={await host.UnitIdAsync($"{HongtaCode}-01-001")}&waiting=true");
        Assert.Contains(waiting.EnumerateArray(), r => r.GetProperty("id").GetGuid() == keptId && r.GetProperty("volunteer").GetString() == "取消兑换");
        using (var collected = await station.PostAsync($"/api/v1/shop/redemptions/{keptId}/collect", null))
        {
            Assert.Equal(HttpStatusCode.OK, collected.StatusCode);
        }

        using (var twice = await station.PostAsync($"/api/v1/shop/redemptions/{keptId}/collect", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        using (var late = await volunteer.PostAsync($"/api/v1/shop/redemptions/{keptId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        }

        using (var english = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/shop/redemptions/{keptId}/cancel"))
        {
            english.Headers.AcceptLanguage.ParseAdd("en");
            using var refused = await volunteer.SendAsync(english);
            Assert.Contains("already been collected or cancelled", await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(balance - 4, await BalanceAsync(volunteer, volunteerId));
        var kinds = (await volunteer.GetJsonAsync("/api/v1/points/me")).GetProperty("entries").GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Contains("兑换冻结", kinds);
        Assert.Contains("兑换取消", kinds);
        var check = await CheckLedgerAsync(host);
        Assert.Equal(0, check.Mismatched);
        Assert.Equal(0, check.Total);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_districts_shop_and_ledger_do_not_exist_for_its_people_and_a_station_reads_only_its_subtree(string provider)
    {
        var host = TestHosts.Get(provider);
        var itemId = await ItemAsync(host, "范围测试雨伞", 5, 3);
        var elsewhere = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "11"));
        var items = await elsewhere.GetJsonAsync("/api/v1/shop/items");
        Assert.DoesNotContain(items.EnumerateArray(), i => i.GetProperty("id").GetGuid() == itemId);
        using (var redeemed = await RedeemAsync(elsewhere, itemId, $"elsewhere-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, redeemed.StatusCode);
        }

        var otherCenter = await host.ClientAsAsync(TestHost.Phone(Jiulongpo, "00"));
        using (var restock = await otherCenter.PostJsonAsync($"/api/v1/shop/items/{itemId}/restock", new { quantity = 5 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, restock.StatusCode);
        }

        var hongtaVolunteer = (await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        using (var account = await otherCenter.GetAsync($"/api/v1/points/accounts/{hongtaVolunteer}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, account.StatusCode);
        }

        var otherLedger = await otherCenter.GetJsonAsync("/api/v1/points/ledger?pageSize=200");
        var hongtaTransfers = await host.WithDbAsync(db => db.Set<PointsTransfer>().Where(t => t.DistrictId == db.Districts.Single(d => d.Code == HongtaCode).Id)
            .Select(t => t.Id).ToListAsync());
        Assert.DoesNotContain(otherLedger.GetProperty("items").EnumerateArray(), t => hongtaTransfers.Contains(t.GetProperty("id").GetGuid()));

        // A sibling station's admin neither sees the item's shop's redemptions nor restocks it; the station's own admin does.
        var sibling = await host.ClientAsAsync(TestHost.Phone(Hongta, "03"));
        using (var restock = await sibling.PostJsonAsync($"/api/v1/shop/items/{itemId}/restock", new { quantity = 5 }))
        {
            Assert.Equal(HttpStatusCode.NotFound, restock.StatusCode);
        }

        var own = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        using (var restock = await own.PostJsonAsync($"/api/v1/shop/items/{itemId}/restock", new { quantity = 5, donor = "社区超市" }))
        {
            Assert.Equal(HttpStatusCode.OK, restock.StatusCode);
            Assert.Equal(8, (await restock.JsonAsync()).GetProperty("quantity").GetInt32());
        }

        var stationLedger = await own.GetJsonAsync("/api/v1/points/ledger?pageSize=200");
        var stationPath = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01-001").Select(u => u.Path).SingleAsync());
        var ids = stationLedger.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetGuid()).ToList();
        var paths = await host.WithDbAsync(db => db.Set<PointsTransfer>().Where(t => ids.Contains(t.Id)).Select(t => t.UnitPath).ToListAsync());
        Assert.All(paths, p => Assert.StartsWith(stationPath, p));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_transfer_cannot_be_changed_or_removed_even_in_the_database(string provider)
    {
        var host = TestHosts.Get(provider);
        var (_, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "只增不改");
        await GiveServiceAsync(host, volunteerId, 60);
        var update = await Record.ExceptionAsync(() => host.WithDbAsync(db => db.Set<PointsTransfer>().ExecuteUpdateAsync(s => s.SetProperty(t => t.Amount, 1_000_000))));
        Assert.NotNull(update);
        var delete = await Record.ExceptionAsync(() => host.WithDbAsync(db => db.Set<PointsTransfer>().ExecuteDeleteAsync()));
        Assert.NotNull(delete);
        var overdraw = await Record.ExceptionAsync(() => host.WithDbAsync(db => db.Set<PointsAccount>().Where(a => a.Kind == AccountKind.Volunteer && a.OwnerId == volunteerId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, -1))));
        Assert.NotNull(overdraw);
        Assert.Equal(0, (await CheckLedgerAsync(host)).Mismatched);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_volunteers_start_with_points_from_their_records_and_the_first_station_with_a_stocked_shop(string provider)
    {
        var host = TestHosts.Get(provider);
        await DispatchAsync(host);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var mine = await volunteer.GetJsonAsync("/api/v1/points/me");
        Assert.True(mine.GetProperty("earned").GetInt64() > 0);
        var items = await volunteer.GetJsonAsync("/api/v1/shop/items");
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        Assert.Contains(items.EnumerateArray(), i => i.GetProperty("unitId").GetGuid() == station && i.GetProperty("donor").GetString() == "区供销合作社");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_station_exports_its_stock_with_donors_and_its_redemption_history(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "导出兑换");
        await GiveServiceAsync(host, volunteerId, 60);
        var itemId = await ItemAsync(host, "导出测试毛巾", 2, 4);
        using (var redeemed = await RedeemAsync(volunteer, itemId, $"export-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
        }

        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var stock = (await (await station.GetAsync("/api/v1/shop/export/stock")).Content.ReadAsStreamAsync()).Query(useHeaderRow: true)
            .Cast<IDictionary<string, object>>().ToList();
        var row = Assert.Single(stock, r => (string)r["物品"] == "导出测试毛巾");
        Assert.Equal("测试爱心企业", row["捐赠方"]);
        Assert.Equal(3d, Convert.ToDouble(row["当前库存"], System.Globalization.CultureInfo.InvariantCulture));
        var history = (await (await station.GetAsync("/api/v1/shop/export/redemptions")).Content.ReadAsStreamAsync()).Query(useHeaderRow: true)
            .Cast<IDictionary<string, object>>().ToList();
        Assert.Contains(history, r => (string)r["物品"] == "导出测试毛巾" && (string)r["兑换人"] == "导出兑换" && (string)r["积分来源"] == "志愿服务积分" && (string)r["状态"] == "待领取");

        using var refused = await volunteer.GetAsync("/api/v1/shop/export/stock");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Points_held_at_the_years_end_lapse_once_by_an_expiry_transfer_and_points_earned_after_it_stay(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "积分清零");
        await GiveServiceAsync(host, volunteerId, 120);
        var balance = await BalanceAsync(volunteer, volunteerId);
        Assert.True(balance > 0);
        var district = await host.WithDbAsync(db => db.Districts.Where(d => d.Code == HongtaCode).Select(d => d.Id).SingleAsync());
        var year = Wenming.Web.Infrastructure.DistrictTime.Today(DateTimeOffset.UtcNow).Year;

        Task<int> LapseAsync(int y) => host.WithDbAsync(db => new ExpirePoints(db, TimeProvider.System).RunAsync(district, y, CancellationToken.None, [volunteerId]));

        Assert.Equal(0, await LapseAsync(year - 1)); // earned after last year's end
        Assert.Equal(balance, await BalanceAsync(volunteer, volunteerId));
        Assert.Equal(1, await LapseAsync(year));
        Assert.Equal(0, await LapseAsync(year)); // once a year
        Assert.Equal(0, await BalanceAsync(volunteer, volunteerId));
        var entry = (await volunteer.GetJsonAsync("/api/v1/points/me")).GetProperty("entries").GetProperty("items").EnumerateArray().First();
        Assert.Equal("过期", entry.GetProperty("kind").GetString());
        Assert.Equal(-balance, entry.GetProperty("amount").GetInt64());
        Assert.Contains($"{year} 年度积分到期清零", entry.GetProperty("reason").GetString());
        var check = await CheckLedgerAsync(host);
        Assert.Equal(0, check.Mismatched);
        Assert.Equal(0, check.Total);

        // The center turns yearly expiry on and off; nobody else may.
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var rules = await center.GetJsonAsync("/api/v1/points/rules");
        var body = new { perHour = rules.GetProperty("perHour").GetInt32(), perOrder = rules.GetProperty("perOrder").GetInt32(), expiresYearly = true };
        using (var station = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "02"))).PutAsJsonAsync("/api/v1/points/rules", body))
        {
            Assert.Equal(HttpStatusCode.Forbidden, station.StatusCode);
        }

        using (var on = await center.PutAsJsonAsync("/api/v1/points/rules", body))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            Assert.True((await on.JsonAsync()).GetProperty("expiresYearly").GetBoolean());
        }

        Assert.Equal(year - 1, await host.WithDbAsync(db => db.Set<PointsRules>().Where(r => r.DistrictId == district).Select(r => r.ExpiredThroughYear).SingleAsync()));
        using var off = await center.PutAsJsonAsync("/api/v1/points/rules", body with { expiresYearly = false });
        Assert.False((await off.JsonAsync()).GetProperty("expiresYearly").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_redemption_not_collected_in_time_is_cancelled_by_the_platform_and_its_points_and_item_return(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "逾期未领");
        await GiveServiceAsync(host, volunteerId, 60);
        var balance = await BalanceAsync(volunteer, volunteerId);
        var itemId = await ItemAsync(host, "逾期测试纸巾", 3, 1);
        Guid redemptionId;
        using (var redeemed = await RedeemAsync(volunteer, itemId, $"late-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
            redemptionId = (await redeemed.JsonAsync()).GetProperty("id").GetGuid();
        }

        var at = await host.WithDbAsync(db => db.Set<Redemption>().Where(r => r.Id == redemptionId).Select(r => r.CreatedAt).SingleAsync());
        var cancelled = await host.WithDbAsync(db => new Redeem(db, TimeProvider.System).CancelUncollectedAsync(at.AddSeconds(1), CancellationToken.None));
        Assert.True(cancelled >= 1);
        Assert.Equal(balance, await BalanceAsync(volunteer, volunteerId));
        Assert.Equal(1, await StockAsync(host, itemId));
        var mine = await volunteer.GetJsonAsync("/api/v1/shop/redemptions");
        Assert.Equal("Cancelled", mine.EnumerateArray().Single(r => r.GetProperty("id").GetGuid() == redemptionId).GetProperty("status").GetString());
        var entry = (await volunteer.GetJsonAsync("/api/v1/points/me")).GetProperty("entries").GetProperty("items").EnumerateArray().First();
        Assert.Contains("逾期未领取", entry.GetProperty("reason").GetString());
        Assert.Equal(0, (await CheckLedgerAsync(host)).Mismatched);
    }
}
