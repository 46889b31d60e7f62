using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The live dispatch board of a unit's subtree (调度看板): counts by step, overdue, the most urgent orders; SignalR keeps it current.</summary>
internal sealed class BoardModel(OrderQueries queries) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    public BoardFigures Board { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Board = await queries.BoardAsync(Unit, ct);
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return Page();
    }
}
