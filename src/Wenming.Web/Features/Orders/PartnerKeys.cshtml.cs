using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Orders.Open311;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The center admin's page for the district's Open311 partner keys: issue one (shown once), see them, revoke one.</summary>
internal sealed class PartnerKeysModel(PartnerKeys keys, Infrastructure.Tenancy.DataScope scope, IConfiguration config) : PageModel
{
    public IReadOnlyList<PartnerKeyView> Items { get; private set; } = [];
    public string? Error { get; private set; }

    /// <summary>A key just issued, shown on the page the issue redirected to, once (a reload shows it no more, and issues none).</summary>
    public (string Partner, string ApiKey)? Issued { get; private set; }

    /// <summary>Where partners reach the interface: the platform's public address, as discovery gives it.</summary>
    public string DiscoveryUrl => Infrastructure.PublicUrls.Base(HttpContext, config) + "/open311/v2/discovery.json";

    [BindProperty]
    public string? Name { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!scope.IsCenterAdmin)
        {
            return Forbid();
        }

        if (TempData["IssuedKey"] is string apiKey && TempData["IssuedPartner"] is string partner)
        {
            Issued = (partner, apiKey);
            Response.Headers.CacheControl = "no-store";
        }

        Items = await keys.ListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostIssueAsync(CancellationToken ct)
    {
        IssuedPartnerKey? issued = null;
        var page = await RunAsync(async () => issued = await keys.IssueAsync(new PartnerKeyInput(Name), ct), ct);
        if (issued is null)
        {
            return page;
        }

        // Shown after a redirect: reloading the page then issues no second key.
        TempData["IssuedKey"] = issued.ApiKey;
        TempData["IssuedPartner"] = issued.Key.Name;
        return RedirectToPage();
    }

    public Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct) => RunAsync(() => keys.RevokeAsync(id, ct), ct);

    private async Task<IActionResult> RunAsync(Func<Task> change, CancellationToken ct)
    {
        try
        {
            await change();
            Name = null;
        }
        catch (InputException e)
        {
            Error = e.Summary;
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (NotVisibleException)
        {
            Error = "找不到该密钥，可能已被删除或不属于本区";
        }

        Items = await keys.ListAsync(ct);
        return Page();
    }
}
