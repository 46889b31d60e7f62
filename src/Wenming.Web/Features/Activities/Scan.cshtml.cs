using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>Where the venue QR code leads: one tap to check in (or out) with the code it carried.</summary>
internal sealed class ScanModel(ActivityUseCases activities, SignUps signUps) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true, Name = "c")]
    public string? Code { get; set; }

    public ActivityView Activity { get; private set; } = null!;
    public CheckInResult? Result { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(double? latitude, double? longitude, CancellationToken ct)
    {
        try
        {
            Result = await signUps.CheckInAsync(Id, new CheckInInput(Code, latitude, longitude, "wgs84"), ct);
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
            Activity = await activities.ViewAsync(Id, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return Page();
    }
}
