using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

/// <summary>Upload a sheet, then watch the import's progress (the page polls the job) and read each refused row.</summary>
internal sealed class ImportModel(StartVolunteerImport start, ImportJobs jobs, DataScope scope) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? Job { get; set; }

    public ImportJobView? Progress { get; private set; }
    public string? Error { get; private set; }

    public IActionResult OnGet()
    {
        if (!scope.IsAdmin)
        {
            return Forbid();
        }

        Progress = Job is { } id && jobs.Find(id, scope.UserId) is { } job ? ImportJobViews.From(job) : null;
        return Page();
    }

    /// <summary>The progress fragment the page reloads every second while the job runs.</summary>
    public IActionResult OnGetProgress()
    {
        Progress = Job is { } id && jobs.Find(id, scope.UserId) is { } job ? ImportJobViews.From(job) : null;
        return Progress is null ? NotFound() : Partial("_ImportProgress", Progress);
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, string mode, CancellationToken ct)
    {
        try
        {
            var job = await start.RunAsync(file, mode == "valid", ct);
            return Redirect($"/Volunteers/Import?job={job.Id}");
        }
        catch (InputException e)
        {
            Error = e.Summary;
        }
        catch (DomainException e)
        {
            Error = e.Message;
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        return Page();
    }
}
