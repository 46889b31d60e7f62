using Microsoft.AspNetCore.Http.HttpResults;
using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Records;

internal sealed record BackfilledRecord(Guid Id, int Minutes);

internal sealed record RequestedCorrection(Guid Id, string Status);

internal static class RecordEndpoints
{
    public static IServiceCollection AddRecords(this IServiceCollection services) => services
        .AddScoped<VolunteerRecords>().AddScoped<IssueCertificate>().AddScoped<KeepRecords>().AddScoped<ExportRecords>().AddScoped<StartBulkCertificates>().AddScoped<StarLevels>()
        .AddOutboxSubscriber<RecordKeeper>();

    /// <summary>Where the QR code of a certificate leads: the public verification page.</summary>
    public static string VerifyUrl(HttpContext http, IConfiguration config, string code) => VerifyUrl(Infrastructure.PublicUrls.Base(http, config), code);

    public static string VerifyUrl(string publicBase, string code) => $"{publicBase}/c/{Uri.EscapeDataString(code)}";

    public static IEndpointRouteBuilder MapRecords(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/volunteers/{id:guid}").WithTags("Records").RequireAuthorization();
        g.MapGet("/hours", async (Guid id, VolunteerRecords r, CancellationToken ct) => TypedResults.Ok(await r.HoursAsync(id, ct)))
            .WithSummary("Cumulative confirmed hours, by year and platform, and the star level (the volunteer, and admins and leaders over them)");
        g.MapGet("/records", async (Guid id, VolunteerRecords r, CancellationToken ct, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await r.ListAsync(id, page, pageSize, ct)))
            .WithSummary("The volunteer's service records, newest first; corrections are entries of their own");
        g.MapGet("/certificate", async (Guid id, IssueCertificate issue, HttpContext http, IConfiguration config, CancellationToken ct, DateOnly? from = null,
                DateOnly? to = null) =>
            {
                var certificate = await issue.RunAsync(id, from, to, ct);
                var pdf = CertificatePdf.Render(certificate, VerifyUrl(http, config, certificate.Code));
                return TypedResults.File(pdf, "application/pdf", $"志愿服务记录证明-{certificate.Number}.pdf");
            })
            .Produces(200, contentType: "application/pdf")
            .WithSummary("志愿服务记录证明 over a period as a PDF: the volunteer for all their records, an admin for what units in their charge organised");

        g.MapGet("/stars", async (Guid id, StarLevels stars, CancellationToken ct) => TypedResults.Ok(await stars.StandingAsync(id, ct)))
            .WithSummary("The star the volunteer's hours reach, the one certified (星级认定), and which unit certifies the next");
        g.MapPost("/stars", async (Guid id, CertifyStarInput input, StarLevels stars, CancellationToken ct) => TypedResults.Ok(await stars.CertifyAsync(id, input, ct)))
            .WithSummary("Certify the next star the volunteer's hours reach (admins of the level the district names for it, over the volunteer's home)");
        g.MapPost("/records", async (Guid id, BackfillInput input, KeepRecords keep, CancellationToken ct) =>
            {
                var record = await keep.BackfillAsync(id, input, ct);
                return TypedResults.Created($"/api/v1/volunteers/{id}/records", new BackfilledRecord(record.Id, record.Minutes));
            })
            .WithSummary("补录: an organiser records work done offline (an activity of their unit, capped by its hours, or offline work), with the reason");

        var corrections = app.MapGroup("/api/v1/records").WithTags("Records").RequireAuthorization();
        corrections.MapPost("/{recordId:guid}/correction-requests", async (Guid recordId, CorrectionRequestInput input, KeepRecords keep, CancellationToken ct) =>
            {
                var request = await keep.RequestAsync(recordId, input, ct);
                return TypedResults.Created($"/api/v1/records/correction-requests/{request.Id}", new RequestedCorrection(request.Id, request.Status.ToString()));
            })
            .WithSummary("The volunteer asks the organising unit to correct one service's time, with the reason");
        corrections.MapGet("/ranking", async (VolunteerRecords r, CancellationToken ct, int take = 50) => TypedResults.Ok(await r.RankingAsync(take, ct)))
            .WithSummary("The volunteers of your subtree with the most confirmed hours, with their star levels (admins and leaders)");
        corrections.MapGet("/totals", async (StarLevels stars, CancellationToken ct, Guid? unit = null) => TypedResults.Ok(await stars.UnitTotalsAsync(unit, ct)))
            .WithSummary("A unit's cumulative confirmed hours and volunteers, each child unit's beside it, and its teams' hours (admins and leaders)");
        corrections.MapGet("/export", async (ExportRecords export, CancellationToken ct, DateOnly? from = null, DateOnly? to = null) =>
                TypedResults.File(await export.RunAsync(from, to, ct), Organization.OrganizationEndpoints.XlsxType, $"service-records-{DateTime.UtcNow:yyyyMMdd}.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The service records organised in your subtree over a period (a year back by default) as .xlsx (admins and leaders)");
        corrections.MapGet("/correction-requests", async (KeepRecords keep, CancellationToken ct) => TypedResults.Ok(await keep.PendingAsync(ct)))
            .WithSummary("Correction requests waiting for the units you administer");
        foreach (var (decision, accept) in new[] { ("accept", true), ("refuse", false) })
        {
            corrections.MapPost($"/correction-requests/{{id:guid}}/{decision}", async (Guid id, DecisionReason input, KeepRecords keep, CancellationToken ct) =>
                    TypedResults.Ok(await keep.DecideAsync(id, accept, input, ct)))
                .WithSummary(accept ? "Accept a correction request: a correction entry is appended" : "Refuse a correction request, with the reason");
        }

        app.MapGet("/api/v1/certificates/{code}", async Task<Ok<CertificateCheck>> (string code, IssueCertificate issue, CancellationToken ct) =>
                TypedResults.Ok((await issue.CheckAsync(code, ct)).Check))
            .WithTags("Records").AllowAnonymous().WithSummary("Verify a certificate by the code its QR links to: genuine and unchanged, or not (404 when unknown)");

        var bulk = app.MapGroup("/api/v1/certificates/bulk").WithTags("Records").RequireAuthorization();
        bulk.MapPost("/", async (BulkCertificateInput input, StartBulkCertificates start, HttpContext http, IConfiguration config, CancellationToken ct) =>
            {
                var job = await start.RunAsync(input, Infrastructure.PublicUrls.Base(http, config), ct);
                return TypedResults.Accepted($"/api/v1/certificates/bulk/{job.Id}", BulkCertificateView.From(job));
            })
            .WithSummary("Issue the certificates of everyone who served in an activity (activityId) or of a team's members (teamId) over a period, " +
                         "as one zip (admins of the organising unit); poll the returned location for progress");
        bulk.MapGet("/{id:guid}", (Guid id, Infrastructure.Jobs.ImportJobs jobs, Infrastructure.Tenancy.DataScope scope) =>
                jobs.Find(id, scope.UserId) is { Kind: StartBulkCertificates.Kind } job ? Results.Ok(BulkCertificateView.From(job)) : Results.NotFound())
            .WithSummary("Progress of a batch of certificates you started: processed of total, issued, skipped with reasons, and the zip's URL when done");
        bulk.MapGet("/{id:guid}/zip", (Guid id, Infrastructure.Jobs.ImportJobs jobs, Infrastructure.Tenancy.DataScope scope, HttpContext http) =>
                jobs.Find(id, scope.UserId) switch
                {
                    null or { Kind: not StartBulkCertificates.Kind } => Infrastructure.Problems.Problems.NotFound(http),
                    { Done: false } => Infrastructure.Problems.Problems.Create(http, 409, "job-running", "证明还在生成，完成后再下载"),
                    { ResultFile: { } file } => Results.File(file, "application/zip", $"志愿服务记录证明-{DateTime.UtcNow:yyyyMMdd}.zip"),
                    _ => Infrastructure.Problems.Problems.Create(http, 404, "no-certificates", "这次没有开具任何证明"),
                })
            .Produces(200, contentType: "application/zip")
            .WithSummary("The certificates of a finished batch, one PDF a volunteer, as a zip");

        app.MapGet("/api/v1/teams/{id:guid}/work", async (Guid id, VolunteerRecords r, CancellationToken ct, int take = 20) =>
                TypedResults.Ok(await r.TeamWorkAsync(id, take, ct)))
            .WithTags("Records").RequireAuthorization().WithSummary("What the team's members did lately, orders and activities alike, from their service records");

        var rules = app.MapGroup("/api/v1/records/rules").WithTags("Records").RequireAuthorization();
        rules.MapGet("/", async (VolunteerRecords r, CancellationToken ct) => TypedResults.Ok(await r.RulesAsync(ct)))
            .WithSummary("The district's star levels (cumulative hours for 一星 … 五星) and whether backfilled hours earn points");
        rules.MapPut("/", async (RecordRulesInput input, VolunteerRecords r, CancellationToken ct) => TypedResults.Ok(await r.SaveRulesAsync(input, ct)))
            .WithSummary("Change the district's star levels (center admins)");
        return app;
    }
}
