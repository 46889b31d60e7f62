using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Demo;

/// <summary>How the demo's history is made: as the platform (to look things up) or as a person, through the use cases.</summary>
internal static class DemoScopes
{
    public static async Task<Guid?> UserAsync(IServiceScopeFactory scopes, string phone, CancellationToken ct) =>
        await WithSystemAsync(scopes, db => db.Users.Where(u => u.UserName == phone).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct));

    public static async Task<T> WithSystemAsync<T>(IServiceScopeFactory scopes, Func<AppDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>Runs <paramref name="work"/> as the person would: their district, their roles, their name.</summary>
    public static async Task<T> AsAsync<T>(IServiceScopeFactory scopes, Guid userId, Guid districtId, Func<IServiceProvider, Task<T>> work, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var data = sp.GetRequiredService<DataScope>();
        var db = sp.GetRequiredService<AppDbContext>();
        data.SetDistrict(districtId);
        var grants = await ScopeLoader.LoadGrantsAsync(db, userId, ct);
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.PhoneNumber, u.DisplayName }).FirstAsync(ct);
        data.SetUser(userId, districtId, user.PhoneNumber, grants, user.DisplayName);
        return await work(sp);
    }
}

/// <summary>The moment the demo's past steps happened at.</summary>
internal sealed class SettableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
