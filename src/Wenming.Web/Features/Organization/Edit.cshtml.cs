using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Organization;

/// <summary>Create (?parent=) or edit (?id=) a unit; also move and close it. Calls the same use cases as the API.</summary>
internal sealed class EditModel(UnitQueries units, CreateUnit create, UpdateUnit update, MoveUnit move, CloseUnit close, AppDbContext db)
    : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Parent { get; set; }

    [BindProperty]
    public UnitForm Form { get; set; } = new();

    [BindProperty]
    public string? NewParentCode { get; set; }

    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public string? ParentName { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        try
        {
            await LoadAsync(ct);
            if (Id is { } id)
            {
                var u = await units.FindAsync(id, ct);
                if (!db.Scope.CanAdminister(u.Path))
                {
                    return Forbid();
                }

                Form = UnitForm.From(u);
            }
            else if (Parent is { } parent)
            {
                var p = await units.FindAsync(parent, ct);
                if (!db.Scope.CanAdminister(p.Path))
                {
                    return Forbid();
                }
            }
            else
            {
                return NotFound();
            }

            return Page();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct) => await Attempt(async () =>
    {
        var input = Form.ToInput(Parent);
        var unit = Id is { } id ? await update.RunAsync(id, input, ct) : await create.RunAsync(input, ct);
        return Redirect($"/Organization?unit={unit.Id}");
    }, ct);

    public async Task<IActionResult> OnPostMoveAsync(CancellationToken ct) => await Attempt(async () =>
    {
        var code = NewParentCode?.Trim();
        var target = await db.Units.Where(u => u.Code == code).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct);
        if (target is null)
        {
            throw new InputException(new Dictionary<string, string[]> { ["NewParentCode"] = ["找不到该编码的单位"] });
        }

        var unit = await move.RunAsync(Id ?? throw new NotVisibleException(), new MoveUnitInput(target, Form.Version), ct);
        return Redirect($"/Organization?unit={unit.Id}");
    }, ct);

    public async Task<IActionResult> OnPostCloseAsync(CancellationToken ct) => await Attempt(async () =>
    {
        var unit = await close.RunAsync(Id ?? throw new NotVisibleException(), new VersionInput(Form.Version), ct);
        return Redirect($"/Organization?unit={unit.ParentId}");
    }, ct);

    private async Task<IActionResult> Attempt(Func<Task<IActionResult>> action, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (InputException e)
        {
            foreach (var (field, messages) in e.Errors)
            {
                foreach (var m in messages)
                {
                    ModelState.AddModelError(field, m);
                }
            }
        }
        catch (DomainException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }
        catch (DbUpdateConcurrencyException)
        {
            ModelState.AddModelError(string.Empty, "数据已被他人修改，请刷新后重试");
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (AccessDeniedException e)
        {
            ModelState.AddModelError(string.Empty, e.Message);
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Platforms = await PlatformDirectory.InUseAsync(db, ct);
        if (Parent is { } parent)
        {
            ParentName = await db.Units.VisibleTo(db.Scope).Where(u => u.Id == parent).Select(u => u.Name).FirstOrDefaultAsync(ct);
        }
    }
}

internal sealed class UnitForm
{
    public string? Kind { get; set; } = "Station";
    public string? Name { get; set; }
    public string? Code { get; set; }
    public string? Address { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public string? OpeningHours { get; set; }
    public string? HeadName { get; set; }
    public string? Phone { get; set; }
    public List<Guid> PlatformIds { get; set; } = [];
    public int? Version { get; set; }

    public static UnitForm From(Unit u) => new()
    {
        Kind = u.Kind.ToString(),
        Name = u.Name,
        Code = u.Code,
        Address = u.Address,
        Latitude = u.Latitude,
        Longitude = u.Longitude,
        OpeningHours = u.OpeningHours,
        HeadName = u.HeadName,
        Phone = u.Phone,
        PlatformIds = [.. u.PlatformIds],
        Version = u.Version,
    };

    public UnitInput ToInput(Guid? parent) => new()
    {
        ParentId = parent,
        Kind = Kind,
        Name = Name,
        Code = Code,
        Address = Address,
        Latitude = Latitude,
        Longitude = Longitude,
        OpeningHours = OpeningHours,
        HeadName = HeadName,
        Phone = Phone,
        PlatformIds = PlatformIds,
        Version = Version,
    };
}
