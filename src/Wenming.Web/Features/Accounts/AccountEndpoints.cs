using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Accounts;

internal sealed record LoginInput(string? Phone, string? Password);

internal sealed record SmsCodeInput(string? Phone);

internal sealed record SmsLoginInput(string? Phone, string? Code);

internal sealed record MeRole(Guid AssignmentId, string Role, string RoleName, Guid UnitId, string UnitName, string UnitKind);

internal sealed record MeDistrict(Guid Id, string Code, string Name);

/// <summary>The signed-in person. Their own phone is shown in full: it is theirs.</summary>
/// <summary>The signed-in person; <c>VolunteerId</c> when they are a registered volunteer (their records, hours and certificates hang off it).</summary>
internal sealed record MeView(Guid Id, string Phone, string DisplayName, MeDistrict District, IReadOnlyList<MeRole> Roles, Guid? VolunteerId = null);

internal sealed record TokenView(string AccessToken, DateTimeOffset ExpiresAt, MeView User);

internal static class AccountEndpoints
{
    public static IServiceCollection AddAccounts(this IServiceCollection services) => services
        .AddScoped<SignIn>().AddScoped<TokenIssuer>().AddScoped<ManageRoles>().AddScoped<People>().AddSingleton<ISmsSender, LoggingSmsSender>();

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/v1/auth").WithTags("Accounts").AllowAnonymous().RequireRateLimiting("auth");

        auth.MapPost("/login", async Task<Results<Ok<TokenView>, ProblemHttpResult>> (LoginInput input, SignIn signIn,
            TokenIssuer tokens, AppDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await signIn.WithPasswordAsync(input.Phone, input.Password, ct);
            return outcome.Succeeded ? TypedResults.Ok(await TokenAsync(outcome.User!, tokens, db, ct)) : Problem(http, outcome);
        }).WithSummary("Sign in with phone and password; returns a bearer token");

        auth.MapPost("/sms-code", async Task<Results<Accepted, ProblemHttpResult>> (SmsCodeInput input, SignIn signIn, HttpContext http,
            CancellationToken ct) =>
        {
            var outcome = await signIn.SendCodeAsync(input.Phone, ct);
            return outcome.Status == 202 ? TypedResults.Accepted((string?)null) : Problem(http, outcome);
        }).WithSummary("Send a one-time sign-in code by SMS (same answer whether or not the phone has an account)");

        auth.MapPost("/login-sms", async Task<Results<Ok<TokenView>, ProblemHttpResult>> (SmsLoginInput input, SignIn signIn,
            TokenIssuer tokens, AppDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var outcome = await signIn.WithCodeAsync(input.Phone, input.Code, ct);
            return outcome.Succeeded ? TypedResults.Ok(await TokenAsync(outcome.User!, tokens, db, ct)) : Problem(http, outcome);
        }).WithSummary("Sign in with phone and SMS code; returns a bearer token");

        app.MapGet("/api/v1/me", async (AppDbContext db, UserManager<AppUser> users, HttpContext http, CancellationToken ct) =>
        {
            var user = await users.GetUserAsync(http.User) ?? throw new NotVisibleException();
            return TypedResults.Ok(await MeAsync(user, db, ct));
        }).WithTags("Accounts").RequireAuthorization().WithSummary("The signed-in person, their roles and the units they hold them on");

        var roles = app.MapGroup("/api/v1").WithTags("Accounts").RequireAuthorization();
        roles.MapGet("/units/{id:guid}/roles", async (Guid id, ManageRoles m, CancellationToken ct) => TypedResults.Ok(await m.ListAsync(id, ct)))
            .WithSummary("Who holds which role on a unit (admins)");
        roles.MapPost("/units/{id:guid}/roles", async (Guid id, GrantRoleInput input, ManageRoles m, CancellationToken ct) =>
        {
            var a = await m.GrantAsync(id, input, ct);
            return TypedResults.Created($"/api/v1/roles/{a.Id}", new AppointedRole(a.Id, a.UserId, a.UnitId, a.Role.ToString()));
        }).WithSummary("Appoint a person to a role on a unit (below you)");
        roles.MapPost("/roles/{id:guid}/revoke", async (Guid id, ManageRoles m, CancellationToken ct) =>
        {
            await m.RevokeAsync(id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Revoke a role held below you");
        return app;
    }

    public static async Task<MeView> MeAsync(AppUser user, AppDbContext db, CancellationToken ct)
    {
        var district = await db.Districts.Where(d => d.Id == user.DistrictId).Select(d => new MeDistrict(d.Id, d.Code, d.Name))
            .FirstAsync(ct);
        var grants = await Infrastructure.Tenancy.ScopeLoader.LoadGrantsAsync(db, user.Id, ct);
        var volunteerId = await db.Set<Volunteers.Volunteer>().Where(v => v.UserId == user.Id).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        return new MeView(user.Id, user.PhoneNumber ?? user.UserName ?? "", user.DisplayName, district,
            [.. grants.Select(g => new MeRole(g.AssignmentId, g.Role.ToString(), Roles.ChineseName(g.Role, g.UnitKind), g.UnitId, g.UnitName, g.UnitKind.ToString()))],
            volunteerId);
    }

    private static async Task<TokenView> TokenAsync(AppUser user, TokenIssuer tokens, AppDbContext db, CancellationToken ct)
    {
        // The caller is anonymous until the token exists: read their own data as the platform.
        db.Scope.SetDistrict(user.DistrictId);
        var (token, expires) = await tokens.IssueAsync(user);
        return new TokenView(token, expires, await MeAsync(user, db, ct));
    }

    private static ProblemHttpResult Problem(HttpContext http, SignInOutcome outcome) =>
        Problems.Create(http, outcome.Status, outcome.Code ?? "login-failed", outcome.Message ?? "登录失败");
}

/// <summary>A role given: the assignment's id, the person, the unit and the role.</summary>
internal sealed record AppointedRole(Guid Id, Guid UserId, Guid UnitId, string Role);
