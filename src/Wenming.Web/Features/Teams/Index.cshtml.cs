using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Features.Teams;

internal sealed class IndexModel(TeamUseCases teams, TeamSheet sheet) : PageModel
{
    public ImportResult? Imported { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken ct)
    {
        try
        {
            if (file is null || file.Length == 0)
            {
                Error = "请选择要导入的 .xlsx 文件";
            }
            else
            {
                await using var stream = file.OpenReadStream();
                Imported = await sheet.ImportAsync(stream, ct);
            }
        }
        catch (Infrastructure.Data.DomainException e)
        {
            Error = e.Message;
        }
        catch (Infrastructure.Problems.AccessDeniedException)
        {
            return Forbid();
        }

        await OnGetAsync(ct);
        return Page();
    }

    /// <summary>Only those at this unit and below (the dashboard's figures lead here).</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Unit { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public Paged<TeamRow> Rows { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Rows = await teams.ListAsync(PageNumber, 30, Search, Unit, ct);
}
