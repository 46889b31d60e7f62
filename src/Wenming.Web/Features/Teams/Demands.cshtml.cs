using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Teams;

/// <summary>需求菜单: what residents asked for, where each need stands, and an admin's answer, decline or link for one of them.</summary>
internal sealed class DemandsModel(DemandQueries demands, FollowUpDemand follow, Home.HomeFigures figures) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    /// <summary>The need an admin is handling, shown above the list with its actions.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Id { get; set; }

    public Paged<DemandView> Rows { get; private set; } = null!;
    public DemandView? Selected { get; private set; }
    public IReadOnlyList<UnitRef> Places { get; private set; } = [];
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public IReadOnlyList<UnitRef> MenuItems { get; private set; } = [];
    public IReadOnlyList<UnitRef> Projects { get; private set; } = [];
    public string? Message { get; private set; }

    public static readonly DemandStatus[] Statuses = Enum.GetValues<DemandStatus>();

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ShowAsync(ct);

    public Task<IActionResult> OnPostAnswerAsync(string? answer, int? version, CancellationToken ct) =>
        ActAsync(() => follow.AnswerAsync(Id ?? Guid.Empty, new DemandAnswerInput(answer, version), ct), "已答复", ct);

    public Task<IActionResult> OnPostDeclineAsync(string? reason, int? version, CancellationToken ct) =>
        ActAsync(() => follow.DeclineAsync(Id ?? Guid.Empty, new DemandDeclineInput(reason, version), ct), "已标记为暂不采纳", ct);

    /// <summary><paramref name="target"/> is "menu:{id}" or "project:{id}", from one list of both.</summary>
    public Task<IActionResult> OnPostBecameAsync(string? target, string? answer, int? version, CancellationToken ct)
    {
        var parts = (target ?? "").Split(':', 2);
        var id = parts.Length == 2 && Guid.TryParse(parts[1], out var g) ? g : (Guid?)null;
        return ActAsync(() => follow.BecameAsync(Id ?? Guid.Empty, new DemandBecameInput(parts[0] == "menu" ? id : null, parts[0] == "project" ? id : null,
            answer, version), ct), "已关联", ct);
    }

    private async Task<IActionResult> ActAsync(Func<Task<Demand>> act, string done, CancellationToken ct)
    {
        try
        {
            await act();
            Message = done;
        }
        catch (Exception e) when (e is DomainException or InputException or Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException)
        {
            Message = e is InputException ? InputException.PageMessage(e) : e is DomainException ? e.Message : "数据已被他人修改，请刷新后重试";
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return await ShowAsync(ct);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        try
        {
            Rows = await demands.ListAsync(new DemandFilter(Status, Platform, Unit), PageNumber, 50, ct);
            Places = await demands.PlacesAsync(ct);
            Platforms = await figures.PlatformsAsync(ct);
            if (Id is { } id)
            {
                Selected = await demands.ViewAsync(id, ct);
                if (Selected.CanSettle)
                {
                    (MenuItems, Projects) = await demands.TargetsAsync(ct);
                }
            }

            return Page();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (InputException e)
        {
            Message = e.Summary;
            Status = null;
            return await ShowAsync(ct);
        }
    }
}
