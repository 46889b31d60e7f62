using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>项目库: the district's named programmes, by platform, with what belongs to them.</summary>
internal sealed class ProjectsModel(Planning planning, Home.HomeFigures figures) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Platform { get; set; }

    public IReadOnlyList<ProjectRow> Projects { get; private set; } = [];
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? name, Guid? platformId, string? goals, DateOnly? startsOn, DateOnly? endsOn, string? partners,
        CancellationToken ct)
    {
        try
        {
            await planning.CreateProjectAsync(new ProjectInput(name, null, null, platformId, goals, startsOn, endsOn, partners), ct);
            Message = "项目已建立";
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException or NotVisibleException)
        {
            Message = e is NotVisibleException ? "找不到您的单位" : InputException.PageMessage(e);
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Projects = await planning.ProjectsAsync(Platform, null, ct);
        Platforms = await figures.PlatformsAsync(ct);
    }
}
