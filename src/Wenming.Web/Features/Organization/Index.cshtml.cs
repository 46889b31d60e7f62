using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Organization;

internal sealed class IndexModel(UnitQueries units, DataScope scope) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? UnitId { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public UnitView Unit { get; private set; } = null!;
    public string UnitPath { get; private set; } = "";
    public IReadOnlyList<Breadcrumb> Trail { get; private set; } = [];
    public Paged<UnitView> Children { get; private set; } = null!;
    public bool CanEdit { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery(Name = "unit")] Guid? unit, CancellationToken ct)
    {
        var id = unit ?? scope.Grants.FirstOrDefault(g => g.Role is Role.Admin or Role.Leader)?.UnitId;
        if (id is null)
        {
            return Forbid();
        }

        try
        {
            var entity = await units.FindAsync(id.Value, ct);
            Unit = await units.ViewAsync(id.Value, ct);
            UnitPath = entity.Path;
            Trail = await units.BreadcrumbsAsync(entity, ct);
            Children = await units.ChildrenAsync(id.Value, PageNumber, 20, includeClosed: false, Search, ct);
            CanEdit = scope.CanAdminister(entity.Path);
            UnitId = id;
            return Page();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
    }
}
