using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Wenming.Web.Features.Accounts;

/// <summary>
/// 长辈版, the elderly mode (MIIT《互联网网站适老化通用设计规范》): larger text and controls, a simpler home. It is a
/// setting of the account; the device remembers it in a cookie, which is all there is before sign-in, and which
/// signing in sets from the account's choice. Pages read only the cookie, so drawing a page costs no query.
/// </summary>
internal static class ElderlyMode
{
    public const string CookieName = "wm-elderly";

    /// <summary>From this age a resident who has not chosen is offered the elderly mode.</summary>
    public const int OfferAge = 60;

    public static bool IsOn(HttpContext http) => http.Request.Cookies[CookieName] == "1";

    public static void Remember(HttpContext http, bool on) =>
        http.Response.Cookies.Append(CookieName, on ? "1" : "0",
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });

    /// <summary>Signing in on a device brings the account's choice to it; an account that never chose keeps the device's.</summary>
    public static void Apply(HttpContext http, AppUser user)
    {
        if (user.ElderlyMode is { } on)
        {
            Remember(http, on);
        }
    }

    /// <summary>A person of <see cref="OfferAge"/> or more who has not chosen either way.</summary>
    public static bool ShouldOffer(AppUser user, DateOnly today) =>
        user.ElderlyMode is null && user.BirthDate is { } birth && Age(birth, today) >= OfferAge;

    private static int Age(DateOnly birth, DateOnly today) =>
        today.Year - birth.Year - (today < birth.AddYears(today.Year - birth.Year) ? 1 : 0);

    /// <summary>The account's choice, for every device it signs in on.</summary>
    public static async Task ChooseAsync(UserManager<AppUser> users, AppUser user, bool on)
    {
        user.ChooseElderlyMode(on);
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    /// <summary>
    /// The switch on every page (a form, so it works without script): the device's cookie, and the account's setting when
    /// someone is signed in. Back to the page it was pressed on.
    /// </summary>
    public static IEndpointRouteBuilder MapElderlyMode(this IEndpointRouteBuilder app)
    {
        // Form parameters: the antiforgery token is checked as for the pages' forms.
        app.MapPost("/preferences/elderly", async ([FromForm] string? on, [FromForm] string? returnUrl, HttpContext http, UserManager<AppUser> users) =>
        {
            var chosen = on == "1";
            if (http.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(http.User) is { } user)
            {
                await ChooseAsync(users, user, chosen);
            }

            Remember(http, chosen);
            return TypedResults.LocalRedirect(CultureEndpoint.LocalTarget(returnUrl));
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
