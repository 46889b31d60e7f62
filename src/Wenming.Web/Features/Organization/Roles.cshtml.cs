using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

internal sealed class RolesModel(ManageRoles roles, UnitQueries units) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Unit { get; set; }

    [BindProperty]
    public GrantForm Grant { get; set; } = new();

    public UnitView UnitView { get; private set; } = null!;
    public IReadOnlyList<RoleView> Holders { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await Guard(() => Task.CompletedTask, ct);

    public async Task<IActionResult> OnPostGrantAsync(CancellationToken ct) =>
        await Guard(async () => await roles.GrantAsync(Unit, new GrantRoleInput(Grant.Phone, Grant.DisplayName, Grant.Role), ct), ct);

    public async Task<IActionResult> OnPostRevokeAsync(Guid assignment, CancellationToken ct) =>
        await Guard(() => roles.RevokeAsync(assignment, ct), ct);

    private async Task<IActionResult> Guard(Func<Task> action, CancellationToken ct)
    {
        try
        {
            try
            {
                await action();
            }
            catch (InputException e)
            {
                Error = e.Summary;
            }
            catch (DomainException e)
            {
                Error = e.Message;
            }

            UnitView = await units.ViewAsync(Unit, ct);
            Holders = await roles.ListAsync(Unit, ct);
            return Page();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
    }
}

internal sealed class GrantForm
{
    public string? Phone { get; set; }
    public string? DisplayName { get; set; }
    public string? Role { get; set; } = "Resident";
}
