using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>Whose certificates: the volunteers with records of one activity, or the members of one team; over a period.</summary>
internal sealed record BulkCertificateInput(Guid? ActivityId, Guid? TeamId, DateOnly? From, DateOnly? To);

/// <summary>A batch of certificates as its page and the API show it: how far it is, who was skipped and why, and the zip when done.</summary>
internal sealed record BulkCertificateView(Guid Id, string Title, int Total, int Processed, int Issued, IReadOnlyList<RowError> Skipped, bool Done,
    string? ZipUrl, string? Failure)
{
    public static BulkCertificateView From(ImportProgress p) =>
        new(p.Id, p.Title ?? "", p.Total ?? 0, p.RowsRead, p.Imported, p.Errors(500), p.Done, p.Done && p.ResultFile is not null ? ZipPath(p.Id) : null, p.Failure);

    public static string ZipPath(Guid id) => $"/api/v1/certificates/bulk/{id}/zip";
}

/// <summary>
/// An admin issues 志愿服务记录证明 for everyone who served in an activity, or for a team's members, in one go: each is the
/// certificate the volunteer's own page gives (<see cref="IssueCertificate"/>, the admin's units as issuers, the same
/// facts giving the same certificate back), rendered into one zip while the page shows the progress. Volunteers with
/// nothing to certify in the period are listed with the reason, not failed.
/// </summary>
internal sealed class StartBulkCertificates(AppDbContext db, ImportJobs jobs, AuditLog audit, IServiceScopeFactory scopes, TimeProvider clock,
    ILogger<StartBulkCertificates> logger)
{
    /// <summary>At most this many certificates a batch: a large team is issued by period or by sub-team.</summary>
    public const int MaxVolunteers = 2_000;

    public const string Kind = "certificates";

    public async Task<ImportProgress> RunAsync(BulkCertificateInput input, string publicBase, CancellationToken ct)
    {
        var scope = db.Scope;
        if (!scope.IsAdmin)
        {
            throw new AccessDeniedException("只有管理员可以批量开具服务证明");
        }

        if (jobs.Running(scope.UserId!.Value, Kind) is { } running)
        {
            // A double click, or a second batch before the first is done: the one running is the answer.
            return running;
        }

        if (input.ActivityId is null == input.TeamId is null)
        {
            throw new InputException(new Dictionary<string, string[]> { ["activityId"] = ["请选择一项活动或一支队伍"] });
        }

        var today = DistrictTime.Today(clock.GetUtcNow());
        string title;
        string unitPath;
        List<(Guid Id, string Name)> volunteers;
        DateOnly from, to;
        if (input.ActivityId is { } activityId)
        {
            var activity = await db.Set<Activity>().AsNoTracking().Where(a => a.Id == activityId)
                .Select(a => new { a.Title, a.StartsAt, a.EndsAt, a.Unit!.Path }).FirstOrDefaultAsync(ct);
            if (activity is null || !scope.CanRead(activity.Path))
            {
                throw new NotVisibleException();
            }

            (title, unitPath) = (activity.Title, activity.Path);
            (from, to) = (input.From ?? DistrictTime.Today(activity.StartsAt), input.To ?? Min(DistrictTime.Today(activity.EndsAt), today));
            volunteers = [.. (await db.Set<ServiceRecord>().AsNoTracking().Where(r => r.Source == RecordSource.Activity && r.SourceId == activityId)
                .Join(db.Set<Volunteer>(), r => r.VolunteerId, v => v.Id, (r, v) => new { v.Id, v.Name }).Distinct()
                .ToListAsync(ct)).OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => (v.Id, v.Name))];
        }
        else
        {
            var teamId = input.TeamId!.Value;
            var team = await db.Set<Team>().AsNoTracking().Where(t => t.Id == teamId).Select(t => new { t.Name, t.Unit!.Path }).FirstOrDefaultAsync(ct);
            if (team is null || !scope.CanRead(team.Path))
            {
                throw new NotVisibleException();
            }

            (title, unitPath) = (team.Name, team.Path);
            (from, to) = (input.From ?? today.AddYears(-1), input.To ?? today);
            volunteers = [.. (await db.Set<TeamMember>().AsNoTracking().Where(m => m.TeamId == teamId && m.Status == MembershipStatus.Member)
                .Select(m => new { m.Volunteer!.Id, m.Volunteer.Name }).ToListAsync(ct)).OrderBy(v => v.Name, StringComparer.Ordinal).Select(v => (v.Id, v.Name))];
        }

        if (!scope.CanAdminister(unitPath))
        {
            throw new AccessDeniedException("只有组织单位的管理员可以为它批量开具证明");
        }

        if (from > to || to > today || from.Year < 2000)
        {
            throw new InputException(new Dictionary<string, string[]> { ["from"] = ["请选择 2000 年以后、不晚于今天的起止日期，开始不晚于结束"] });
        }

        if (volunteers.Count == 0)
        {
            throw new InputException(new Dictionary<string, string[]> { ["activityId"] = ["没有可以开具证明的志愿者：活动还没有服务记录，或队伍还没有队员"] });
        }

        if (volunteers.Count > MaxVolunteers)
        {
            throw new InputException(new Dictionary<string, string[]> { ["teamId"] = [$"一次最多开具 {MaxVolunteers} 份证明，请按下级队伍分批开具"] });
        }

        audit.Add("certificates.bulk-issued", input.ActivityId is null ? "team" : "activity", (input.ActivityId ?? input.TeamId)!.Value.ToString(), unitPath,
            $"{volunteers.Count} volunteers, {from:yyyy-MM-dd}–{to:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);

        var job = jobs.Start(scope.UserId!.Value, Kind);
        (job.Title, job.Total) = (title, volunteers.Count);
        var caller = (scope.UserId.Value, scope.DistrictId, scope.Phone, scope.Grants, scope.DisplayName);
        _ = Task.Run(() => IssueAllAsync(job, volunteers, from, to, publicBase, caller), CancellationToken.None);
        return job;
    }

    private async Task IssueAllAsync(ImportProgress job, List<(Guid Id, string Name)> volunteers, DateOnly from, DateOnly to, string publicBase,
        (Guid UserId, Guid DistrictId, string? Phone, IReadOnlyList<Grant> Grants, string? DisplayName) caller)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wenming-certificates-{job.Id:N}.zip");
        try
        {
            await using (var file = File.Create(path))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                for (var i = 0; i < volunteers.Count; i++)
                {
                    // One scope a certificate: each is its own save, and the change tracker does not grow with the batch.
                    await using var own = scopes.CreateAsyncScope();
                    own.ServiceProvider.GetRequiredService<DataScope>().SetUser(caller.UserId, caller.DistrictId, caller.Phone, caller.Grants, caller.DisplayName);
                    var (id, name) = volunteers[i];
                    try
                    {
                        var certificate = await own.ServiceProvider.GetRequiredService<IssueCertificate>().RunAsync(id, from, to, CancellationToken.None);
                        var pdf = CertificatePdf.Render(certificate, RecordEndpoints.VerifyUrl(publicBase, certificate.Code));
                        await using var entry = zip.CreateEntry($"{i + 1:0000}-{FileName(name)}-{certificate.Number}.pdf", CompressionLevel.Fastest).Open();
                        await entry.WriteAsync(pdf);
                        job.Imported++;
                    }
                    catch (Exception e) when (InputException.PageMessage(e) is { } message)
                    {
                        job.Add(new RowError(i + 1, name, message));
                    }
                    catch (NotVisibleException)
                    {
                        // A team member registered at a station outside the admin's subtree: their own units certify them.
                        job.Add(new RowError(i + 1, name, "这位志愿者不在您管理的范围内，由其所在单位开具"));
                    }

                    job.RowsRead = i + 1;
                }
            }

            job.ResultFile = job.Imported > 0 ? path : null;
            job.Committed = job.Imported > 0;
            if (job.Imported == 0)
            {
                File.Delete(path);
                job.Failure = "所选期间这些志愿者都没有可由您出具证明的服务记录";
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Bulk certificates {Job} failed", job.Id);
            File.Delete(path);
            job.Failure = "批量开具失败，请稍后重试";
        }
        finally
        {
            job.Done = true;
            job.FinishedAt = DateTimeOffset.UtcNow;
        }
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    /// <summary>A name as a file name in the zip: what a file system refuses becomes an underscore.</summary>
    private static string FileName(string name) =>
        string.Concat(name.Select(c => c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' || char.IsControl(c) ? '_' : c));
}
