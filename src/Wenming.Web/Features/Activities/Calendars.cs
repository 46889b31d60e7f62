using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Microsoft.EntityFrameworkCore;
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

    public async Task<string> UnitFeedAsync(Guid unitId, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var unit = await db.Units.Where(u => u.Id == unitId && u.ClosedAt == null).Select(u => new { u.Name, u.Path }).FirstOrDefaultAsync(ct)
                   ?? throw new NotVisibleException();
        var from = clock.GetUtcNow().AddDays(-30);
        // A public notice board: the activities open to everyone, without their descriptions.
        var activities = await db.Set<Activity>().AsNoTracking().Include(a => a.Unit)
            .Where(a => a.Unit!.Path.StartsWith(unit.Path) && a.EndsAt >= from && a.Audience == ActivityAudience.Everyone).OrderBy(a => a.StartsAt).Take(1_000).ToListAsync(ct);
        return Serialize(unit.Name + " · 新时代文明实践活动", activities, new HashSet<Guid>(), withDetails: false);
    }

    public async Task<string> TeamFeedAsync(Guid teamId, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var team = await db.Set<Teams.Team>().Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
        var from = clock.GetUtcNow().AddDays(-30);
        var activities = await db.Set<Activity>().AsNoTracking().Include(a => a.Unit).Where(a => a.TeamId == teamId && a.EndsAt >= from)
            .OrderBy(a => a.StartsAt).Take(1_000).ToListAsync(ct);
        return Serialize(team + " · 活动", activities, new HashSet<Guid>(), withDetails: false);
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
        return Serialize("我的志愿活动", activities, [.. signups.Where(s => s.Status == SignupStatus.Waiting).Select(s => s.ActivityId)], withDetails: true);
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

    private string Serialize(string name, IReadOnlyList<Activity> activities, HashSet<Guid> tentative, bool withDetails)
    {
        var calendar = new Calendar { ProductId = "-//Wenming//新时代文明实践云平台//ZH" };
        calendar.AddProperty("X-WR-CALNAME", name);
        calendar.AddProperty("X-WR-TIMEZONE", Zone);
        calendar.AddTimeZone(new VTimeZone(Zone));
        var stamp = new CalDateTime(clock.GetUtcNow().UtcDateTime);
        foreach (var a in activities)
        {
            var e = new CalendarEvent
            {
                Uid = $"{a.Id}@wenming",
                Summary = a.Title,
                Description = withDetails ? a.Description : null,
                Location = a.Address ?? a.Unit?.Name,
                DtStamp = stamp,
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

    private static CalDateTime Local(DateTimeOffset at) =>
        new(DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(at, DistrictTimeJsonConverter.Zone).DateTime, DateTimeKind.Unspecified), Zone);
}
