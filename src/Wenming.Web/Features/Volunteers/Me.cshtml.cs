using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

/// <summary>A volunteer's own record, in full, with export and leave.</summary>
internal sealed class MeModel(PersonalDataRequests requests, VolunteerQueries queries) : PageModel
{
    public VolunteerView? Mine { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await queries.MineAsync(ct) is null)
        {
            return Page();
        }

        Mine = await requests.MineAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostLeaveAsync(CancellationToken ct)
    {
        try
        {
            await requests.LeaveAsync(ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return Redirect("/Volunteers/Me");
    }
}
