using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Home;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features;

internal sealed class IndexModel(HomeFigures figures, DataScope scope, Teams.TeamUseCases teams) : PageModel
{
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    public Paged<Teams.MenuView>? Menu { get; private set; }

    public AdminHome? Admin { get; private set; }
    public Unit? Station { get; private set; }
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public IReadOnlyList<Grant> Grants => scope.Grants;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Admin = await figures.ForOverseerAsync(ct);
        if (Admin is null)
        {
            Station = await figures.HomeStationAsync(ct);
            Menu = await teams.MenuAsync(Platform, null, null, null, null, 1, 30, ct);
        }

        Platforms = await figures.PlatformsAsync(ct);
    }
}
