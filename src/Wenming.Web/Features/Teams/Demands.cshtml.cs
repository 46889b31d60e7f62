using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Teams;

/// <summary>需求菜单: what residents asked for that no team offers yet, for admins and team leaders to act on.</summary>
internal sealed class DemandsModel(TeamUseCases teams) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public Paged<DemandView> Rows { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Rows = await teams.DemandsAsync(PageNumber, 50, ct);
            return Page();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
    }
}
