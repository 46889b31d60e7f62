using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

/// <summary>The volunteers of an admin's subtree: applications first, approve or reject in one click.</summary>
internal sealed class IndexModel(VolunteerQueries queries, ReviewVolunteer review) : PageModel
{
    /// <summary>Only those at this unit and below (the dashboard's figures lead here).</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; } = "Applied";

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public Paged<VolunteerRow> Rows { get; private set; } = null!;
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostDecideAsync(Guid id, string decision, string? reason, CancellationToken ct)
    {
        try
        {
            var v = await review.DecideAsync(id, decision, decision == "reject" && string.IsNullOrWhiteSpace(reason) ? "资料不符合要求" : reason, ct);
            Message = decision == "approve" ? $"已通过：{v.Name}（{v.Number}）" : $"已处理：{v.Name}";
        }
        catch (DomainException e)
        {
            Message = e.Message;
        }
        catch (InputException e)
        {
            Message = e.Summary;
        }

        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        try
        {
            Rows = await queries.ListAsync(PageNumber, 30, Status, Unit, Search, ct);
            return Page();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
    }
}
