using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Features.Teams;

internal sealed class IndexModel(TeamUseCases teams) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public Paged<TeamRow> Rows { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Rows = await teams.ListAsync(PageNumber, 30, Search, null, ct);
}
