using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders.Open311;

/// <summary>
/// An Open311 partner proves itself by its api_key (in the form, or in the query string as GeoReport allows): the
/// principal is the key, its name identifier the key's id. Asked for where a partner's identity matters before the
/// resource runs (whose Idempotency-Key a request carries); the resource itself refuses a missing or wrong key in the
/// spec's own words, so a request without one is not challenged here.
/// </summary>
internal sealed class PartnerKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "open311-api-key";
    public const string DistrictClaim = "wm:open311-district";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var apiKey = await ApiKeyAsync();
        if (apiKey.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        await using var own = scopes.CreateAsyncScope();
        own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var key = await Open311Key.InUseAsync(own.ServiceProvider.GetRequiredService<AppDbContext>(), apiKey, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()), new Claim(ClaimTypes.Name, key.Name), new Claim(DistrictClaim, key.DistrictId.ToString())], Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name));
    }

    /// <summary>The api_key the request carries, read from a form without consuming the body (it is rewound for whoever reads next).</summary>
    private async Task<string> ApiKeyAsync()
    {
        var request = Context.Request;
        var fromForm = "";
        if (request.HasFormContentType)
        {
            request.EnableBuffering();
            try
            {
                fromForm = (await request.ReadFormAsync(Context.RequestAborted))["api_key"].ToString();
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                // A malformed form: the resource refuses it in the spec's words (it reads the form again and fails the same way).
            }
            finally
            {
                request.Body.Position = 0;
            }
        }

        return (fromForm.Trim().Length > 0 ? fromForm : request.Query["api_key"].ToString()).Trim();
    }
}
