using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

/// <summary>The activity library (活动库): browse it, propose entries, and (the center) approve or return them.</summary>
internal sealed class LibraryModel(ActivityUseCases activities, Home.HomeFigures figures, DataScope scope) : PageModel
{
    public IReadOnlyList<TemplateView> Entries { get; private set; } = [];
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public bool IsCenterAdmin => scope.IsCenterAdmin;
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostProposeAsync(string? title, Guid? platformId, string? format, int? suggestedMinutes, int? suggestedSize,
        string? audience, string? materials, string? description, CancellationToken ct) =>
        await ActAsync(async () =>
        {
            var t = await activities.ProposeAsync(new TemplateInput(title, platformId, description, format, suggestedMinutes, suggestedSize, audience, materials, null, null), ct);
            Message = t.Status == TemplateStatus.Approved ? "已直接入库" : "已提交中心审核";
        }, ct);

    public async Task<IActionResult> OnPostDecideAsync(Guid id, bool approve, string? reason, CancellationToken ct) =>
        await ActAsync(() => activities.DecideAsync(id, approve, reason, null, ct), ct);

    private async Task<IActionResult> ActAsync(Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException or NotVisibleException)
        {
            Message = e switch
            {
                InputException i => i.Summary,
                NotVisibleException => "找不到该活动",
                _ => e.Message,
            };
        }

        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Entries = await activities.LibraryAsync(null, null, ct);
        Platforms = await figures.PlatformsAsync(ct);
    }
}
