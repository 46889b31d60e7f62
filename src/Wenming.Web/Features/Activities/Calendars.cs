using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>
/// iCalendar (RFC 5545) feeds phone calendars subscribe to: a unit's and a team's activities (public, like a notice
/// board), and a person's own sign-ups behind a private token URL.
/// </summary>
internal sealed class Calendars(AppDbContext db, TimeProvider clock)
{
    public const string ContentType = "text/calendar; charset=utf-8";
    private const string Zone = "Asia/Shanghai";

    /// <param name="detailsUrl">Where a public feed's events link to (the activity's page), given the activity's id.</param>
    public async Task<string> UnitFeedAsync(Guid unitId, Func<Guid, string> detailsUrl, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var unit = await db.Units.Where(u => u.Id == unitId && u.ClosedAt == null).Select(u => new { u.Name, u.Path }).FirstOrDefaultAsync(ct)
                   ?? throw new NotVisibleException();
        var from = clock.GetUtcNow().AddDays(-30);
        // A public notice board: the activities open to everyone, without their descriptions.
        var activities = await db.Set<Activity>().AsNoTracking().Include(a => a.Unit)
            .Where(a => a.Unit!.Path.StartsWith(unit.Path) && a.EndsAt >= from && a.Audience == ActivityAudience.Everyone).OrderBy(a => a.StartsAt).Take(1_000).ToListAsync(ct);
        return Serialize(unit.Name + " · 新时代文明实践活动", activities, new HashSet<Guid>(), withDetails: false, detailsUrl);
    }

    public async Task<string> TeamFeedAsync(Guid teamId, Func<Guid, string> detailsUrl, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var team = await db.Set<Teams.Team>().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
        var from = clock.GetUtcNow().AddDays(-30);
        var activities = await db.Set<Activity>().AsNoTracking().Include(a => a.Unit).Where(a => a.TeamId == teamId && a.EndsAt >= from)
            .OrderBy(a => a.StartsAt).Take(1_000).ToListAsync(ct);
        return Serialize(team + " · 活动", activities, new HashSet<Guid>(), withDetails: false, detailsUrl);
    }

    /// <summary>The person behind a private feed token: their sign-ups (waiting ones marked tentative).</summary>
    public async Task<string> PersonalFeedAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64)
        {
            throw new NotVisibleException();
        }

        using var system = db.Scope.AsSystem();
        var hash = Tokens.Hash(token);
        var userId = await db.Set<CalendarFeed>().Where(f => f.TokenHash == hash).Select(f => (Guid?)f.UserId).FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
        var from = clock.GetUtcNow().AddDays(-30);
        var signups = await db.Set<ActivitySignup>().AsNoTracking().Where(s => s.UserId == userId && s.Status != SignupStatus.Cancelled)
            .Select(s => new { s.ActivityId, s.Status }).ToListAsync(ct);
        var ids = signups.Select(s => s.ActivityId).ToList();
        var activities = await db.Set<Activity>().AsNoTracking().Include(a => a.Unit).Where(a => ids.Contains(a.Id) && a.EndsAt >= from)
            .OrderBy(a => a.StartsAt).ToListAsync(ct);
        return Serialize("我的志愿活动", activities, [.. signups.Where(s => s.Status == SignupStatus.Waiting).Select(s => s.ActivityId)], withDetails: true, null);
    }

    /// <summary>Issues (or replaces) the caller's private feed token; the URL is shown once and only its hash is kept.</summary>
    public async Task<string> NewPersonalTokenAsync(CancellationToken ct)
    {
        var uid = db.Scope.UserId ?? throw new AccessDeniedException("请先登录");
        var token = Tokens.New(20);
        await db.Set<CalendarFeed>().Where(f => f.UserId == uid).ExecuteDeleteAsync(ct);
        db.Add(new CalendarFeed(db.Scope.DistrictId, uid, Tokens.Hash(token), clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>
    /// The same activities give the same bytes (each event's DTSTAMP is when it was created, not when the feed was read), so
    /// the feed's ETag changes only when what it says does.
    /// </summary>
    private static string Serialize(string name, IReadOnlyList<Activity> activities, HashSet<Guid> tentative, bool withDetails, Func<Guid, string>? detailsUrl)
    {
        var calendar = new Calendar { ProductId = "-//Wenming//新时代文明实践云平台//ZH" };
        calendar.AddProperty("X-WR-CALNAME", name);
        calendar.AddProperty("X-WR-TIMEZONE", Zone);
        calendar.AddTimeZone(ShanghaiTime());
        foreach (var a in activities)
        {
            var e = new CalendarEvent
            {
                Uid = $"{a.Id}@wenming",
                Summary = a.Title,
                Description = withDetails ? a.Description : null,
                Location = a.Address ?? a.Unit?.Name,
                Url = detailsUrl is null ? null : new Uri(detailsUrl(a.Id)),
                DtStamp = new CalDateTime(a.CreatedAt.UtcDateTime),
                Start = Local(a.StartsAt),
                End = Local(a.EndsAt),
                Status = a.Status == ActivityStatus.Cancelled ? EventStatus.Cancelled : tentative.Contains(a.Id) ? EventStatus.Tentative : EventStatus.Confirmed,
            };
            if (a.Latitude is { } lat && a.Longitude is { } lng)
            {
                e.GeographicLocation = new GeographicLocation(lat, lng);
            }

            calendar.Events.Add(e);
        }

        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }

    /// <summary>
    /// The zone in full, as RFC 5545 §3.6.5 requires (a TZID alone makes RFC-following parsers such as ical.js read every
    /// time as UTC): China Standard Time, UTC+08:00 all year, no daylight saving since 1991.
    /// </summary>
    private static VTimeZone ShanghaiTime()
    {
        var zone = new VTimeZone(Zone);
        zone.AddChild(new VTimeZoneInfo
        {
            Name = Components.Standard,
            TimeZoneName = "CST",
            OffsetFrom = new UtcOffset(TimeSpan.FromHours(8)),
            OffsetTo = new UtcOffset(TimeSpan.FromHours(8)),
            DtStart = new CalDateTime(1991, 9, 15, 0, 0, 0),
        });
        return zone;
    }

    private static CalDateTime Local(DateTimeOffset at) =>
        new(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(at, DistrictTimeJsonConverter.Zone).DateTime, DateTimeKind.Unspecified), Zone);
}

/// <summary>
/// How a feed is answered to calendar apps, which poll: GET and HEAD alike, with an ETag (a hash of the feed) and a
/// Last-Modified, and 304 to a conditional request whose copy is still current.
/// </summary>
internal static class CalendarAnswers
{
    private const int Remembered = 10_000;

    /// <summary>When this instance first served each version of a feed: its Last-Modified (the feed keeps no time of its own).</summary>
    private static readonly ConcurrentDictionary<string, DateTimeOffset> FirstServed = new();

    public static IResult Answer(HttpContext http, string feed, TimeProvider clock)
    {
        var bytes = Encoding.UTF8.GetBytes(feed);
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16))}\"");
        if (FirstServed.Count > Remembered)
        {
            FirstServed.Clear();
        }

        var now = clock.GetUtcNow();
        var lastModified = FirstServed.GetOrAdd(etag.Tag.Value!, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        var response = http.Response.GetTypedHeaders();
        response.ETag = etag;
        response.LastModified = lastModified;
        response.CacheControl = new CacheControlHeaderValue { NoCache = true };
        var request = http.Request.GetTypedHeaders();
        // RFC 9110 §13.2.2: If-None-Match, when sent, decides; If-Modified-Since only without it.
        var current = request.IfNoneMatch.Count > 0
            ? request.IfNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false))
            : request.IfModifiedSince is { } since && lastModified <= since;
        return current ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Bytes(bytes, Calendars.ContentType);
    }
}
