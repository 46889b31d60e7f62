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

    public async Task OnGetAsync(CancellationToken ct)
    {
        View = View is "todo" or "mine" or "claimable" or "all" ? View : Handles ? "todo" : "mine";
        Orders = await queries.ListAsync(View == "all" ? null : View, null, null, null, null, null, PageNumber, 30, ct);
    }
}
