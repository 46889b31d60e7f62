using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Teams;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

internal sealed record BulkChoice(Guid Id, string Name);

/// <summary>批量开具证明: an admin picks an activity or a team and a period, then watches the certificates being issued and downloads the zip.</summary>
internal sealed class BulkModel(StartBulkCertificates start, ImportJobs jobs, AppDbContext db, IConfiguration config, TimeProvider clock) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Job { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Activity { get; set; }

    [BindProperty(SupportsGet = true)]
    public Guid? Team { get; set; }

    public IReadOnlyList<BulkChoice> Activities { get; private set; } = [];
    public IReadOnlyList<BulkChoice> Teams { get; private set; } = [];
    public BulkCertificateView? Progress { get; private set; }
    public string? Message { get; private set; }
    public DateOnly Today { get; private set; }

    private DataScope Scope => db.Scope;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Scope.IsAdmin)
        {
            return Forbid();
        }

        Today = Infrastructure.DistrictTime.Today(clock.GetUtcNow());
        Progress = Find();
        var units = db.Units.VisibleTo(Scope, Accounts.Role.Admin);
        var activities = await db.Set<Activity>().AsNoTracking()
            .Where(a => units.Any(u => u.Id == a.UnitId) && db.Set<ServiceRecord>().Any(r => r.Source == RecordSource.Activity && r.SourceId == a.Id))
            .OrderByDescending(a => a.StartsAt).Take(100).Select(a => new { a.Id, a.Title, a.StartsAt }).ToListAsync(ct);
        Activities = [.. activities.Select(a => new BulkChoice(a.Id, $"{Infrastructure.DistrictTime.Today(a.StartsAt):yyyy-MM-dd} {a.Title}"))];
        Teams = await db.Set<Team>().AsNoTracking().Where(t => units.Any(u => u.Id == t.UnitId)).OrderBy(t => t.Name).Take(300)
            .Select(t => new BulkChoice(t.Id, t.Name)).ToListAsync(ct);
        return Page();
    }

    /// <summary>The progress fragment the page reloads every second while the certificates are issued.</summary>
    public IActionResult OnGetProgress() => Find() is { } progress ? Partial("_BulkProgress", progress) : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid? activityId, Guid? teamId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        try
        {
            var job = await start.RunAsync(new BulkCertificateInput(activityId, teamId, from, to), Infrastructure.PublicUrls.Base(HttpContext, config), ct);
            return Redirect($"/Records/Bulk?job={job.Id}");
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            Message = message;
            (Activity, Team) = (activityId, teamId);
            return await OnGetAsync(ct);
        }
    }

    private BulkCertificateView? Find() =>
        Job is { } id && jobs.Find(id, Scope.UserId) is { Kind: StartBulkCertificates.Kind } job ? BulkCertificateView.From(job) : null;
}
