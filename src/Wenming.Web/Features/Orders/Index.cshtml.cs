using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>The orders a person deals with: to handle (overdue first), asked for, open to claim nearby.</summary>
internal sealed class IndexModel(OrderQueries queries, DataScope scope) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? View { get; set; }

    [BindProperty(SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public Paged<OrderRow> Orders { get; private set; } = null!;

    public bool Handles => scope.Grants.Any(g => g.Role is Role.Admin or Role.TeamLeader or Role.Volunteer);

    /// <summary>The orders placed at a unit and below (the dashboard's figures lead here); implies every order in reach.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        View = Unit is not null ? "all" : View is "todo" or "mine" or "claimable" or "all" ? View : Handles ? "todo" : "mine";
        Orders = await queries.ListAsync(View == "all" ? null : View, null, Unit, null, null, null, PageNumber, 30, ct);
    }

    /// <summary>This list's query string, for its next page and its export.</summary>
    public string Filter => Unit is { } unit ? $"view=all&unit={unit}" : $"view={View}";
}
