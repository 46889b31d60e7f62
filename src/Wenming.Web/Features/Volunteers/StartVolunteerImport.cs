using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

/// <summary>
/// Copies the uploaded sheet aside and runs the import in the background, as the admin who started it (their scope is
/// carried over), so the page and the API can show progress instead of waiting on one long request.
/// </summary>
internal sealed class StartVolunteerImport(DataScope scope, ImportJobs jobs, IServiceScopeFactory scopes, ILogger<StartVolunteerImport> logger)
{
    public const long MaxBytes = 200L * 1024 * 1024;

    public async Task<ImportProgress> RunAsync(IFormFile? file, bool validOnly, CancellationToken ct)
    {
        if (!scope.IsAdmin)
        {
            throw new AccessDeniedException("只有管理员可以导入志愿者");
        }

        if (file is null || file.Length == 0)
        {
            throw new InputException(new Dictionary<string, string[]> { ["file"] = ["请选择要导入的 .xlsx 文件"] });
        }

        if (file.Length > MaxBytes)
        {
            throw new DomainException("import-too-large", "文件过大（上限 200 MB），请分批导入", 413);
        }

        var path = Path.Combine(Path.GetTempPath(), $"wenming-import-{Guid.NewGuid():N}.xlsx");
        await using (var target = File.Create(path))
        {
            await file.CopyToAsync(target, ct);
        }

        var job = jobs.Start(scope.UserId!.Value, "volunteers");
        var (userId, districtId, phone, grants) = (scope.UserId.Value, scope.DistrictId, scope.Phone, scope.Grants);
        _ = Task.Run(async () =>
        {
            try
            {
                await using var own = scopes.CreateAsyncScope();
                own.ServiceProvider.GetRequiredService<DataScope>().SetUser(userId, districtId, phone, grants);
                await using var stream = File.OpenRead(path);
                await own.ServiceProvider.GetRequiredService<ImportVolunteers>().RunAsync(stream, validOnly, job, CancellationToken.None);
                if (job.FailedRowCount > 0)
                {
                    job.ErrorWorkbook = await ImportErrorWorkbook.WriteAsync(path, job, "志愿者", CancellationToken.None);
                }
            }
            catch (DomainException e)
            {
                job.Failure = e.Message;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Volunteer import {Job} failed", job.Id);
                job.Failure = "导入失败，未写入任何数据，请稍后重试";
            }
            finally
            {
                job.Done = true;
                job.FinishedAt = DateTimeOffset.UtcNow;
                File.Delete(path);
            }
        }, CancellationToken.None);
        return job;
    }
}

/// <summary>
/// An import as its page and the API show it. <see cref="Errors"/> and <see cref="Warnings"/> hold the first
/// <see cref="ImportJobViews.Shown"/> of each; the counts say how many there are in all, and <see cref="ErrorWorkbookUrl"/>
/// gives every refused row with its reasons.
/// </summary>
internal sealed record ImportJobView(Guid Id, string Kind, int RowsRead, int Imported, int FailedRows, int ErrorCount, IReadOnlyList<RowError> Errors,
    int WarningCount, IReadOnlyList<RowError> Warnings, string? ErrorWorkbookUrl, bool Done, bool Committed, string? Failure);

internal static class ImportJobViews
{
    public const int Shown = 500;

    public static ImportJobView From(ImportProgress p) =>
        new(p.Id, p.Kind, p.RowsRead, p.Imported, p.FailedRowCount, p.ErrorCount, p.Errors(Shown), p.WarningCount, p.Warnings(Shown),
            p.Done && p.ErrorWorkbook is not null ? ErrorWorkbookPath(p.Id) : null, p.Done, p.Committed, p.Failure);

    public static string ErrorWorkbookPath(Guid jobId) => $"/api/v1/import-jobs/{jobId}/errors.xlsx";
}
