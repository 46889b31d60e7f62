using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

/// <summary>One activity: sign up or cancel; for its organisers, attendance, the venue QR screen and the report.</summary>
internal sealed class DetailModel(ActivityUseCases activities, SignUps signUps) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public ActivityView Activity { get; private set; } = null!;
    public IReadOnlyList<AttendanceRow>? Attendance { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostSignUpAsync(string? role, CancellationToken ct) => await ActAsync(async () =>
    {
        var r = await signUps.SignUpAsync(Id, role, ct);
        Message = r.Status == nameof(SignupStatus.Accepted) ? "报名成功！" : $"名额已满，您在候补第 {r.WaitingPosition} 位，有人取消时自动递补";
    }, ct);

    public async Task<IActionResult> OnPostCancelAsync(CancellationToken ct) => await ActAsync(async () =>
    {
        await signUps.CancelAsync(Id, ct);
        Message = "已取消报名";
    }, ct);

    public async Task<IActionResult> OnPostReportAsync(string? summary, int? beneficiaries, int? audienceCount, CancellationToken ct) => await ActAsync(async () =>
    {
        await activities.ReportAsync(Id, summary, beneficiaries, audienceCount, ct);
        Message = "活动总结已保存";
    }, ct);

    public async Task<IActionResult> OnPostPhotoAsync(IFormFile? file, CancellationToken ct) => await ActAsync(async () =>
    {
        await activities.AddPhotoAsync(Id, file, ct);
        Message = "照片已上传";
    }, ct);

    private async Task<IActionResult> ActAsync(Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is DomainException or InputException or AccessDeniedException)
        {
            Message = InputException.PageMessage(e);
        }

        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        try
        {
            Activity = await activities.ViewAsync(Id, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        if (Activity.CanManage)
        {
            Attendance = await signUps.AttendanceAsync(Id, ct);
        }

        return Page();
    }
}
