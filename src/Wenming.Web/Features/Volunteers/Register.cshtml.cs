using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

internal sealed record StationChoice(Guid Id, string Name, string Institute);

/// <summary>Registering oneself as a volunteer, on a phone. Calls the same use case as POST /api/v1/volunteers.</summary>
internal sealed class RegisterModel(RegisterVolunteer register, VolunteerQueries queries, AppDbContext db) : PageModel
{
    [BindProperty]
    public RegisterForm Form { get; set; } = new();

    public IReadOnlyList<StationChoice> Stations { get; private set; } = [];
    public IReadOnlyList<string> Skills { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await queries.MineAsync(ct) is not null)
        {
            return Redirect("/Volunteers/Me");
        }

        await LoadAsync(ct);
        Form.HomeUnitId ??= db.Scope.Grants.FirstOrDefault(g => g.UnitKind == UnitKind.Station)?.UnitId;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            await register.RunAsync(Form.ToInput(), byAdmin: false, ct);
            return Redirect("/Volunteers/Me?registered=1");
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                ModelState.AddModelError(field, string.Join("；", messages));
            }
        }
        catch (DomainException e)
        {
            Error = e.Message;
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var stations = await db.Units.AsNoTracking().Where(u => u.Kind == UnitKind.Station && u.ClosedAt == null)
            .Select(u => new { u.Id, u.Name, u.ParentId, u.Code }).OrderBy(u => u.Code).ToListAsync(ct);
        var parents = stations.Select(s => s.ParentId).Distinct().ToList();
        var names = await db.Units.AsNoTracking().Where(u => parents.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        Stations = [.. stations.Select(s => new StationChoice(s.Id, s.Name, s.ParentId is { } p ? names.GetValueOrDefault(p) ?? "" : ""))];
        var (skills, categories) = await RegisterVolunteer.ChoicesAsync(db, ct);
        Skills = [.. skills.Order()];
        Categories = [.. categories];
    }
}

internal sealed class RegisterForm
{
    public string? Name { get; set; }
    public string? IdNumber { get; set; }
    public string? Gender { get; set; }
    public Guid? HomeUnitId { get; set; }
    public string? PoliticalStatus { get; set; }
    public string? Education { get; set; }
    public string? Occupation { get; set; }
    public List<string> Skills { get; set; } = [];
    public List<string> ServiceCategories { get; set; } = [];
    public string? EmergencyContactName { get; set; }
    public string? EmergencyContactPhone { get; set; }
    public string? GuardianName { get; set; }
    public string? GuardianPhone { get; set; }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    public VolunteerInput ToInput() => new()
    {
        Name = Name,
        IdNumber = IdNumber,
        Gender = Gender,
        HomeUnitId = HomeUnitId,
        PoliticalStatus = PoliticalStatus,
        Education = Education,
        Occupation = Occupation,
        Skills = Skills,
        ServiceCategories = ServiceCategories,
        EmergencyContactName = EmergencyContactName,
        EmergencyContactPhone = EmergencyContactPhone,
        GuardianName = Blank(GuardianName),
        GuardianPhone = Blank(GuardianPhone),
    };
}
