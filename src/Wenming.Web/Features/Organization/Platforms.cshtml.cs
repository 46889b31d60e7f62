using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

internal sealed class PlatformsModel(SavePlatforms platforms, Infrastructure.Tenancy.DataScope scope) : PageModel
{
    public IReadOnlyList<PlatformView> Items { get; private set; } = [];
    public string? Error { get; private set; }

    [BindProperty]
    public List<Guid?> Ids { get; set; } = [];

    [BindProperty]
    public List<string?> Names { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!SavePlatforms.MayEdit(scope))
        {
            return Forbid();
        }

        Items = await platforms.ListAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var input = Names.Select((n, i) => new PlatformInput(i < Ids.Count ? Ids[i] : null, n))
            .Where(p => p.Id is not null || !string.IsNullOrWhiteSpace(p.Name)).ToList();
        try
        {
            Items = await platforms.RunAsync(input, ct);
        }
        catch (InputException e)
        {
            Error = e.Summary;
            Items = await platforms.ListAsync(ct);
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        return Page();
    }
}
