using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>The screen at the venue: a QR code that changes every window, so a photo of it stops working within a minute.</summary>
internal sealed class VenueModel(ActivityUseCases activities) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public ActivityView Activity { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            Activity = await activities.ViewAsync(Id, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return Activity.CanManage ? Page() : Forbid();
    }
}
