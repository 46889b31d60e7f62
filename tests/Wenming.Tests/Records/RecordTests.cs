using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Activities;
using Wenming.Tests.Infrastructure;
using Wenming.Tests.Volunteers;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Records;
using Wenming.Web.Infrastructure.Events;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Orders.OrderFlow;

namespace Wenming.Tests.Records;

/// <summary>Service records made from the order and attendance events, hours and stars, and certificates anyone can verify.</summary>
public sealed class RecordTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    /// <summary>
    /// A Hongta order delivered by the demo volunteer (11) after <paramref name="minutes"/> of service (check-in moved back that far,
    /// as if they had been there), its events handed to the subscribers; returns the order.
    /// </summary>
    internal static async Task<JsonElement> DeliveredOrderAsync(TestHost host, string title, int minutes)
    {
        var order = await ResidentOrdersAsync(host, Hongta, title);
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        order = await ActAsync(station, order, "collect");
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        order = await ActAsync(center, order, "resolve");
        var volunteerId = await VolunteerIdAsync(host, TestHost.Phone(Hongta, "11"));
        order = await ActAsync(center, order, "assign", new { volunteerIds = new[] { volunteerId } });
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        order = await ActAsync(volunteer, order, "check-in", Here(order));
        var orderId = order.GetProperty("id").GetGuid();
        var earlier = DateTimeOffset.UtcNow.AddMinutes(-minutes);
        await host.WithDbAsync(db => db.Set<OrderAssignment>().Where(a => a.OrderId == orderId && a.VolunteerId == volunteerId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.CheckInAt, earlier)));
        order = await ActAsync(volunteer, order, "check-out", Here(order));
        order = await ActAsync(volunteer, order, "deliver", new { note = "已完成" });
        await DispatchAsync(host);
        return order;
    }

    internal static async Task DispatchAsync(TestHost host)
    {
        var dispatcher = host.Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchPendingAsync(CancellationToken.None) > 0)
        {
        }
    }

    /// <summary>
    /// A service record (arranged in the database) of the volunteer with <paramref name="phone"/>, or of another volunteer of the
    /// unit's district when that person is none, organised by the unit.
    /// </summary>
    internal static Task<Guid> RecordOfAsync(TestHost host, string? phone, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var volunteer = await db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.Phone == phone).Select(v => (Guid?)v.Id).FirstOrDefaultAsync()
                        ?? await db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.DistrictId == unit.DistrictId).Select(v => v.Id).FirstAsync();
        var platform = await db.Platforms.Where(p => p.DistrictId == unit.DistrictId).Select(p => p.Id).FirstAsync();
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var record = new ServiceRecord(unit.DistrictId, volunteer, RecordSource.Offline, Guid.NewGuid(), null, "策略测试服务", platform, unit.Id, unit.Id, null, null,
            at, at.AddHours(1), 60, null, "策略测试", DateTimeOffset.UtcNow);
        db.Add(record);
        await VolunteerTotal.CountAsync(db, DateTimeOffset.UtcNow, CancellationToken.None);
        await db.SaveChangesAsync();
        return record.Id;
    });

    /// <summary>A volunteer's pending correction request about a record the unit organised; returns the request's id.</summary>
    internal static async Task<Guid> CorrectionRequestOnUnitAsync(TestHost host, Guid unitId)
    {
        var recordId = await RecordOfAsync(host, null, unitId);
        return await host.WithDbAsync(async db =>
        {
            var record = await db.Set<ServiceRecord>().SingleAsync(r => r.Id == recordId);
            var request = new CorrectionRequest(record.DistrictId, record, 90, "策略测试：时长有误", DateTimeOffset.UtcNow);
            db.Add(request);
            await db.SaveChangesAsync();
            return request.Id;
        });
    }

    private static async Task<JsonElement> HoursAsync(HttpClient client, Guid volunteerId) => await client.GetJsonAsync($"/api/v1/volunteers/{volunteerId}/hours");

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_delivered_order_gives_its_volunteer_one_confirmed_record_of_the_time_between_check_in_and_check_out(string provider)
    {
        var host = TestHosts.Get(provider);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var me = await volunteer.GetJsonAsync("/api/v1/me");
        var volunteerId = me.GetProperty("volunteerId").GetGuid();
        var before = (await HoursAsync(volunteer, volunteerId)).GetProperty("hours").GetDecimal();

        var order = await DeliveredOrderAsync(host, "陪老人去医院复诊", 90);
        await DispatchAsync(host); // handed out again: nothing more is made

        var orderId = order.GetProperty("id").GetGuid();
        var record = Assert.Single(await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == orderId).ToListAsync()));
        Assert.Equal(volunteerId, record.VolunteerId);
        Assert.InRange(record.Minutes, 89, 91);
        Assert.Equal("陪老人去医院复诊", record.Title);
        Assert.Equal(RecordSource.Order, record.Source);
        Assert.Equal(HolderUnit(order), record.OrganizerUnitId);
        var hours = await HoursAsync(volunteer, volunteerId);
        Assert.Equal(before + 1.5m, hours.GetProperty("hours").GetDecimal());

        var list = await volunteer.GetJsonAsync($"/api/v1/volunteers/{volunteerId}/records");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("sourceId").GetGuid() == orderId);
        // The station's admin oversees the volunteer; another district's admin does not know them.
        using (var stationView = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "02"))).GetAsync($"/api/v1/volunteers/{volunteerId}/hours"))
        {
            Assert.Equal(HttpStatusCode.OK, stationView.StatusCode);
        }

        using var elsewhere = await (await host.ClientAsAsync(TestHost.Phone(Ledu, "00"))).GetAsync($"/api/v1/volunteers/{volunteerId}/hours");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_confirmed_record_cannot_be_changed_or_removed_even_in_the_database(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await DeliveredOrderAsync(host, "帮忙修理水龙头", 30);
        var orderId = order.GetProperty("id").GetGuid();

        var update = await Record.ExceptionAsync(() => host.WithDbAsync(db =>
            db.Set<ServiceRecord>().Where(r => r.SourceId == orderId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Minutes, 600))));
        Assert.NotNull(update);
        var delete = await Record.ExceptionAsync(() => host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == orderId).ExecuteDeleteAsync()));
        Assert.NotNull(delete);
        var record = Assert.Single(await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == orderId).ToListAsync()));
        Assert.InRange(record.Minutes, 29, 31);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_attendance_is_recorded_and_the_organisers_correction_is_appended_beside_it(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "活动志愿者");
        var id = await ActivityTests.UnderWayAsync(host, admin, volunteer, "社区环境整治", startedAgo: 120, checkedInAgo: 60);
        var started = await host.WithDbAsync(db => db.Set<Activity>().Where(a => a.Id == id).Select(a => a.StartsAt).SingleAsync());
        using (var checkOut = await volunteer.PostJsonAsync($"/api/v1/activities/{id}/check-ins", ActivityTests.HongtaSite))
        {
            Assert.Equal(HttpStatusCode.OK, checkOut.StatusCode);
        }

        await DispatchAsync(host);
        var first = Assert.Single(await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == id).ToListAsync()));
        Assert.Equal(volunteerId, first.VolunteerId);
        Assert.Equal(RecordSource.Activity, first.Source);
        Assert.InRange(first.Minutes, 59, 61);
        Assert.Equal("社区环境整治", first.Title);

        // The organiser records what really happened: two hours, with the reason. The first entry stays as it was.
        var signupId = first.SignupId!.Value;
        var inAt = started.AddMinutes(10);
        using (var corrected = await admin.PostJsonAsync($"/api/v1/activities/{id}/attendance",
                   new { signupId, checkInAt = inAt, checkOutAt = inAt.AddHours(2), reason = "扫码失败，按现场签到表补记" }))
        {
            Assert.True(corrected.IsSuccessStatusCode, $"{(int)corrected.StatusCode} {await corrected.Content.ReadAsStringAsync()}");
        }

        await DispatchAsync(host);
        var entries = await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == id).OrderBy(r => r.Id).ToListAsync());
        Assert.Equal(2, entries.Count);
        Assert.Equal(first.Minutes, entries[0].Minutes);
        Assert.Equal(first.Id, entries[1].CorrectsId);
        Assert.Equal("扫码失败，按现场签到表补记", entries[1].Reason);
        Assert.Equal(120, entries.Sum(e => e.Minutes));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_organiser_backfills_with_a_reason_and_answers_the_volunteers_correction_requests(string provider)
    {
        var host = TestHosts.Get(provider);
        var (volunteer, volunteerId) = await VolunteerApiTests.NewVolunteerAsync(host, "补录志愿者");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var platform = await ActivityTests.PlatformAsync(station);
        var started = DateTimeOffset.UtcNow.AddDays(-3);
        var body = new { title = "防汛夜间值守", platformId = platform, startedAt = started, endedAt = started.AddHours(2), reason = "当晚断网无法签到，按值班表补录" };

        using (var noReason = await station.PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records", body with { reason = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Contains("补录的原因", await noReason.Content.ReadAsStringAsync());
        }

        using (var tooLong = await station.PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records", body with { endedAt = started.AddHours(13) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        }

        using (var otherStation = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "03"))).PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records", body))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherStation.StatusCode);
        }

        using (var self = await volunteer.PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records", body))
        {
            Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        }

        using (var backfilled = await station.PostJsonAsync($"/api/v1/volunteers/{volunteerId}/records", body))
        {
            Assert.Equal(HttpStatusCode.Created, backfilled.StatusCode);
        }

        var record = Assert.Single(await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.VolunteerId == volunteerId).ToListAsync()));
        Assert.True(record.Backfilled);
        Assert.Equal(RecordSource.Offline, record.Source);
        Assert.Equal(120, record.Minutes);
        Assert.Equal("当晚断网无法签到，按值班表补录", record.Reason);

        // The volunteer says it was two and a half hours; the station agrees. A second request then is refused, and changes nothing.
        using (var asked = await volunteer.PostJsonAsync($"/api/v1/records/{record.Id}/correction-requests", new { minutes = 150, reason = "值守到次日凌晨一点半" }))
        {
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        }

        using (var twice = await volunteer.PostJsonAsync($"/api/v1/records/{record.Id}/correction-requests", new { minutes = 160, reason = "再次申请更正" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        }

        var pending = await station.GetJsonAsync("/api/v1/records/correction-requests");
        var request = Assert.Single(pending.EnumerateArray(), r => r.GetProperty("recordId").GetGuid() == record.Id);
        Assert.Equal(120, request.GetProperty("currentMinutes").GetInt32());
        var requestId = request.GetProperty("id").GetGuid();
        using (var byVolunteer = await volunteer.PostJsonAsync($"/api/v1/records/correction-requests/{requestId}/accept", new { reason = "我同意" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byVolunteer.StatusCode);
        }

        var accepted = await (await station.PostJsonAsync($"/api/v1/records/correction-requests/{requestId}/accept", new { reason = "与值班表核对无误" })).JsonAsync();
        Assert.Equal("Accepted", accepted.GetProperty("status").GetString());
        using (var again = await station.PostJsonAsync($"/api/v1/records/correction-requests/{requestId}/refuse", new { reason = "重复处理" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var asked = await volunteer.PostJsonAsync($"/api/v1/records/{record.Id}/correction-requests", new { minutes = 300, reason = "记错了，应为五小时" }))
        {
            Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        }

        var second = (await station.GetJsonAsync("/api/v1/records/correction-requests")).EnumerateArray().Single(r => r.GetProperty("recordId").GetGuid() == record.Id);
        using (var refused = await station.PostJsonAsync($"/api/v1/records/correction-requests/{second.GetProperty("id").GetGuid()}/refuse", new { reason = "值班表记录为两个半小时" }))
        {
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        }

        var entries = await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.VolunteerId == volunteerId).OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([120, 30], entries.Select(e => e.Minutes));
        Assert.Equal(record.Id, entries[1].CorrectsId);
        Assert.True(entries[1].Backfilled);
        Assert.Equal(2.5m, (await HoursAsync(volunteer, volunteerId)).GetProperty("hours").GetDecimal());
        Assert.Equal(150, await host.WithDbAsync(db => db.Set<VolunteerTotal>().Where(t => t.VolunteerId == volunteerId).Select(t => t.Minutes).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_ranking_reads_the_kept_totals_which_always_equal_the_sum_of_the_entries(string provider)
    {
        var host = TestHosts.Get(provider);
        await DeliveredOrderAsync(host, "为社区老人读报", 200);
        // Each in one statement, which sees a committed state: entries and totals are written together.
        Assert.Equal(0, await host.WithDbAsync(db => db.Set<VolunteerTotal>()
            .CountAsync(t => t.Minutes != db.Set<ServiceRecord>().Where(r => r.VolunteerId == t.VolunteerId).Sum(r => (long)r.Minutes))));
        Assert.False(await host.WithDbAsync(db => db.Set<ServiceRecord>().AnyAsync(r => !db.Set<VolunteerTotal>().Any(t => t.VolunteerId == r.VolunteerId))));

        var ranking = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "00"))).GetJsonAsync("/api/v1/records/ranking?take=10");
        var hours = ranking.EnumerateArray().Select(r => r.GetProperty("hours").GetDecimal()).ToList();
        Assert.NotEmpty(hours);
        Assert.Equal(hours.OrderByDescending(h => h), hours);
        var hongta = await host.WithDbAsync(db => db.Districts.Where(d => d.Code == HongtaCode).Select(d => d.Id).SingleAsync());
        var best = await host.WithDbAsync(db => db.Set<VolunteerTotal>().Where(t => t.DistrictId == hongta).MaxAsync(t => t.Minutes));
        Assert.Equal(RecordRules.Hours(best), hours[0]);
        using var volunteer = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).GetAsync("/api/v1/records/ranking");
        Assert.Equal(HttpStatusCode.Forbidden, volunteer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_volunteers_hold_records_of_past_activities_from_the_start(string provider)
    {
        var host = TestHosts.Get(provider);
        await DispatchAsync(host);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var volunteerId = (await volunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var weekAgo = DateTimeOffset.UtcNow.AddDays(-6);
        var past = await host.WithDbAsync(db => db.Set<ServiceRecord>()
            .Where(r => r.VolunteerId == volunteerId && r.Source == RecordSource.Activity && r.StartedAt < weekAgo && r.CorrectsId == null).ToListAsync());
        Assert.True(past.Count >= 6, $"{past.Count} past activity records");
        Assert.All(past, r => Assert.InRange(r.Minutes, 100, 150));
        var holders = await host.WithDbAsync(db => db.Set<ServiceRecord>().Select(r => r.VolunteerId).Distinct().CountAsync());
        Assert.True(holders >= 50, $"{holders} volunteers hold records"); // dozens a district, even at the tests' 200 volunteers a district
        var today = DateTimeOffset.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
        using var certificate = await volunteer.GetAsync($"/api/v1/volunteers/{volunteerId}/certificate?from=2026-01-01&to={today}");
        Assert.Equal(HttpStatusCode.OK, certificate.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_exports_the_records_their_units_organised_with_id_numbers_masked(string provider)
    {
        var host = TestHosts.Get(provider);
        await DispatchAsync(host);
        var volunteer = await host.WithDbAsync(db => db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.Phone == TestHost.Phone(Hongta, "11"))
            .Select(v => new { v.Name, v.IdNumberMasked }).SingleAsync());
        var institute = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        using var response = await institute.GetAsync("/api/v1/records/export?from=2026-01-01");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var sheet = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = Wenming.Web.Infrastructure.Sheets.Rows(sheet).ToList();
        var mine = rows.Where(r => Wenming.Web.Infrastructure.Sheets.Text(r, "志愿者姓名") == volunteer.Name).ToList();
        Assert.True(mine.Count >= 6, $"{mine.Count} rows of the demo volunteer");
        Assert.All(mine, r => Assert.Equal(volunteer.IdNumberMasked, Wenming.Web.Infrastructure.Sheets.Text(r, "证件号码")));
        Assert.All(rows, r => Assert.Contains("*", Wenming.Web.Infrastructure.Sheets.Text(r, "证件号码")));

        // Another institute's station admin sees none of what the first institute organised; a volunteer exports nothing.
        var firstInstitute = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01").Select(u => u.Name).SingleAsync());
        Assert.Contains(rows, r => Wenming.Web.Infrastructure.Sheets.Text(r, "组织单位") == firstInstitute);
        using var other = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "03"))).GetAsync("/api/v1/records/export?from=2026-01-01");
        using var otherSheet = new MemoryStream(await other.Content.ReadAsByteArrayAsync());
        Assert.DoesNotContain(Wenming.Web.Infrastructure.Sheets.Rows(otherSheet), r => Wenming.Web.Infrastructure.Sheets.Text(r, "组织单位") == firstInstitute);
        using var refused = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).GetAsync("/api/v1/records/export");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public void Star_levels_follow_cumulative_hours_at_the_thresholds()
    {
        var levels = RecordRules.DefaultStarHours;
        Assert.Equal(0, RecordRules.Star(levels, (99 * 60) + 59));
        Assert.Equal(1, RecordRules.Star(levels, 100 * 60));
        Assert.Equal(2, RecordRules.Star(levels, 300 * 60));
        Assert.Equal(3, RecordRules.Star(levels, 999 * 60));
        Assert.Equal(4, RecordRules.Star(levels, 1000 * 60));
        Assert.Equal(5, RecordRules.Star(levels, 1500 * 60));
        Assert.Equal(5, RecordRules.Star(levels, 10_000 * 60));
        Assert.Equal("三星志愿者", RecordRules.StarName(3));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_center_sets_the_star_levels_and_a_volunteers_star_follows_them(string provider)
    {
        var host = TestHosts.Get(provider);
        await DeliveredOrderAsync(host, "帮独居老人买菜", 120);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Ledu, "11"));
        var ledu = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        using (var station = await (await host.ClientAsAsync(TestHost.Phone(Ledu, "02"))).PutAsJsonAsync("/api/v1/records/rules", new { starHours = new[] { 1, 2, 3, 4, 5 } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, station.StatusCode);
        }

        using (var bad = await ledu.PutAsJsonAsync("/api/v1/records/rules", new { starHours = new[] { 10, 5, 30, 40, 50 } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("递增", await bad.Content.ReadAsStringAsync());
        }

        // Hongta's volunteer keeps the national levels: a couple of hours is no star yet.
        var hongtaVolunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var hongtaId = (await hongtaVolunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var hours = await HoursAsync(hongtaVolunteer, hongtaId);
        Assert.Equal(RecordRules.Star(RecordRules.DefaultStarHours, (long)(hours.GetProperty("hours").GetDecimal() * 60)), hours.GetProperty("star").GetInt32());

        // Hongta's center lowers its first star to one hour: the same volunteer now holds it.
        var hongta = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        using (var saved = await hongta.PutAsJsonAsync("/api/v1/records/rules", new { starHours = new[] { 1, 300, 600, 1000, 1500 } }))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        Assert.True((await HoursAsync(hongtaVolunteer, hongtaId)).GetProperty("star").GetInt32() >= 1);
        Assert.Equal(100, (await volunteer.GetJsonAsync("/api/v1/records/rules")).GetProperty("starHours")[0].GetInt32());
        using var reset = await hongta.PutAsJsonAsync("/api/v1/records/rules", new { starHours = RecordRules.DefaultStarHours });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Only_the_organising_units_admins_and_the_volunteer_certify_and_anyone_verifies_by_the_code(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await DeliveredOrderAsync(host, "上门教老人用手机挂号", 45);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var volunteerId = (await volunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var today = DateTimeOffset.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
        var url = $"/api/v1/volunteers/{volunteerId}/certificate?from=2026-01-01&to={today}";

        using var mine = await volunteer.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal("application/pdf", mine.Content.Headers.ContentType!.MediaType);
        var pdf = await mine.Content.ReadAsByteArrayAsync();
        Assert.InRange(pdf.Length, 1_000, 1_000_000);
        var certificate = await host.WithDbAsync(db => db.Set<Certificate>().Where(c => c.VolunteerId == volunteerId).OrderByDescending(c => c.IssuedAt).FirstAsync());

        // The same period asked again is the same certificate.
        using (var again = await volunteer.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(1, await host.WithDbAsync(db => db.Set<Certificate>().CountAsync(c => c.VolunteerId == volunteerId && c.HandlerName == certificate.HandlerName
                                                                                            && c.Minutes == certificate.Minutes && c.From == certificate.From)));

        // The center organised the delivery (it resolved and held it): its admin certifies; a leader, another station's admin or another district's does not.
        using (var center = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "00"))).GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, center.StatusCode);
        }

        using (var leader = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "40"))).GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Forbidden, leader.StatusCode);
        }

        using (var otherStation = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "03"))).GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherStation.StatusCode);
        }

        using (var otherDistrict = await (await host.ClientAsAsync(TestHost.Phone(Ledu, "00"))).GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherDistrict.StatusCode);
        }

        // Anyone, signed in or not, verifies by the code; a code changed by one character is unknown.
        using var anonymous = host.CreateClient();
        var check = await anonymous.GetJsonAsync($"/api/v1/certificates/{certificate.Code}");
        Assert.True(check.GetProperty("genuine").GetBoolean());
        Assert.Equal(certificate.Number, check.GetProperty("number").GetString());
        Assert.Equal(certificate.Hours, check.GetProperty("hours").GetDecimal());
        Assert.DoesNotContain(certificate.Name, check.GetProperty("name").GetString());
        var tampered = (certificate.Code[0] == 'A' ? "B" : "A") + certificate.Code[1..];
        using (var unknown = await anonymous.GetAsync($"/api/v1/certificates/{tampered}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var page = await anonymous.GetAsync($"/c/{certificate.Code}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("证明有效", await page.Content.ReadAsStringAsync());
        using var missing = await anonymous.GetAsync($"/c/{tampered}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("查无此证明", await missing.Content.ReadAsStringAsync());

        // A period with nothing in it is refused with the reason.
        using var empty = await volunteer.GetAsync($"/api/v1/volunteers/{volunteerId}/certificate?from=2020-01-01&to=2020-12-31");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("没有已确认的服务记录", await empty.Content.ReadAsStringAsync());
        _ = order;
    }

    [ToolFact("pdftotext", "pdftoppm", "zbarimg")]
    public async Task A_certificate_is_real_text_with_the_name_and_hours_and_a_QR_code_that_leads_to_its_verification()
    {
        var host = TestHosts.Get("Sqlite");
        await DeliveredOrderAsync(host, "为社区老人义务理发", 75);
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        var volunteerId = (await volunteer.GetJsonAsync("/api/v1/me")).GetProperty("volunteerId").GetGuid();
        var today = DateTimeOffset.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
        using var response = await volunteer.GetAsync($"/api/v1/volunteers/{volunteerId}/certificate?from=2026-01-01&to={today}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var folder = Directory.CreateTempSubdirectory("wenming-certificate-");
        try
        {
            var file = Path.Combine(folder.FullName, "certificate.pdf");
            await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
            Assert.InRange(new FileInfo(file).Length, 1_000, 1_000_000);
            var certificate = await host.WithDbAsync(db => db.Set<Certificate>().Where(c => c.VolunteerId == volunteerId).OrderByDescending(c => c.IssuedAt).FirstAsync());

            var text = await ToolFactAttribute.RunAsync("pdftotext", "-layout", file, "-");
            Assert.Contains("志愿服务记录证明", text);
            Assert.Contains(certificate.Name, text);
            Assert.Contains(certificate.IdNumberMasked, text);
            Assert.Contains($"累计服务时长 {certificate.Hours:0.#} 小时", text);
            Assert.Contains("为社区老人义务理发", text);
            Assert.Contains(certificate.Number, text);
            var verifyUrl = $"{volunteer.BaseAddress!.ToString().TrimEnd('/')}/c/{certificate.Code}";
            Assert.Contains(verifyUrl, text.Replace("\n", ""));

            await ToolFactAttribute.RunAsync("pdftoppm", "-png", "-r", "150", "-singlefile", file, Path.Combine(folder.FullName, "page"));
            var decoded = await ToolFactAttribute.RunAsync("zbarimg", "--quiet", "--raw", Path.Combine(folder.FullName, "page.png"));
            Assert.Equal(verifyUrl, decoded.Trim());
        }
        finally
        {
            folder.Delete(true);
        }
    }

    [Fact]
    public void A_certificate_whose_stored_facts_changed_is_not_genuine()
    {
        var issued = new Certificate(Guid.NewGuid(), "code", "530402-20261207-ABCDEF", Guid.NewGuid(), "田晨刚", "居民身份证", "5304**********1234", "V001",
            new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 7), 90, [new CertifiedService(new DateOnly(2026, 3, 1), "助老", "红塔区新时代文明实践中心", 1.5m)],
            [new CertifyingUnit("红塔区新时代文明实践中心", "张主任", "0877-1234567")], "平台自助开具", null, DateTimeOffset.UtcNow);
        Assert.True(issued.IsIntact);
        typeof(Certificate).GetProperty(nameof(Certificate.Minutes))!.SetValue(issued, 9_000L);
        Assert.False(issued.IsIntact);
    }
}
