using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>Publishing an activity, from the library (where the district requires it) or in free text.</summary>
internal sealed class NewModel(ActivityUseCases activities, Home.HomeFigures figures) : PageModel
{
    public IReadOnlyList<TemplateView> Library { get; private set; } = [];
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];
    public ActivityRules Rules { get; private set; } = null!;
    public string? Message { get; private set; }

    [BindProperty(SupportsGet = true)]
    public Guid? TemplateId { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(string? title, Guid? platformId, string? startsAt, string? endsAt, string? address, int? capacity,
        string? roleName, int? roleCount, string? lectureForm, string? venueType, string? topic, string? description, CancellationToken ct)
    {
        try
        {
            VolunteerRole[] roles = string.IsNullOrWhiteSpace(roleName) ? [] : [new VolunteerRole(roleName.Trim(), roleCount ?? 1)];
            var activity = await activities.PublishAsync(new ActivityInput(string.IsNullOrWhiteSpace(title) ? null : title, TemplateId is null ? platformId : null,
                TemplateId, null, null, null, description, Local(startsAt), Local(endsAt), address, null, null, null, capacity, roles, null, null, null,
                string.IsNullOrWhiteSpace(lectureForm) ? null : lectureForm, venueType, topic, null), ct);
            return Redirect($"/Activities/Detail?id={activity.Id}");
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException or NotVisibleException)
        {
            Message = e switch
            {
                InputException i => i.Summary,
                NotVisibleException => "找不到所选的单位或队伍",
                _ => e.Message,
            };
        }

        await LoadAsync(ct);
        return Page();
    }

    private static DateTimeOffset? Local(string? text) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, DistrictTimeJsonConverter.Zone.GetUtcOffset(local))
            : null;

    private async Task LoadAsync(CancellationToken ct)
    {
        Rules = await activities.RulesAsync(ct);
        Library = [.. (await activities.LibraryAsync(nameof(TemplateStatus.Approved), null, ct))];
        Platforms = await figures.PlatformsAsync(ct);
    }
}
