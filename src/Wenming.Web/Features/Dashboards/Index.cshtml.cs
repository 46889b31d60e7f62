using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Dashboards;

/// <summary>数据看板: a unit's figures, its children side by side, charts over time and by platform; each figure leads to its list.</summary>
internal sealed class IndexModel(Dashboard dashboard) : PageModel
{
    public DashboardView? View { get; private set; }
    public RankingView? Ranking { get; private set; }
    public string? Message { get; private set; }

    /// <summary>The figure the children's chart compares.</summary>
    public string Compare { get; private set; } = "serviceHours";

    public async Task<IActionResult> OnGetAsync(Guid? unit, DateOnly? from, DateOnly? to, string? compare, int? levels, CancellationToken ct)
    {
        Compare = compare is not null && Figures.Find(compare) is not null ? compare : Compare;
        try
        {
            View = await dashboard.ForAsync(unit, from, to, ct);
            Ranking = await dashboard.RankingAsync(View.UnitId, Compare, levels is 2 ? 2 : 1, View.From, View.To, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
            if (e is AccessDeniedException)
            {
                return Forbid();
            }

            View = await dashboard.ForAsync(unit, null, null, ct);
        }

        return Page();
    }
}
