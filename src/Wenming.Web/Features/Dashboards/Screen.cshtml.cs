using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Dashboards;

/// <summary>
/// 大屏: a full-screen page for a TV wall (1920×1080 and 3840×2160) that refreshes itself: the headline figures, the
/// stations drawn from their coordinates and coloured by their activities, the latest orders and activities.
/// </summary>
internal sealed class ScreenModel(Dashboard dashboard) : PageModel
{
    public ScreenView? View { get; private set; }
    public Guid? Unit { get; private set; }

    /// <summary>Seconds between refreshes (30 by default; at least 5).</summary>
    public int Refresh { get; private set; } = 30;

    public async Task<IActionResult> OnGetAsync(Guid? unit, int? refresh, CancellationToken ct)
    {
        (Unit, Refresh) = (unit, Math.Max(5, refresh ?? 30));
        try
        {
            View = await dashboard.ScreenAsync(unit, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        return Page();
    }
}
