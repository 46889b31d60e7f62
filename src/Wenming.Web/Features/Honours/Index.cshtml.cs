using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Honours;

/// <summary>荣誉榜: the caller's unit's 善行义举榜 and the district's public votes; admins give honours, run votes and pick the monthly stars.</summary>
internal sealed class IndexModel(HonourUseCases honours, AppDbContext db, TimeProvider clock) : PageModel
{
    public Unit? Unit { get; private set; }
    public IReadOnlyList<AwardView> Board { get; private set; } = [];
    public IReadOnlyList<RoundView> Rounds { get; private set; } = [];
    public IReadOnlyList<TitleView> Titles { get; private set; } = [];
    public string? Message { get; private set; }
    public bool Success { get; private set; }
    public string LastMonth { get; private set; } = "";
    public DateOnly Today { get; private set; }

    /// <summary>The district's wall clock now, as a datetime-local field takes it: a vote opens at once unless told otherwise.</summary>
    public string Now { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        Today = Infrastructure.DistrictTime.Today(now);
        Now = TimeZoneInfo.ConvertTime(now, Infrastructure.DistrictTimeJsonConverter.Zone).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        LastMonth = $"{Today.AddMonths(-1):yyyy-MM}";
        var grants = db.Scope.Grants;
        var unitId = grants.FirstOrDefault(g => g.Role == Accounts.Role.Admin)?.UnitId ?? (grants.Count > 0 ? grants[0].UnitId : (Guid?)null);
        Unit = unitId is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (Unit is not null)
        {
            Board = await honours.BoardAsync(Unit, 50, ct);
        }

        Rounds = await honours.RoundsAsync(20, ct);
        Titles = [.. (await honours.TitlesAsync(ct)).Where(t => t.IsActive).Select(HonourUseCases.View)];
        return Page();
    }

    public Task<IActionResult> OnPostVoteAsync(Guid roundId, Guid? nomineeId, CancellationToken ct) =>
        ActAsync(async () =>
        {
            await honours.VoteAsync(roundId, new VoteInput(nomineeId), ct);
            return "投票成功，谢谢参与";
        }, ct);

    public Task<IActionResult> OnPostAwardAsync(AwardInput input, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var award = await honours.AwardAsync(input, ct);
            return $"已授予 {award.RecipientName}“{award.TitleName}”";
        }, ct);

    public Task<IActionResult> OnPostRoundAsync(string? name, Guid? titleId, DateTime? opensAt, DateTime? closesAt, int winners, CancellationToken ct) =>
        ActAsync(async () =>
        {
            await honours.OpenRoundAsync(new RoundInput(titleId, null, name, Local(opensAt), Local(closesAt), winners), ct);
            return "评选已发起，请提名候选人";
        }, ct);

    public Task<IActionResult> OnPostNominateAsync(Guid roundId, NomineeInput input, CancellationToken ct) =>
        ActAsync(async () =>
        {
            await honours.NominateAsync(roundId, input, ct);
            return "候选人已提名";
        }, ct);

    public Task<IActionResult> OnPostCloseAsync(Guid roundId, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var awards = await honours.CloseRoundAsync(roundId, ct);
            return awards.Count == 0 ? "结果已公布：没有候选人得票" : $"结果已公布：{string.Join("、", awards.Select(a => a.RecipientName))}";
        }, ct);

    public Task<IActionResult> OnPostMonthlyAsync(string? month, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var result = await honours.MonthlyStarsAsync(new MonthlyInput(month, null), ct);
            return $"{result.Month} 志愿者之星：{result.Stations} 个站评出 {result.Awarded.Count} 名";
        }, ct);

    /// <summary>A datetime-local field is the district's wall clock.</summary>
    private static DateTimeOffset? Local(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Unspecified), Infrastructure.DistrictTimeJsonConverter.Zone.GetUtcOffset(v)) : null;

    private async Task<IActionResult> ActAsync(Func<Task<string>> action, CancellationToken ct)
    {
        var outcome = await PageActions.RunAsync(action);
        if (outcome.NotVisible)
        {
            return NotFound();
        }

        (Message, Success) = (outcome.Message, outcome.Success);
        return await OnGetAsync(ct);
    }
}
