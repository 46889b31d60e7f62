using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Demo;

/// <summary>
/// Months of service behind each demo district, so a newcomer finds hours, star levels and certificates at once: the
/// first institute's admin held an activity every few weeks, the demo volunteer (<c>1380d000011</c>) and dozens of the
/// volunteers of its stations signed up, checked in and out. Each step goes through the platform's own use cases, on a clock set
/// back to when it happened; the records follow from their events as they always do.
/// </summary>
internal sealed class DemoRecords(IServiceScopeFactory scopes, TimeProvider clock, ILogger<DemoRecords> logger)
{
    private static readonly string[] Titles = ["社区环境整治志愿服务", "关爱独居老人上门探访", "文明交通劝导", "垃圾分类宣传进小区", "义务理发进社区", "防范电信诈骗宣讲"];

    /// <summary>Activities held per district, one every <see cref="WeeksApart"/> weeks back from last week.</summary>
    private const int Activities = 6;

    private const int WeeksApart = 3;

    /// <summary>Volunteers of the first institute's stations (besides the demo volunteer) who took part, a changing half of them each time.</summary>
    private const int Pool = 40;

    public async Task SeedAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var districts = await WithSystemAsync(db => db.Districts.AsNoTracking().Select(d => new { d.Id, d.Code }).ToListAsync(ct));
        var pairs = 0;
        foreach (var district in districts)
        {
            try
            {
                pairs += await DistrictAsync(district.Id, district.Code, ct);
            }
            catch (Exception e) when (e is Infrastructure.Data.DomainException or Infrastructure.Problems.InputException or Infrastructure.Problems.AccessDeniedException)
            {
                // A district whose rules refuse a step of the history starts without the rest of it; the platform still starts.
                logger.LogWarning(e, "Demo history of district {Code} stopped: {Reason}", district.Code, e.Message);
            }
        }

        logger.LogInformation("Demo history: {Pairs} check-ins and check-outs at {Activities} past activities per district in {Seconds:0.0} s", pairs,
            Activities, (clock.GetUtcNow() - started).TotalSeconds);
    }

    private async Task<int> DistrictAsync(Guid districtId, string code, CancellationToken ct)
    {
        var number = DemoDistrictData.All.First(d => d.Code == code).Number;
        var admin = await UserAsync(DemoSeeder.Phone(number, "01"), ct);
        var center = await UserAsync(DemoSeeder.Phone(number, "00"), ct);
        var demoVolunteer = await UserAsync(DemoSeeder.Phone(number, "11"), ct);
        if (admin is null || center is null || demoVolunteer is null)
        {
            return 0;
        }

        var (institute, platform, lat, lng) = await WithSystemAsync(async db =>
        {
            var unitId = await db.RoleAssignments.Where(r => r.UserId == admin.Value).Select(r => r.UnitId).FirstAsync(ct);
            var unit = await db.Units.AsNoTracking().FirstAsync(u => u.Id == unitId, ct);
            var first = await db.Platforms.Where(p => p.DistrictId == districtId && p.IsActive).OrderBy(p => p.SortOrder).Select(p => p.Id).FirstAsync(ct);
            return (unit, first, unit.Latitude ?? 0, unit.Longitude ?? 0);
        });
        var people = await WithSystemAsync(db => db.Set<Volunteer>()
            .Where(v => v.HomeUnit!.Path.StartsWith(institute.Path) && v.Status == VolunteerStatus.Active && v.UserId != demoVolunteer.Value)
            .OrderBy(v => v.Number).Select(v => v.UserId).Take(Pool).ToListAsync(ct));

        var now = clock.GetUtcNow();
        var today = Infrastructure.DistrictTime.Today(now);
        var pairs = 0;
        for (var i = 0; i < Activities; i++)
        {
            // 9:00 in the district, a Saturday some weeks back; two and a half hours.
            var day = today.AddDays(-7 - (i * 7 * WeeksApart) - ((int)today.DayOfWeek + 1) % 7);
            var starts = new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8)).ToUniversalTime();
            var at = new SettableClock(starts.AddDays(-3));
            var template = await TemplateAsync(center.Value, districtId, platform, institute.Path, i, at, ct);
            var activityId = await AsAsync(admin.Value, districtId, async sp =>
            {
                var activities = ActivatorUtilities.CreateInstance<ActivityUseCases>(sp, at);
                var activity = await activities.PublishAsync(new ActivityInput(template is null ? Titles[i % Titles.Length] : null, template is null ? platform : null, template, null, null, institute.Id,
                    "演示数据：按平台规则发布、报名、签到签退的往期活动", starts, starts.AddMinutes(150), institute.Address, lat, lng, "wgs84", 100, null, null, null, null,
                    null, null, null, null), ct);
                return activity.Id;
            }, ct);

            var attendees = new List<Guid> { demoVolunteer.Value };
            attendees.AddRange(people.Where((_, k) => (k + i) % 2 == 0));
            foreach (var user in attendees)
            {
                at.Now = starts.AddDays(-1);
                await AsAsync(user, districtId, sp => ActivatorUtilities.CreateInstance<SignUps>(sp, ActivatorUtilities.CreateInstance<ActivityUseCases>(sp, at), at)
                    .SignUpAsync(activityId, null, ct), ct);
                // In around the start, out when it ends or a little before: each person's own time.
                var jitter = (user.GetHashCode() & 0x7fffffff) % 20;
                foreach (var moment in new[] { starts.AddMinutes(jitter - 10), starts.AddMinutes(150 - jitter) })
                {
                    at.Now = moment;
                    await AsAsync(user, districtId, sp => ActivatorUtilities.CreateInstance<SignUps>(sp, ActivatorUtilities.CreateInstance<ActivityUseCases>(sp, at), at)
                        .CheckInAsync(activityId, new CheckInInput(null, lat, lng, "wgs84"), ct), ct);
                }

                pairs++;
            }
        }

        return pairs;
    }

    /// <summary>
    /// The library entry to publish from, where the district publishes only from its library (Kaizhou): one of its approved
    /// entries, or one the center proposes and approves when it has none.
    /// </summary>
    private async Task<Guid?> TemplateAsync(Guid centerAdmin, Guid districtId, Guid platform, string stationPath, int index, SettableClock at, CancellationToken ct) =>
        await AsAsync(centerAdmin, districtId, async sp =>
        {
            var activities = ActivatorUtilities.CreateInstance<ActivityUseCases>(sp, at);
            if (!(await activities.RulesAsync(ct)).LibraryGate)
            {
                return (Guid?)null;
            }

            var approved = (await activities.LibraryAsync(nameof(TemplateStatus.Approved), null, ct)).Where(t => t.AllowedUnitIds.Count == 0
                || t.AllowedUnitIds.Any(id => stationPath.Contains(id.ToString("N"), StringComparison.Ordinal))).ToList();
            if (approved.Count > 0)
            {
                return approved[index % approved.Count].Id;
            }

            var template = await activities.ProposeAsync(new TemplateInput(Titles[index % Titles.Length], platform, "演示数据：中心审核入库的活动", "现场服务", 150, 30,
                "社区居民", null, null, null), ct);
            if (template.Status != TemplateStatus.Approved)
            {
                await activities.DecideAsync(template.Id, true, null, null, ct);
            }

            return template.Id;
        }, ct);

    private Task<Guid?> UserAsync(string phone, CancellationToken ct) => DemoScopes.UserAsync(scopes, phone, ct);

    private Task<T> WithSystemAsync<T>(Func<AppDbContext, Task<T>> work) => DemoScopes.WithSystemAsync(scopes, work);

    private Task<T> AsAsync<T>(Guid userId, Guid districtId, Func<IServiceProvider, Task<T>> work, CancellationToken ct) =>
        DemoScopes.AsAsync(scopes, userId, districtId, work, ct);
}
