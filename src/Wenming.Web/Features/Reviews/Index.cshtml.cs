using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Reviews;

/// <summary>社会评单: anyone can read how a district's delivered orders were rated; no names, phones or addresses.</summary>
[AllowAnonymous]
internal sealed class IndexModel(OrderQueries queries, AppDbContext db) : PageModel
{
    public string DistrictName { get; private set; } = "";
    public IReadOnlyList<PublicReview> Reviews { get; private set; } = [];
    public double Average { get; private set; }

    public async Task<IActionResult> OnGetAsync(string districtCode, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        DistrictName = await db.Districts.Where(d => d.Code == districtCode).Select(d => d.Name).FirstOrDefaultAsync(ct) ?? "";
        try
        {
            Reviews = await queries.PublicReviewsAsync(districtCode, 100, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        Average = Reviews.Count == 0 ? 0 : Math.Round(Reviews.Average(r => r.Rating), 1);
        return Page();
    }
}
