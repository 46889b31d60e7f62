using System.Linq.Expressions;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Infrastructure.Tenancy;

/// <summary>Fills the request's <see cref="DataScope"/> from the signed-in person's live role assignments.</summary>
internal static class ScopeLoader
{
    public static IApplicationBuilder UseDataScope(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var user = http.User;
            if (user.Identity?.IsAuthenticated == true
                && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)
                && Guid.TryParse(user.FindFirstValue(WenmingClaimsFactory.DistrictClaim), out var districtId))
            {
                var scope = http.RequestServices.GetRequiredService<DataScope>();
                scope.SetDistrict(districtId);
                var db = http.RequestServices.GetRequiredService<AppDbContext>();
                var caller = await LoadCallerAsync(db, userId, http.RequestAborted);
                scope.SetUser(userId, districtId, caller?.PhoneNumber ?? user.FindFirstValue(ClaimTypes.Name), caller?.Grants ?? [], caller?.DisplayName);
            }

            await next(http);
        });

    private sealed record Caller(string DisplayName, string? PhoneNumber, List<Grant> Grants);

    /// <summary>A role assignment that still holds: not revoked, on a unit that is not closed.</summary>
    private static readonly Expression<Func<RoleAssignment, bool>> Live = r => r.RevokedAt == null && r.Unit!.ClosedAt == null;

    private static readonly Expression<Func<RoleAssignment, Grant>> AsGrant = r => new Grant(r.Id, r.Role, r.UnitId, r.Unit!.Path, r.Unit.Kind, r.Unit.Name);

    /// <summary>
    /// The caller's name, phone and live grants in one query (every signed-in request runs it). The grants are also
    /// narrowed by the parameter, besides the join to the outer row: SQLite materialises the joined grants first, and with
    /// the join alone it read every role assignment of the district to do so (a cost that grew with the district's people).
    /// </summary>
    private static async Task<Caller?> LoadCallerAsync(AppDbContext db, Guid userId, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new Caller(u.DisplayName, u.PhoneNumber,
                db.RoleAssignments.Where(r => r.UserId == u.Id && r.UserId == userId).Where(Live).OrderBy(r => r.Unit!.Depth).Select(AsGrant).ToList()))
            .FirstOrDefaultAsync(ct);

    public static async Task<IReadOnlyList<Grant>> LoadGrantsAsync(AppDbContext db, Guid userId, CancellationToken ct) =>
        await db.RoleAssignments.AsNoTracking().Where(r => r.UserId == userId).Where(Live).OrderBy(r => r.Unit!.Depth).Select(AsGrant).ToListAsync(ct);
}
