using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Home;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features;

internal sealed class IndexModel(HomeFigures figures, DataScope scope, Teams.TeamUseCases teams, Teams.DemandQueries demands, Orders.OrderQueries orders,
    Microsoft.AspNetCore.Identity.UserManager<Accounts.AppUser> users, TimeProvider clock) : PageModel
{
    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    public Paged<Teams.MenuView>? Menu { get; private set; }
    public string? DemandMessage { get; private set; }

    /// <summary>The needs the caller raised, with where each stands and the answer.</summary>
    public IReadOnlyList<Teams.DemandView> MyDemands { get; private set; } = [];

    public AdminHome? Admin { get; private set; }

    /// <summary>Orders the caller's units, teams or the caller hold: overdue first.</summary>
    public Paged<Orders.OrderRow>? OrderToDos { get; private set; }

    public IReadOnlyList<Orders.NoticeView> Notices { get; private set; } = [];
    public Unit? Station { get; private set; }
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public IReadOnlyList<Grant> Grants => scope.Grants;

    /// <summary>The elderly mode is offered here, in the page, to a person over 60 who has not chosen either way.</summary>
    public bool OfferElderlyMode { get; private set; }

    /// <summary>点出你的需求: a need no menu item covers goes to the demand menu teams read.</summary>
    public async Task OnPostDemandAsync(string? text, CancellationToken ct)
    {
        try
        {
            await teams.RaiseDemandAsync(new Teams.DemandInput(text, Platform, null), ct);
            DemandMessage = "已收到您的需求，实践站和志愿服务队会尽快回应";
        }
        catch (Infrastructure.Problems.InputException e)
        {
            DemandMessage = e.Summary;
        }

        await OnGetAsync(ct);
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Admin = await figures.ForOverseerAsync(ct);
        if (scope.Grants.Any(g => g.Role is Accounts.Role.Admin or Accounts.Role.TeamLeader or Accounts.Role.Volunteer))
        {
            OrderToDos = await orders.ListAsync("todo", null, null, null, null, null, 1, 8, ct);
            Notices = await orders.NoticesAsync(5, ct);
        }

        if (Admin is null)
        {
            OfferElderlyMode = !Accounts.ElderlyMode.IsOn(HttpContext) && await users.GetUserAsync(User) is { } user
                && Accounts.ElderlyMode.ShouldOffer(user, Infrastructure.DistrictTime.Today(clock.GetUtcNow()));
            Station = await figures.HomeStationAsync(ct);
            Menu = await teams.MenuAsync(Platform, Search, null, null, null, 1, 30, ct);
            MyDemands = (await demands.MineAsync(1, 5, ct)).Items;
        }

        Platforms = await figures.PlatformsAsync(ct);
    }
}
