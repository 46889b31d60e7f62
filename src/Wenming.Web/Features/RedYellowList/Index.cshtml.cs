using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.RedYellowList;

/// <summary>
/// 红黄榜: a resident's points, events, appeals and benefits; for grid workers and admins, recording events with evidence;
/// for the institute, the appeals to decide; for admins and leaders, who has a benefit paused (admins decide with a reason);
/// for the center, the list's points and the rules. The same use cases as the API.
/// </summary>
internal sealed class IndexModel(ConductUseCases conduct, AppDbContext db, TimeProvider clock) : PageModel
{
    public ResidentConductView? Mine { get; private set; }
    public IReadOnlyList<ConductItem> Items { get; private set; } = [];
    public Paged<ConductEventView>? Recent { get; private set; }
    public IReadOnlyList<ConductEventView> Appeals { get; private set; } = [];
    public IReadOnlyList<PausedView> Paused { get; private set; } = [];
    public ConductRulesView? Rules { get; private set; }
    public string Today { get; private set; } = "";

    public bool CanRecord => db.Scope.IsAdmin || db.Scope.Has(Role.GridWorker);
    public bool IsAdmin => db.Scope.IsAdmin;
    public bool SeesEvents => CanRecord || db.Scope.Has(Role.Leader);
    public bool Oversees => db.Scope.IsAdmin || db.Scope.Has(Role.Leader);

    /// <summary>An admin of an institute or above: decides appeals.</summary>
    public bool Decides => db.Scope.Grants.Any(g => g.Role == Role.Admin && g.UnitKind is UnitKind.Center or UnitKind.SubCenter or UnitKind.Institute);

    public bool IsCenterAdmin => db.Scope.IsCenterAdmin;

    public string? Message { get; private set; }
    public bool Success { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Today = Infrastructure.DistrictTime.Today(clock.GetUtcNow()).ToString("yyyy-MM-dd");
        try
        {
            Mine = await conduct.MineAsync(ct);
        }
        catch (NotVisibleException)
        {
            // Not a resident or volunteer of a place: nothing of their own to show.
        }

        Items = await conduct.ItemsAsync(ct);
        if (SeesEvents)
        {
            Recent = await conduct.EventsAsync(null, null, null, 1, 30, ct);
        }

        if (Decides)
        {
            Appeals = (await conduct.EventsAsync(null, null, nameof(ConductStatus.Appealed), 1, 50, ct)).Items;
        }

        if (Oversees)
        {
            Paused = await conduct.PausedAsync(ct);
        }

        if (IsCenterAdmin)
        {
            var (rules, benefits) = await conduct.RulesAsync(ct);
            Rules = ConductUseCases.View(rules, benefits);
        }

        return Page();
    }

    public Task<IActionResult> OnPostRecordAsync(string? phone, Guid? itemId, DateOnly? occurredOn, string? evidence, IFormFile? photo, CancellationToken ct) =>
        ActAsync(async () =>
        {
            // The photo is checked before anything is recorded: a refused image leaves no event behind to be sent again.
            if (photo is { Length: > 0 })
            {
                await Infrastructure.Files.Images.ReadUploadAsync(photo, ct);
            }

            var e = await conduct.RecordAsync(new RecordConductInput(phone, null, itemId, evidence, occurredOn), ct);
            if (photo is { Length: > 0 })
            {
                await conduct.AttachPhotoAsync(e.Id, photo, ct);
            }

            return $"已为{e.ResidentName}记录{ConductUseCases.ColourName(e.Colour)}：{e.ItemTitle}（{(e.Colour == Colour.Red ? "+" : "−")}{e.Points} 分）";
        }, ct);

    public Task<IActionResult> OnPostAppealAsync(Guid eventId, string? reason, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var e = await conduct.AppealAsync(eventId, new AppealInput(reason), ct);
            return $"已提交申诉：{e.ItemTitle}，请等待实践所处理";
        }, ct);

    public Task<IActionResult> OnPostDecideAsync(Guid eventId, bool? grant, string? note, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var e = await conduct.DecideAsync(eventId, new DecideInput(grant, note), ct);
            return $"{e.ResidentName}的申诉已处理：{ConductEvent.StatusName(e.Status)}";
        }, ct);

    public Task<IActionResult> OnPostOverrideAsync(Guid residentId, Guid benefitId, string? mode, string? reason, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var view = await conduct.OverrideAsync(residentId, benefitId, new OverrideInput(mode, reason), ct);
            var state = view.Benefits.First(b => b.Id == benefitId);
            return $"{view.Name}：{state.Name}{(state.Paused ? "暂停" : "正常享受")}";
        }, ct);

    public Task<IActionResult> OnPostRulesAsync(int? windowMonths, string? board, int? version, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var rules = await conduct.SaveRulesAsync(new ConductRulesInput(windowMonths, board, null, version), ct);
            return $"规则已保存：黄榜扣分按近 {rules.WindowMonths} 个月计算";
        }, ct);

    public Task<IActionResult> OnPostItemsAsync(List<Guid> ids, List<int?> points, List<Guid>? active, CancellationToken ct) =>
        ActAsync(async () =>
        {
            var current = (await conduct.ItemsAsync(ct)).ToDictionary(i => i.Id);
            var on = active?.ToHashSet() ?? [];
            var input = ids.Select((id, n) => current.GetValueOrDefault(id) is { } i
                ? new ConductItemInput(id, i.Colour.ToString(), i.Title, n < points.Count ? points[n] : null, on.Contains(id))
                : throw new InputException(new Dictionary<string, string[]> { ["id"] = ["条目不存在，请刷新后再改"] })).ToList();
            await conduct.SaveItemsAsync(input, ct);
            return "红黄榜条目已保存";
        }, ct);

    private async Task<IActionResult> ActAsync(Func<Task<string>> action, CancellationToken ct)
    {
        var outcome = await PageActions.RunAsync(action);
        if (outcome.NotVisible)
        {
            return NotFound();
        }

        (Message, Success) = (outcome.Message, outcome.Success);
        db.ChangeTracker.Clear();
        return await OnGetAsync(ct);
    }
}
