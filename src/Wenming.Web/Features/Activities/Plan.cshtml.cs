using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>年度活动计划: what a unit planned, month by month and platform by platform, against what its subtree held; and the lecture counts.</summary>
internal sealed class PlanModel(Planning planning, Home.HomeFigures figures) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? Year { get; set; }

    public PlanView Plan { get; private set; } = null!;
    public LectureTotals Lectures { get; private set; } = null!;
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(int? month, Guid? platformId, string? title, int? count, CancellationToken ct)
    {
        try
        {
            await planning.AddPlanAsync(new PlanInput(Unit, Year, month, platformId, null, title, count), ct);
            Message = "已加入年度计划";
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException)
        {
            Message = InputException.PageMessage(e);
        }

        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        try
        {
            Plan = await planning.PlanAsync(Unit, Year, ct);
            Lectures = await planning.LectureTotalsAsync(Plan.Unit.Id, Plan.Year, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        Year = Plan.Year;
        Unit = Plan.Unit.Id;
        Platforms = await figures.PlatformsAsync(ct);
        return Page();
    }
}
