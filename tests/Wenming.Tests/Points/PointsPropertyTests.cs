using System.Net;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using Wenming.Web.Features.Points;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Records.RecordTests;

namespace Wenming.Tests.Points;

/// <summary>
/// Random sequences of earn, reverse, redeem, collect, cancel and expire (CsCheck; a failure prints the seed to replay it)
/// against a model of one volunteer and one item: every redemption succeeds or is refused exactly as the model says, the
/// balance and the stock follow the model, and the whole ledger keeps its invariants (sum zero, each balance its entries,
/// no negative balance or stock).
/// </summary>
public sealed class PointsPropertyTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private enum Op
    {
        Earn,
        Reverse,
        Redeem,
        Collect,
        Cancel,
        Expire,
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Random_sequences_of_ledger_operations_keep_every_invariant(string provider)
    {
        var host = TestHosts.Get(provider);
        await DispatchAsync(host);
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var stationId = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var district = await host.WithDbAsync(db => db.Districts.Where(d => d.Code == HongtaCode).Select(d => d.Id).SingleAsync());
        var perHour = (await center.GetJsonAsync("/api/v1/points/rules")).GetProperty("perHour").GetInt32();
        var year = Wenming.Web.Infrastructure.DistrictTime.Today(DateTimeOffset.UtcNow).Year;

        var gen = Gen.Select(Gen.Int[1, 20], Gen.Int[0, 4], Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 1000]).Array[1, 12]);
        await gen.SampleAsync(async (price, stock, ops) =>
        {
            var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "性质测试");
            Guid itemId;
            using (var created = await center.PostJsonAsync("/api/v1/shop/items", new { unitId = stationId, name = "性质测试物品", price, quantity = stock }))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                itemId = (await created.JsonAsync()).GetProperty("id").GetGuid();
            }

            long balance = 0;
            var shelf = stock;
            var services = new List<(Guid RecordId, int Minutes, long Earned)>();
            var reserved = new List<Guid>();
            var expired = false;
            foreach (var (op, n) in ops)
            {
                switch (op)
                {
                    case Op.Earn:
                        var minutes = 30 + n % 150;
                        var recordId = await AppendAsync(host, volunteerId, minutes);
                        var earned = (long)minutes * perHour / 60;
                        balance += earned;
                        services.Add((recordId, minutes, earned));
                        break;
                    case Op.Reverse when services.Any(s => s.Minutes > 0):
                        var open = services.Where(s => s.Minutes > 0).ToList();
                        var service = open[n % open.Count];
                        var less = 1 + n % service.Minutes;
                        await CorrectAsync(host, service.RecordId, -less);
                        var due = (long)(service.Minutes - less) * perHour / 60 - service.Earned;
                        var back = due < 0 ? Math.Min(-due, balance) : 0;
                        balance -= back;
                        services[services.IndexOf(service)] = (service.RecordId, service.Minutes - less, service.Earned - back);
                        break;
                    case Op.Redeem:
                        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/shop/redemptions")
                        { Content = System.Net.Http.Json.JsonContent.Create(new { itemId }) })
                        {
                            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
                            using var response = await volunteer.SendAsync(request);
                            var expected = shelf < 1 ? HttpStatusCode.Conflict : balance < price ? HttpStatusCode.UnprocessableEntity : HttpStatusCode.Created;
                            Assert.Equal(expected, response.StatusCode);
                            if (expected == HttpStatusCode.Created)
                            {
                                reserved.Add((await response.JsonAsync()).GetProperty("id").GetGuid());
                                balance -= price;
                                shelf--;
                            }
                        }

                        break;
                    case Op.Collect when reserved.Count > 0:
                        var collected = reserved[n % reserved.Count];
                        using (var response = await station.PostAsync($"/api/v1/shop/redemptions/{collected}/collect", null))
                        {
                            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        }

                        reserved.Remove(collected);
                        break;
                    case Op.Cancel when reserved.Count > 0:
                        var cancelled = reserved[n % reserved.Count];
                        using (var response = await volunteer.PostAsync($"/api/v1/shop/redemptions/{cancelled}/cancel", null))
                        {
                            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        }

                        reserved.Remove(cancelled);
                        balance += price;
                        shelf++;
                        break;
                    case Op.Expire:
                        await host.WithDbAsync(db => new ExpirePoints(db, TimeProvider.System).RunAsync(district, year, CancellationToken.None, [volunteerId]));
                        if (!expired && balance > 0)
                        {
                            balance = 0;
                            expired = true;
                        }

                        break;
                }

                Assert.Equal(balance, (await volunteer.GetJsonAsync($"/api/v1/points/accounts/{volunteerId}")).GetProperty("balance").GetInt64());
                Assert.Equal(shelf, await host.WithDbAsync(db => db.Set<ShopItem>().Where(i => i.Id == itemId).Select(i => i.Quantity).SingleAsync()));
            }

            var check = await PointsTests.CheckLedgerAsync(host);
            Assert.Equal(0, check.Mismatched);
            Assert.Equal(0, check.Total);
            Assert.Equal(0, check.NegativeStock);
        }, iter: 12, threads: 1);
    }

    /// <summary>A confirmed offline service of the volunteer (arranged in the database), its points earned; returns the record.</summary>
    private static async Task<Guid> AppendAsync(TestHost host, Guid volunteerId, int minutes)
    {
        var id = await host.WithDbAsync(async db =>
        {
            var v = await db.Set<Wenming.Web.Features.Volunteers.Volunteer>().SingleAsync(x => x.Id == volunteerId);
            var platform = await db.Platforms.Where(p => p.DistrictId == v.DistrictId).Select(p => p.Id).FirstAsync();
            var at = DateTimeOffset.UtcNow.AddDays(-1);
            var record = new ServiceRecord(v.DistrictId, v.Id, RecordSource.Offline, Guid.NewGuid(), null, "性质测试服务", platform, v.HomeUnitId, v.HomeUnitId, null,
                null, at, at.AddMinutes(minutes), minutes, null, "性质测试", DateTimeOffset.UtcNow);
            db.Add(record);
            await VolunteerTotal.CountAsync(db, DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
            return record.Id;
        });
        await DispatchAsync(host);
        return id;
    }

    /// <summary>A correction entry of <paramref name="difference"/> minutes beside the record, as an organiser's accepted correction appends.</summary>
    private static async Task CorrectAsync(TestHost host, Guid recordId, int difference)
    {
        await host.WithDbAsync(async db =>
        {
            var record = await db.Set<ServiceRecord>().AsNoTracking().SingleAsync(r => r.Id == recordId);
            db.Add(ServiceRecord.Correction(record, difference, record.StartedAt, record.EndedAt, null, "性质测试", "性质测试：时长更正", DateTimeOffset.UtcNow));
            await VolunteerTotal.CountAsync(db, DateTimeOffset.UtcNow, CancellationToken.None);
            return await db.SaveChangesAsync();
        });
        await DispatchAsync(host);
    }
}
