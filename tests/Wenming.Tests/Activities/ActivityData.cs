using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Activities;

namespace Wenming.Tests.Activities;

/// <summary>Activities, library proposals and projects placed on a unit directly, for the policy walk.</summary>
internal static class ActivityData
{
    /// <summary>A future activity organised on the unit; with <paramref name="signedUpPhone"/>, that person already signed up.</summary>
    public static Task<Guid> ActivityOnUnitAsync(TestHost host, Guid unitId, string? signedUpPhone) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var platform = await db.Platforms.Where(p => p.DistrictId == unit.DistrictId).Select(p => p.Id).FirstAsync();
        var now = DateTimeOffset.UtcNow;
        var starts = now.AddDays(20 + Random.Shared.Next(300)).AddMinutes(Random.Shared.Next(1440));
        var activity = new Activity(unit.DistrictId, unit.Id, new ActivityDetails("策略测试活动", platform, null, null, null, null, starts, starts.AddMinutes(30), null,
            unit.Latitude, unit.Longitude, 100, [], now.AddMinutes(-1), null, ActivityAudience.Subtree, null, null, null, []), null, now);
        db.Add(activity);
        if (signedUpPhone is not null && await db.Users.Where(u => u.UserName == signedUpPhone).Select(u => (Guid?)u.Id).FirstOrDefaultAsync() is { } userId)
        {
            db.Add(new ActivitySignup(unit.DistrictId, activity.Id, userId, null, Activity.Participant, SignupStatus.Accepted, now));
        }

        await db.SaveChangesAsync();
        return activity.Id;
    });

    public static async Task<Guid> GivePhotoAsync(TestHost host, Guid activityId)
    {
        var name = $"activities/{activityId:N}/policy";
        await host.Services.GetRequiredService<Wenming.Web.Infrastructure.Files.IFileStore>().SaveAsync(name, PolicyTests.Png, CancellationToken.None);
        return await host.WithDbAsync(async db =>
        {
            var districtId = await db.Set<Activity>().Where(a => a.Id == activityId).Select(a => a.DistrictId).SingleAsync();
            var photo = new ActivityPhoto(districtId, activityId, name, "image/png", null, DateTimeOffset.UtcNow);
            db.Add(photo);
            await db.SaveChangesAsync();
            return photo.Id;
        });
    }

    public static Task<Guid> ProposalOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var platform = await db.Platforms.Where(p => p.DistrictId == unit.DistrictId).Select(p => p.Id).FirstAsync();
        var template = new ActivityTemplate(unit.DistrictId, unit.Id, null, new TemplateDetails("策略测试入库", platform, null, null, 60, 20, null, null, []), DateTimeOffset.UtcNow);
        db.Add(template);
        await db.SaveChangesAsync();
        return template.Id;
    });

    public static Task<Guid> ProjectOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var project = new Project(unit.DistrictId, unit.Id, null, "策略测试项目" + Guid.NewGuid().ToString("N")[..8], null, null, null, null, null, null, DateTimeOffset.UtcNow);
        db.Add(project);
        await db.SaveChangesAsync();
        return project.Id;
    });
}
