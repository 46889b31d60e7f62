using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>One order: where it is, its timeline, and a button for each move open to the caller.</summary>
internal sealed class DetailModel(OrderQueries queries, ActOnOrder actOnOrder, AddOrderPhoto addPhoto, OrderMatching matching, AppDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Placed { get; set; }

    public OrderView Order { get; private set; } = null!;
    public Recommendations? Recommended { get; private set; }
    public IReadOnlyList<UnitRef> ChildUnits { get; private set; } = [];
    public IReadOnlyList<UnitRef> TeamMembers { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostActAsync(string act, string? note, Guid? teamId, Guid? unitId, Guid[]? volunteerIds, double? latitude,
        double? longitude, int? stars, string? outcome, int? version, CancellationToken ct)
    {
        try
        {
            await actOnOrder.RunAsync(Id, act, new OrderActionInput(note, note, unitId, teamId, volunteerIds, latitude, longitude, "wgs84", stars, note, outcome, null, version), ct);
            return Redirect($"/Orders/Detail?id={Id}");
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
        }
        catch (DbUpdateConcurrencyException)
        {
            Message = "订单刚被他人处理，请看最新状态";
        }

        return await LoadAsync(ct);
    }

    public async Task<IActionResult> OnPostPhotoAsync(IFormFile? file, CancellationToken ct)
    {
        try
        {
            await addPhoto.RunAsync(Id, file, ct);
            return Redirect($"/Orders/Detail?id={Id}");
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException)
        {
            Message = InputException.PageMessage(e);
        }

        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        try
        {
            Order = await queries.ViewAsync(Id, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        if (Order.Actions.Contains("dispatch") || Order.Actions.Contains("assign"))
        {
            Recommended = await matching.RecommendAsync(Id, ct);
            var holder = Order.Holder.Unit.Id;
            ChildUnits = await db.Units.Where(u => u.ParentId == holder && u.ClosedAt == null
                                                    && (u.Kind == Organization.UnitKind.Institute || u.Kind == Organization.UnitKind.Station))
                .OrderBy(u => u.Code).Select(u => new UnitRef(u.Id, u.Name)).ToListAsync(ct);
            if (Order.Holder.Team is { } team)
            {
                TeamMembers = await db.Set<TeamMember>().Where(m => m.TeamId == team.Id && m.Status == MembershipStatus.Member
                                                                   && m.Volunteer!.Status == VolunteerStatus.Active)
                    .OrderByDescending(m => m.IsLeader).Take(200).Select(m => new UnitRef(m.VolunteerId, m.Volunteer!.Name)).ToListAsync(ct);
            }
        }

        return Page();
    }
}
