using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Features.Activities;

/// <summary>Upcoming activities of the caller's places, by platform.</summary>
internal sealed class IndexModel(ActivityUseCases activities, Home.HomeFigures figures) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Lectures { get; set; }

    public Paged<ActivityRow> Activities { get; private set; } = null!;
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Activities = await activities.ListAsync(null, Platform, upcoming: true, Lectures, 1, 50, ct);
        Platforms = await figures.PlatformsAsync(ct);
    }
}
