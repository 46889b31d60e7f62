using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Dashboards;

/// <summary>督导考核: the year's scores of the institutes or stations below, with the breakdown; the center sets the indicators and gives manual scores.</summary>
internal sealed class AssessmentModel(Assessments assessments, AppDbContext db, TimeProvider clock) : PageModel
{
    public AssessmentView? View { get; private set; }
    public int Year { get; private set; }
    public bool IsCenterAdmin => db.Scope.IsCenterAdmin;
    public string? Message { get; private set; }
    public bool Success { get; private set; }

    public async Task<IActionResult> OnGetAsync(int? year, int? levels, CancellationToken ct)
    {
        Year = year is >= 2000 and <= 2100 ? year.Value : Infrastructure.DistrictTime.Today(clock.GetUtcNow()).Year;
        try
        {
            View = await assessments.ResultAsync(Year, null, levels, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        return Page();
    }

    public Task<IActionResult> OnPostIndicatorsAsync(int year, List<string?> name, List<string?> figure, List<decimal?> weight, List<decimal?> target, CancellationToken ct) =>
        ActAsync(year, async () =>
        {
            var input = name.Select((n, i) => new IndicatorInput(n, string.IsNullOrEmpty(At(figure, i)) ? null : At(figure, i), At(weight, i), At(target, i)))
                .Where(x => !string.IsNullOrWhiteSpace(x.Name)).ToList();
            await assessments.SaveAsync(year, input, ct);
            return $"{year} 年度考核指标已保存（{input.Count} 项）";
        }, ct);

    public Task<IActionResult> OnPostScoreAsync(int year, Guid? indicatorId, Guid? unitId, decimal? score, string? reason, CancellationToken ct) =>
        ActAsync(year, async () =>
        {
            await assessments.ScoreAsync(year, new ManualScoreInput(indicatorId, unitId, score, reason), ct);
            return "评分已保存";
        }, ct);

    private static T? At<T>(List<T?> list, int i) => i < list.Count ? list[i] : default;

    private async Task<IActionResult> ActAsync(int year, Func<Task<string>> action, CancellationToken ct)
    {
        var outcome = await PageActions.RunAsync(action);
        if (outcome.NotVisible)
        {
            return NotFound();
        }

        (Message, Success) = (outcome.Message, outcome.Success);
        db.ChangeTracker.Clear();
        return await OnGetAsync(year, null, ct);
    }
}
