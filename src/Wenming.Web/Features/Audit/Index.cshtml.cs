using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Audit;

internal sealed class IndexModel(AuditQueries audit) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    public Paged<AuditView> Entries { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Entries = await audit.ListAsync(PageNumber, 50, Action, ct);
            return Page();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
    }
}
