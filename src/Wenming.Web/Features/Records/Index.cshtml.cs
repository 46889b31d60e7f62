using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Records;

/// <summary>服务时长与证明: a volunteer's hours, star and records, and the certificate to download; admins open it for a volunteer.</summary>
internal sealed class IndexModel(VolunteerRecords records, IssueCertificate certificates, KeepRecords keep, StarLevels starLevels, AppDbContext db,
    IConfiguration config, TimeProvider clock) : PageModel
{
    /// <summary>The star reached and certified, and who certifies the next.</summary>
    public StarStanding? Stars { get; private set; }

    /// <summary>For admins and leaders: their unit's cumulative hours, its children's and its teams'.</summary>
    public UnitTotals? Totals { get; private set; }

    /// <summary>An admin of the level the district names certifies the volunteer's next star.</summary>
    public async Task<IActionResult> OnPostCertifyStarAsync(Guid volunteerId, CancellationToken ct) =>
        await ActAsync(async () =>
        {
            var standing = await starLevels.CertifyAsync(volunteerId, new CertifyStarInput(null), ct);
            Message = $"已认定{RecordRules.StarName(standing.Certified)}";
        }, ct, volunteerId);

    public HoursSummary? Hours { get; private set; }
    public Paged<RecordView>? Records { get; private set; }
    public IReadOnlyList<int> StarHours { get; private set; } = RecordRules.DefaultStarHours;
    public bool Own { get; private set; }
    public DateOnly Today { get; private set; }

    /// <summary>Why the certificate asked for could not be issued (no service in the period, a unit not in the caller's charge).</summary>
    public string? Message { get; private set; }

    /// <summary>For admins and leaders: their subtree's volunteers with the most hours, and the export of its records.</summary>
    public IReadOnlyList<RankedVolunteer>? Ranking { get; private set; }

    /// <summary>For admins: the volunteers' correction requests waiting for the units they administer.</summary>
    public IReadOnlyList<CorrectionRequestView> Pending { get; private set; } = [];

    /// <summary>The volunteer asks the organising unit to correct one service's time.</summary>
    public async Task<IActionResult> OnPostRequestCorrectionAsync(Guid recordId, int? minutes, string? reason, CancellationToken ct) =>
        await ActAsync(async () =>
        {
            await keep.RequestAsync(recordId, new CorrectionRequestInput(minutes, reason), ct);
            Message = "更正申请已提交，请等待组织单位处理";
        }, ct);

    /// <summary>The organising unit's answer to a correction request.</summary>
    public async Task<IActionResult> OnPostDecideAsync(Guid requestId, bool accept, string? reason, CancellationToken ct) =>
        await ActAsync(async () =>
        {
            await keep.DecideAsync(requestId, accept, new DecisionReason(reason), ct);
            Message = accept ? "已同意更正，记录已追加更正条目" : "已驳回更正申请";
        }, ct);

    /// <summary>The certificate as a download; what stops it is said on the page, not as a bare error document.</summary>
    public async Task<IActionResult> OnGetCertificateAsync(Guid? volunteerId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var id = volunteerId ?? await MineAsync(ct);
        if (id is null)
        {
            return NotFound();
        }

        try
        {
            var certificate = await certificates.RunAsync(id.Value, from, to, ct);
            return File(CertificatePdf.Render(certificate, RecordEndpoints.VerifyUrl(HttpContext, config, certificate.Code)), "application/pdf",
                $"志愿服务记录证明-{certificate.Number}.pdf");
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
            return await OnGetAsync(volunteerId, ct);
        }
    }

    public async Task<IActionResult> OnGetAsync(Guid? volunteerId, CancellationToken ct, int pageNumber = 1)
    {
        Today = Infrastructure.DistrictTime.Today(clock.GetUtcNow());
        if (db.Scope.IsAdmin || db.Scope.Has(Accounts.Role.Leader))
        {
            Ranking = await records.RankingAsync(20, ct);
            Totals = await starLevels.UnitTotalsAsync(null, ct);
        }

        if (db.Scope.IsAdmin)
        {
            Pending = await keep.PendingAsync(ct);
        }

        var mine = await MineAsync(ct);
        var id = volunteerId ?? mine;
        if (id is null)
        {
            return Page();
        }

        try
        {
            Hours = await records.HoursAsync(id.Value, ct);
            Records = await records.ListAsync(id.Value, pageNumber, 30, ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        StarHours = await records.StarHoursAsync(ct);
        Stars = await starLevels.StandingAsync(id.Value, ct);
        Own = id == mine;
        return Page();
    }

    /// <summary>Does it and shows the page again (the volunteer's, or the caller's own), with what stopped it said in words.</summary>
    private async Task<IActionResult> ActAsync(Func<Task> action, CancellationToken ct, Guid? volunteerId = null)
    {
        try
        {
            await action();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
        }

        return await OnGetAsync(volunteerId, ct);
    }

    private async Task<Guid?> MineAsync(CancellationToken ct) =>
        await db.Set<Volunteer>().Where(v => v.UserId == db.Scope.UserId).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
}
