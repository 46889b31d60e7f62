using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

internal sealed class ImportModel(ImportUnits import, UnitQueries units, Infrastructure.Tenancy.DataScope scope) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    public ImportResult? Result { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Unit is { } id)
        {
            try
            {
                var unit = await units.FindAsync(id, ct);
                if (!scope.CanAdminister(unit.Path))
                {
                    return Forbid();
                }
            }
            catch (NotVisibleException)
            {
                return NotFound();
            }
        }

        else if (!scope.IsAdmin)
        {
            return Forbid();
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            Error = "请选择要导入的 .xlsx 文件";
            return Page();
        }

        try
        {
            await using var stream = file.OpenReadStream();
            Result = await import.RunAsync(stream, ct);
        }
        catch (DomainException e)
        {
            Error = e.Message;
        }

        return Page();
    }
}
