using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Features.Activities;

/// <summary>Upcoming activities of the caller's places, by platform.</summary>
internal sealed class IndexModel(ActivityUseCases activities, Home.HomeFigures figures) : PageModel
{
    /// <summary>Only those at this unit and below (the dashboard's figures lead here).</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Lectures { get; set; }

    public Paged<ActivityRow> Activities { get; private set; } = null!;
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Activities = await activities.ListAsync(Unit, Platform, upcoming: true, Lectures, 1, 50, ct);
        Platforms = await figures.PlatformsAsync(ct);
    }
}
