using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Orders.Open311;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The center admin's page for the district's Open311 partner keys: issue one (shown once), see them, revoke one.</summary>
internal sealed class PartnerKeysModel(PartnerKeys keys, Infrastructure.Tenancy.DataScope scope) : PageModel
{
    public IReadOnlyList<PartnerKeyView> Items { get; private set; } = [];
    public IssuedPartnerKey? Issued { get; private set; }
    public string? Error { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!scope.IsCenterAdmin)
        {
            return Forbid();
        }

        Items = await keys.ListAsync(ct);
        return Page();
    }

    public Task<IActionResult> OnPostIssueAsync(CancellationToken ct) => RunAsync(async () => Issued = await keys.IssueAsync(new PartnerKeyInput(Name), ct), ct);

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
            Error = string.Join("；", e.Errors.SelectMany(x => x.Value));
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        Items = await keys.ListAsync(ct);
        return Page();
    }
}
