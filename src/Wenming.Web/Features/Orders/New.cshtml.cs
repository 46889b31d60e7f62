using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>点单 on a phone: a menu service or free text, where (address, or the phone's location) and when. Grid workers file for a resident.</summary>
internal sealed class NewModel(PlaceOrder place, AppDbContext db, Home.HomeFigures figures) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Menu { get; set; }

    [BindProperty]
    public string? Title { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public Guid? PlatformId { get; set; }

    [BindProperty]
    public string? Address { get; set; }

    [BindProperty]
    public double? Latitude { get; set; }

    [BindProperty]
    public double? Longitude { get; set; }

    [BindProperty]
    public string? WantedAt { get; set; }

    [BindProperty]
    public string? ContactName { get; set; }

    [BindProperty]
    public string? ContactPhone { get; set; }

    [BindProperty]
    public Guid? UnitId { get; set; }

    public string? MenuTitle { get; private set; }
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Name)> Places { get; private set; } = [];
    public bool ForResident => db.Scope.Has(Role.GridWorker);
    public IDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        DateTimeOffset? wanted = null;
        if (!string.IsNullOrWhiteSpace(WantedAt) && DateTime.TryParse(WantedAt, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            wanted = new DateTimeOffset(local, DistrictTimeJsonConverter.Zone.GetUtcOffset(local));
        }

        try
        {
            var order = await place.RunAsync(new OrderInput(Title, Description, PlatformId, Menu, UnitId, Address, Latitude, Longitude, "wgs84", wanted,
                ContactName, ContactPhone), ct);
            return Redirect($"/Orders/Detail?id={order.Id}&placed=1");
        }
        catch (InputException e)
        {
            Errors = e.Errors;
        }
        catch (DomainException e)
        {
            Errors = new Dictionary<string, string[]> { [""] = [e.Message] };
        }
        catch (AccessDeniedException e)
        {
            Errors = new Dictionary<string, string[]> { [""] = [e.Message] };
        }

        await LoadAsync(ct);
        return Page();
    }

    public string? Error(string field) => Errors.TryGetValue(field, out var e) ? string.Join("；", e) : null;

    private async Task LoadAsync(CancellationToken ct)
    {
        Platforms = await figures.PlatformsAsync(ct);
        if (Menu is { } menuId)
        {
            var item = await db.Set<Teams.MenuItem>().Where(m => m.Id == menuId && m.IsActive).Select(m => new { m.Title, m.PlatformId }).FirstOrDefaultAsync(ct);
            MenuTitle = item?.Title;
            PlatformId ??= item?.PlatformId;
        }

        if (ForResident)
        {
            var units = await db.Units.Where(u => u.ClosedAt == null).VisibleTo(db.Scope, Role.GridWorker).OrderBy(u => u.Path).Take(200)
                .Select(u => new { u.Id, u.Name }).ToListAsync(ct);
            Places = [.. units.Select(u => (u.Id, u.Name))];
        }
    }
}
