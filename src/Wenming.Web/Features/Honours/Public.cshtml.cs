using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Honours;

/// <summary>
/// A station's 善行义举榜 for anyone (the link or QR code on the station's wall): the honours given there, newest first, and
/// the red and yellow lists where the district shows them.
/// </summary>
[AllowAnonymous]
internal sealed class PublicModel(HonourUseCases honours, RedYellowList.ConductUseCases conduct, AppDbContext db) : PageModel
{
    public string UnitName { get; private set; } = "";
    public IReadOnlyList<AwardView> Board { get; private set; } = [];

    /// <summary>The red and yellow lists (红黄榜) of the last 90 days, as the district shows them (none when it does not).</summary>
    public IReadOnlyList<RedYellowList.BoardEntry> Red { get; private set; } = [];

    public IReadOnlyList<RedYellowList.BoardEntry> Yellow { get; private set; } = [];
    public bool ShowsConduct { get; private set; }

    /// <summary>By the unit's id: codes are a district's own, and two districts may use the same one.</summary>
    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && u.ClosedAt == null, ct);
        if (unit is null)
        {
            return NotFound();
        }

        UnitName = unit.Name;
        // For anyone passing by: a person's name masked (张*英), a household's as given.
        Board = [.. (await honours.BoardAsync(unit, 100, ct)).Select(a => a.Recipient == nameof(RecipientKind.Person) ? a with { RecipientName = Infrastructure.Audit.Masking.Name(a.RecipientName) } : a)];
        var (display, red, yellow) = await conduct.BoardAsync(unit, ct);
        (ShowsConduct, Red, Yellow) = (display != RedYellowList.BoardDisplay.Hidden, red, yellow);
        return Page();
    }
}
