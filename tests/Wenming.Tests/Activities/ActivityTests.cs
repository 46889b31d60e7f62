using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Activities;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Activities;

public sealed class ActivityTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private const int Kaizhou = 3;

    internal static async Task<Guid> PlatformAsync(HttpClient client) =>
        (await client.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();

    internal static async Task<JsonElement> PublishAsync(HttpClient admin, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await admin.PostJsonAsync("/api/v1/activities", body);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == expected, $"publish: expected {(int)expected}, got {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>
    /// An activity of Hongta's first station (published ahead, as the rules require, then moved to have started
    /// <paramref name="startedAgo"/> minutes ago), <paramref name="person"/> signed up and checked in
    /// <paramref name="checkedInAgo"/> minutes ago; returns its id.
    /// </summary>
    internal static async Task<Guid> UnderWayAsync(TestHost host, HttpClient admin, HttpClient person, string title, int startedAgo, int checkedInAgo)
    {
        var starts = DateTimeOffset.UtcNow.AddMinutes(10);
        var activity = await PublishAsync(admin, new
        {
            title,
            platformId = await PlatformAsync(admin),
            startsAt = starts,
            endsAt = starts.AddHours(3),
            capacity = 10,
            latitude = HongtaSite.Latitude,
            longitude = HongtaSite.Longitude,
        });
        var id = activity.GetProperty("id").GetGuid();
        var started = DateTimeOffset.UtcNow.AddMinutes(-startedAgo);
        await host.WithDbAsync(db => db.Set<Activity>().Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.StartsAt, started)));
        using (var signed = await person.PostJsonAsync($"/api/v1/activities/{id}/signups", new { }))
        {
            Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        }

        using (var checkIn = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", HongtaSite))
        {
            Assert.Equal(HttpStatusCode.OK, checkIn.StatusCode);
        }

        var earlier = DateTimeOffset.UtcNow.AddMinutes(-checkedInAgo);
        await host.WithDbAsync(db => db.Set<Attendance>().Where(a => a.ActivityId == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.CheckInAt, earlier)));
        return id;
    }

    /// <summary>Where <see cref="UnderWayAsync"/>'s activities are held, and where their people check in and out.</summary>
    internal static readonly Site HongtaSite = new(24.3541, 102.5429);

    internal sealed record Site(double Latitude, double Longitude);

    /// <summary>Fresh residents of a station who can sign in (the demo's own volunteers have no passwords).</summary>
    internal static async Task<List<HttpClient>> ResidentsAsync(TestHost host, string stationCode, int count)
    {
        var phones = new List<string>();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var station = await db.Units.SingleAsync(u => u.Code == stationCode);
            for (var i = 0; i < count; i++)
            {
                var phone = $"177{Random.Shared.Next(10_000_000, 99_999_999)}";
                var user = new AppUser { Id = Ids.New(), UserName = phone, PhoneNumber = phone, DisplayName = $"测试居民{i}", DistrictId = station.DistrictId };
                var created = await users.CreateAsync(user, "Demo#2026");
                Assert.True(created.Succeeded, string.Join(";", created.Errors.Select(e => e.Description)));
                db.RoleAssignments.Add(new RoleAssignment(Ids.New(), station.DistrictId, user.Id, station.Id, Role.Resident, null, DateTimeOffset.UtcNow));
                phones.Add(phone);
            }

            await db.SaveChangesAsync();
        }

        return [.. await Task.WhenAll(phones.Select(host.ClientAsAsync))];
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Kaizhou_publishes_only_from_the_library_and_the_center_approves_or_returns_entries(string provider)
    {
        var host = TestHosts.Get(provider);
        var station = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "02"));
        var center = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "00"));
        var platform = await PlatformAsync(station);
        var when = DateTimeOffset.UtcNow.AddDays(7);
        var refused = await PublishAsync(station, new { title = "自拟的广场舞比赛", platformId = platform, startsAt = when, endsAt = when.AddHours(2) },
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("活动库", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var proposed = await station.PostJsonAsync("/api/v1/activity-library", new { title = "邻里百家宴", platformId = platform, suggestedMinutes = 120, suggestedSize = 50, format = "聚餐" });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var proposal = (await proposed.JsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal("Proposed", (await proposed.JsonAsync()).GetProperty("status").GetString());
        await PublishAsync(station, new { templateId = proposal, startsAt = when, endsAt = when.AddHours(2) }, HttpStatusCode.UnprocessableEntity); // not yet approved

        using (var byStation = await station.PostJsonAsync($"/api/v1/activity-library/{proposal}/approve", new { }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byStation.StatusCode);
        }

        using (var noReason = await center.PostJsonAsync($"/api/v1/activity-library/{proposal}/return", new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }

        using (var returned = await center.PostJsonAsync($"/api/v1/activity-library/{proposal}/return", new { reason = "请补充食品安全措施" }))
        {
            Assert.Equal("Returned", (await returned.JsonAsync()).GetProperty("status").GetString());
        }

        var library = await station.GetJsonAsync("/api/v1/activity-library");
        Assert.Contains(library.EnumerateArray(), t => t.GetProperty("id").GetGuid() == proposal && t.GetProperty("returnReason").GetString() == "请补充食品安全措施");

        using var second = await station.PostJsonAsync("/api/v1/activity-library", new { title = "垃圾分类入户宣传", platformId = platform, suggestedMinutes = 90 });
        var secondId = (await second.JsonAsync()).GetProperty("id").GetGuid();
        using (var stale = await center.PostJsonAsync($"/api/v1/activity-library/{secondId}/approve", new { version = 7 }))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        }

        using (var approved = await center.PostJsonAsync($"/api/v1/activity-library/{secondId}/approve", new { }))
        {
            Assert.Equal("Approved", (await approved.JsonAsync()).GetProperty("status").GetString());
        }

        var published = await PublishAsync(station, new { templateId = secondId, startsAt = when, endsAt = when.AddHours(2), capacity = 30 });
        Assert.Equal("垃圾分类入户宣传", published.GetProperty("title").GetString());
        Assert.Equal(secondId, published.GetProperty("template").GetProperty("id").GetGuid());

        // Hongta keeps no gate: a free-text activity publishes; none in the past anywhere.
        var hongta = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        await PublishAsync(hongta, new { title = "周末义诊", platformId = await PlatformAsync(hongta), startsAt = when, endsAt = when.AddHours(3), capacity = 10 });
        await PublishAsync(hongta, new { title = "补录的活动", platformId = await PlatformAsync(hongta), startsAt = DateTimeOffset.UtcNow.AddDays(-1), endsAt = DateTimeOffset.UtcNow.AddDays(-1).AddHours(1) },
            HttpStatusCode.UnprocessableEntity);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Parallel_sign_ups_fill_exactly_the_places_and_the_waiting_list_moves_up_on_a_cancellation(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var when = DateTimeOffset.UtcNow.AddDays(3);
        var activity = await PublishAsync(admin, new { title = "社区读书会", platformId = await PlatformAsync(admin), startsAt = when, endsAt = when.AddHours(2), capacity = 5 });
        var id = activity.GetProperty("id").GetGuid();
        var people = await ResidentsAsync(host, $"{HongtaCode}-01-001", 20);

        var responses = await Task.WhenAll(people.Select(p => p.PostJsonAsync($"/api/v1/activities/{id}/signups", new { })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var statuses = await Task.WhenAll(responses.Select(async r => (await r.JsonAsync()).GetProperty("status").GetString()));
        Assert.Equal(5, statuses.Count(s => s == "Accepted"));
        Assert.Equal(15, statuses.Count(s => s == "Waiting"));
        var stored = await host.WithDbAsync(db => db.Set<ActivitySignup>().Where(s => s.ActivityId == id).GroupBy(s => s.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal(5, stored.Single(s => s.Key == SignupStatus.Accepted).Count);
        Assert.Equal(15, stored.Single(s => s.Key == SignupStatus.Waiting).Count);

        var firstWaiting = await host.WithDbAsync(db => db.Set<ActivitySignup>().Where(s => s.ActivityId == id && s.Status == SignupStatus.Waiting)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.Id).FirstAsync());
        var leaver = people[Array.FindIndex(statuses, s => s == "Accepted")];
        using var cancelled = await leaver.PostAsync($"/api/v1/activities/{id}/signups/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(firstWaiting, (await cancelled.JsonAsync()).GetProperty("promoted").GetProperty("id").GetGuid());
        var view = await admin.GetJsonAsync($"/api/v1/activities/{id}");
        var participants = view.GetProperty("roles").EnumerateArray().Single();
        Assert.Equal(5, participants.GetProperty("accepted").GetInt32());
        Assert.Equal(14, participants.GetProperty("waiting").GetInt32());

        using var twice = await people[^1].PostJsonAsync($"/api/v1/activities/{id}/signups", new { });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Nobody_is_booked_twice_at_overlapping_times(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var platform = await PlatformAsync(admin);
        var when = DateTimeOffset.UtcNow.AddDays(10).AddMinutes(Random.Shared.Next(1000));
        var first = await PublishAsync(admin, new { title = "敬老院探访", platformId = platform, startsAt = when, endsAt = when.AddHours(2), roles = new[] { new { name = "陪护", count = 3 } } });
        var overlapping = await PublishAsync(admin, new { title = "河道清洁", platformId = platform, startsAt = when.AddHours(1), endsAt = when.AddHours(3), roles = new[] { new { name = "清洁", count = 3 } } });
        var later = await PublishAsync(admin, new { title = "图书整理", platformId = platform, startsAt = when.AddHours(2), endsAt = when.AddHours(4), roles = new[] { new { name = "整理", count = 3 } } });
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        using (var ok = await volunteer.PostJsonAsync($"/api/v1/activities/{first.GetProperty("id")}/signups", new { role = "陪护" }))
        {
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using (var clash = await volunteer.PostJsonAsync($"/api/v1/activities/{overlapping.GetProperty("id")}/signups", new { role = "清洁" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
            Assert.Contains("敬老院探访", (await clash.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var adjacent = await volunteer.PostJsonAsync($"/api/v1/activities/{later.GetProperty("id")}/signups", new { role = "整理" }))
        {
            Assert.Equal(HttpStatusCode.Created, adjacent.StatusCode); // starts as the first ends
        }

        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        using var notVolunteer = await resident.PostJsonAsync($"/api/v1/activities/{overlapping.GetProperty("id")}/signups", new { role = "清洁" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notVolunteer.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Check_in_takes_the_current_venue_code_or_the_place_and_refuses_a_stale_code(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var starts = DateTimeOffset.UtcNow.AddMinutes(10);
        var activity = await PublishAsync(admin, new
        {
            title = "防诈骗讲座",
            platformId = await PlatformAsync(admin),
            startsAt = starts,
            endsAt = starts.AddHours(1),
            capacity = 10,
            latitude = 24.3541,
            longitude = 102.5429,
        });
        var id = activity.GetProperty("id").GetGuid();
        var person = (await ResidentsAsync(host, $"{HongtaCode}-01-001", 1))[0];
        using (var notYet = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { latitude = 24.3541, longitude = 102.5429 }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, notYet.StatusCode); // not signed up
        }

        using (var signed = await person.PostJsonAsync($"/api/v1/activities/{id}/signups", new { }))
        {
            Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        }

        var stored = await host.WithDbAsync(db => db.Set<Activity>().SingleAsync(a => a.Id == id));
        var stale = stored.CodeAt(DateTimeOffset.UtcNow.AddSeconds(-95), 30);
        using (var old = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code = stale }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, old.StatusCode);
            Assert.Equal("urn:wenming:problem:checkin-stale-code", (await old.JsonAsync()).GetProperty("type").GetString());
        }

        using (var far = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { latitude = 24.40, longitude = 102.5429 }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, far.StatusCode); // about 5 km away
        }

        var code = (await admin.GetJsonAsync($"/api/v1/activities/{id}/venue-code")).GetProperty("code").GetString();
        using (var residentAsks = await person.GetAsync($"/api/v1/activities/{id}/venue-code"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, residentAsks.StatusCode);
        }

        var checkIn = await (await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code })).JsonAsync();
        Assert.Equal("in", checkIn.GetProperty("direction").GetString());
        var tapAgain = await (await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code })).JsonAsync();
        Assert.Equal("in", tapAgain.GetProperty("direction").GetString()); // a second tap right away is not a check-out at zero minutes
        await BackdateOpenCheckInAsync(host, id);
        var checkOut = await (await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { latitude = 24.3542, longitude = 102.5428 })).JsonAsync();
        Assert.Equal("out", checkOut.GetProperty("direction").GetString());

        // Three pairs a day at most.
        for (var i = 0; i < 2; i++)
        {
            using var again = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code });
            await BackdateOpenCheckInAsync(host, id);
            using var back = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code });
            Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        }

        using (var fourth = await person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", new { code }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, fourth.StatusCode);
            Assert.Contains("3", (await fourth.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Before the start nothing counts, so no hours yet; the organiser corrects with a reason.
        var attendance = await admin.GetJsonAsync($"/api/v1/activities/{id}/attendance");
        var row = attendance.EnumerateArray().Single();
        Assert.Equal(0, row.GetProperty("creditedMinutes").GetInt32());
        using (var correction = await admin.PostJsonAsync($"/api/v1/activities/{id}/attendance", new
        {
            signupId = row.GetProperty("signupId").GetGuid(),
            checkInAt = starts,
            checkOutAt = starts.AddMinutes(50),
            reason = "现场扫码失败，按签到表补录",
        }))
        {
            Assert.Equal(HttpStatusCode.NoContent, correction.StatusCode);
        }

        using (var photo = await admin.PostAsync($"/api/v1/activities/{id}/photos", new MultipartFormDataContent { { new ByteArrayContent(PolicyTests.Png), "file", "p.png" } }))
        {
            Assert.Equal(HttpStatusCode.Created, photo.StatusCode);
        }

        using (var notImage = await admin.PostAsync($"/api/v1/activities/{id}/photos", new MultipartFormDataContent { { new ByteArrayContent("GIF89a"u8.ToArray()), "file", "p.png" } }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, notImage.StatusCode);
        }

        Assert.Single((await person.GetJsonAsync($"/api/v1/activities/{id}")).GetProperty("photos").EnumerateArray());
        row = (await admin.GetJsonAsync($"/api/v1/activities/{id}/attendance")).EnumerateArray().Single();
        Assert.Equal(50, row.GetProperty("creditedMinutes").GetInt32());
        Assert.True(row.GetProperty("corrected").GetBoolean());
        Assert.Contains("****", row.GetProperty("phone").GetString(), StringComparison.Ordinal);
    }

    /// <summary>As if the person had checked in five minutes ago (the clock is real; check-outs within two minutes are taken as a second tap).</summary>
    private static Task<int> BackdateOpenCheckInAsync(TestHost host, Guid activityId) => host.WithDbAsync(db =>
    {
        var earlier = DateTimeOffset.UtcNow.AddMinutes(-5);
        return db.Set<Attendance>().Where(a => a.ActivityId == activityId && a.CheckOutAt == null && a.Method != AttendanceMethod.Correction)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.CheckInAt, earlier));
    });

    [ToolTheory("node")]
    [MemberData(nameof(Providers))]
    public async Task Calendar_feeds_read_the_same_in_icaljs_link_each_event_and_answer_polling_with_304(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var starts = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(6).AddHours(1), TimeSpan.Zero); // 09:00 in Yuxi
        var activity = (await PublishAsync(admin, new
        {
            title = "九点整的活动",
            platformId = await PlatformAsync(admin),
            startsAt = starts,
            endsAt = starts.AddHours(2),
            capacity = 20,
            address = "聂耳社区活动室",
        })).GetProperty("id").GetGuid();
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        using var anonymous = host.ClientWithoutRedirects();
        var feedUrl = $"/calendars/units/{station}.ics";
        using var first = await anonymous.GetAsync(feedUrl);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var text = await first.Content.ReadAsStringAsync();

        // Mozilla's ical.js, with the feed's own VTIMEZONE: 09:00 in Yuxi is 01:00 UTC, not 09:00 UTC.
        var feed = Path.Combine(Path.GetTempPath(), $"wenming-feed-{Guid.NewGuid():N}.ics");
        await File.WriteAllTextAsync(feed, text);
        JsonElement read;
        try
        {
            read = JsonDocument.Parse(await ToolFactAttribute.RunAsync("node", Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Readers", "read_ics.mjs"), feed))
                .RootElement.Clone();
        }
        finally
        {
            File.Delete(feed);
        }

        var zone = Assert.Single(read.GetProperty("zones").EnumerateArray());
        Assert.Equal("Asia/Shanghai", zone.GetProperty("tzid").GetString());
        Assert.Equal(1, zone.GetProperty("standard").GetInt32());
        var e = read.GetProperty("events").EnumerateArray().Single(x => x.GetProperty("uid").GetString() == $"{activity}@wenming");
        Assert.Equal(starts, DateTimeOffset.Parse(e.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(starts.AddHours(2), DateTimeOffset.Parse(e.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith($"/Activities/Detail?id={activity}", e.GetProperty("url").GetString(), StringComparison.Ordinal);
        // Ical.Net agrees.
        var net = Ical.Net.Calendar.Load(text)!.Events.Single(x => x.Uid == $"{activity}@wenming");
        Assert.Equal(starts.UtcDateTime, net.Start!.AsUtc);
        Assert.Equal(e.GetProperty("url").GetString(), net.Url!.ToString());

        // HEAD as GET; polling with the validators gets 304 until the feed changes.
        var etag = first.Headers.ETag!;
        var lastModified = first.Content.Headers.LastModified!.Value;
        using (var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, feedUrl)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(etag, head.Headers.ETag);
            Assert.Equal("text/calendar", head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        using (var again = await anonymous.GetAsync(feedUrl))
        {
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Equal(text, await again.Content.ReadAsStringAsync());
        }

        async Task<HttpStatusCode> ConditionalAsync(HttpMethod method, Action<System.Net.Http.Headers.HttpRequestHeaders> validators)
        {
            using var request = new HttpRequestMessage(method, feedUrl);
            validators(request.Headers);
            using var response = await anonymous.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotModified, await ConditionalAsync(HttpMethod.Get, h => h.IfNoneMatch.Add(etag)));
        Assert.Equal(HttpStatusCode.NotModified, await ConditionalAsync(HttpMethod.Head, h => h.IfNoneMatch.Add(etag)));
        Assert.Equal(HttpStatusCode.NotModified, await ConditionalAsync(HttpMethod.Get, h => h.IfModifiedSince = lastModified));
        Assert.Equal(HttpStatusCode.OK, await ConditionalAsync(HttpMethod.Get, h => h.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"other\""))));

        await PublishAsync(admin, new { title = "新加的活动", platformId = await PlatformAsync(admin), startsAt = starts.AddDays(1), endsAt = starts.AddDays(1).AddHours(1), capacity = 5 });
        using var changed = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, feedUrl) { Headers = { IfNoneMatch = { etag } } });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
        Assert.Contains("新加的活动", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Calendar_feeds_are_valid_icalendar_in_the_districts_time_zone(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var starts = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(5).AddHours(1), TimeSpan.Zero); // 09:00 in Yuxi
        var activity = await PublishAsync(admin, new
        {
            title = "理论宣讲进社区",
            platformId = await PlatformAsync(admin),
            startsAt = starts,
            endsAt = starts.AddHours(1.5),
            capacity = 50,
            address = "聂耳社区活动室",
            lectureForm = "微宣讲",
            venueType = "社区",
            topic = "二十届四中全会精神",
        });
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        using var anonymous = host.CreateClient();
        using var unitFeed = await anonymous.GetAsync($"/calendars/units/{station}.ics");
        Assert.Equal("text/calendar", unitFeed.Content.Headers.ContentType?.MediaType);
        var text = await unitFeed.Content.ReadAsStringAsync();
        var calendar = Ical.Net.Calendar.Load(text)!;
        var e = calendar.Events.Single(x => x.Uid == $"{activity.GetProperty("id").GetGuid()}@wenming");
        Assert.Equal("理论宣讲进社区", e.Summary);
        Assert.Equal("Asia/Shanghai", e.Start!.TzId);
        Assert.Equal(9, e.Start.Hour);
        Assert.Contains(calendar.TimeZones, z => z.TzId == "Asia/Shanghai");
        Assert.Contains("BEGIN:VCALENDAR", text, StringComparison.Ordinal);

        var resident = (await ResidentsAsync(host, $"{HongtaCode}-01-001", 1))[0];
        using (var signed = await resident.PostJsonAsync($"/api/v1/activities/{activity.GetProperty("id")}/signups", new { }))
        {
            Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        }

        var url = (await (await resident.PostAsync("/api/v1/calendars/mine", null)).JsonAsync()).GetProperty("url").GetString()!;
        var mine = Ical.Net.Calendar.Load(await anonymous.GetStringAsync(new Uri(url).PathAndQuery))!;
        Assert.Single(mine.Events);
        using var guessed = await anonymous.GetAsync("/calendars/me/0123456789abcdef.ics");
        Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);

        var totals = await admin.GetJsonAsync("/api/v1/lectures/totals");
        Assert.True(totals.GetProperty("sessions").GetInt32() >= 1);
        Assert.Contains(totals.GetProperty("byVenueType").EnumerateArray(), v => v.GetProperty("name").GetString() == "社区");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_yearly_plan_compares_planned_with_held_by_month_and_platform(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var platform = await PlatformAsync(admin);
        var when = DateTimeOffset.UtcNow.AddDays(40);
        var local = TimeZoneInfo.ConvertTime(when, Wenming.Web.Infrastructure.DistrictTimeJsonConverter.Zone);
        using (var planned = await admin.PostJsonAsync("/api/v1/plans", new { year = local.Year, month = local.Month, platformId = platform, title = "月度志愿服务日", count = 4 }))
        {
            Assert.Equal(HttpStatusCode.Created, planned.StatusCode);
        }

        var before = await admin.GetJsonAsync($"/api/v1/plans?year={local.Year}");
        var heldBefore = before.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("month").GetInt32() == local.Month).Sum(c => c.GetProperty("held").GetInt32());
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        await PublishAsync(station, new { title = "志愿服务日", platformId = platform, startsAt = when, endsAt = when.AddHours(2), capacity = 20 });
        var after = await admin.GetJsonAsync($"/api/v1/plans?year={local.Year}");
        Assert.Equal(heldBefore + 1, after.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("month").GetInt32() == local.Month).Sum(c => c.GetProperty("held").GetInt32()));
        Assert.True(after.GetProperty("planned").GetInt32() >= 4);

        using var stationPlansAbove = await station.PostJsonAsync("/api/v1/plans", new { unitId = await host.UnitIdAsync($"{HongtaCode}-01"), year = local.Year, month = 1, platformId = platform, title = "越级", count = 1 });
        Assert.Equal(HttpStatusCode.NotFound, stationPlansAbove.StatusCode);
    }
}
