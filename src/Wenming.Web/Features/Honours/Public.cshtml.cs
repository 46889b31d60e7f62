using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Honours;

/// <summary>A station's 善行义举榜 for anyone (the link or QR code on the station's wall): the honours given there, newest first.</summary>
[AllowAnonymous]
internal sealed class PublicModel(HonourUseCases honours, AppDbContext db) : PageModel
{
    public string UnitName { get; private set; } = "";
    public IReadOnlyList<AwardView> Board { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var unit = code.Length is > 0 and <= 40 ? await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Code == code && u.ClosedAt == null, ct) : null;
        if (unit is null)
        {
            return NotFound();
        }

        UnitName = unit.Name;
        Board = await honours.BoardAsync(unit, 100, ct);
        return Page();
    }
}
