using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Wenming.Web.Features.Volunteers;

internal sealed record DecisionInput(string? Reason);

/// <summary>Deletes an export's temporary file once the response has been sent.</summary>
internal sealed class TempFile(string path) : IDisposable
{
    public void Dispose() => File.Delete(path);
}

internal static class VolunteerEndpoints
{
    public static IServiceCollection AddVolunteers(this IServiceCollection services) => services
        .AddScoped<RegisterVolunteer>().AddScoped<ReviewVolunteer>().AddScoped<VolunteerQueries>().AddScoped<PersonalDataRequests>()
        .AddScoped<OptionLists>().AddScoped<ExportVolunteers>().AddScoped<ImportVolunteers>().AddScoped<StartVolunteerImport>()
        .AddSingleton<Infrastructure.Jobs.ImportJobs>().AddScoped<VolunteerPhotos>().AddScoped<VolunteerNumbers>();

    public static IEndpointRouteBuilder MapVolunteers(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/volunteers").WithTags("Volunteers").RequireAuthorization();

        g.MapGet("/", async (VolunteerQueries q, CancellationToken ct, int page = 1, int pageSize = 50, string? status = null, Guid? unit = null,
                string? search = null) => TypedResults.Ok(await q.ListAsync(page, pageSize, status, unit, search, ct)))
            .WithSummary("Volunteers whose home unit is in your subtree (admins, leaders); personal data masked");

        g.MapPost("/", async Task<Created<VolunteerView>> (VolunteerInput input, RegisterVolunteer register, VolunteerQueries q,
            PersonalDataRequests mine, CancellationToken ct, bool byAdmin = false) =>
        {
            var v = await register.RunAsync(input, byAdmin, ct);
            // The person registering themself gets their own record in full; an admin gets it masked like everyone else.
            return TypedResults.Created($"/api/v1/volunteers/{v.Id}", byAdmin ? await q.ViewAsync(v.Id, ct) : await mine.MineAsync(ct));
        }).WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse())
            .WithSummary("Register as a volunteer (yourself), or ?byAdmin=true to register someone at a station you administer");

        g.MapGet("/export", async (ExportVolunteers export, HttpContext http, CancellationToken ct, string? status = null) =>
        {
            var file = await export.RunAsync(status, ct);
            http.Response.RegisterForDispose(new TempFile(file));
            return TypedResults.PhysicalFile(file, Organization.OrganizationEndpoints.XlsxType, $"volunteers-{DateTime.UtcNow:yyyyMMdd}.xlsx");
        }).WithSummary("Export the volunteers you oversee as .xlsx (ID numbers and phones masked)");

        g.MapGet("/import-template", () => TypedResults.File(VolunteerSheet.Template(), Organization.OrganizationEndpoints.XlsxType, "volunteer-import-template.xlsx"))
            .WithSummary("The .xlsx template for importing volunteers");

        g.MapPost("/import", async (IFormFile? file, StartVolunteerImport start, CancellationToken ct, string mode = "all") =>
        {
            var job = await start.RunAsync(file, mode == "valid", ct);
            return TypedResults.Accepted($"/api/v1/import-jobs/{job.Id}", ImportJobViews.From(job));
        }).DisableAntiforgery()
            .WithSummary("Import volunteers from .xlsx in the background (mode=all: any bad row imports nothing; mode=valid: keep the good rows)");

        g.MapGet("/{id:guid}", async (Guid id, VolunteerQueries q, CancellationToken ct) => TypedResults.Ok(await q.ViewAsync(id, ct)))
            .WithSummary("One volunteer (full data only for themself)");

        g.MapGet("/{id:guid}/photo", async (Guid id, VolunteerPhotos photos, CancellationToken ct) =>
        {
            var (content, type) = await photos.ReadAsync(id, ct);
            return TypedResults.File(content, type);
        }).WithSummary("A volunteer's photo (themself, and admins and leaders who oversee them)");

        foreach (var decision in new[] { "approve", "reject", "suspend", "reinstate" })
        {
            g.MapPost($"/{{id:guid}}/{decision}", async (Guid id, DecisionInput? input, ReviewVolunteer review, VolunteerQueries q, CancellationToken ct) =>
            {
                await review.DecideAsync(id, decision, input?.Reason, ct);
                return TypedResults.Ok(await q.ViewAsync(id, ct));
            }).WithSummary($"{decision} a volunteer (admins of the home station or above)");
        }

        g.MapPost("/{id:guid}/reveal", async (Guid id, RevealInput input, PersonalDataRequests p, CancellationToken ct) =>
            TypedResults.Ok(await p.RevealAsync(id, input, ct)))
            .WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse())
            .WithSummary("Reveal one volunteer's full ID number or phone, with a reason (admins; audited)");

        var me = g.MapGroup("/me");
        me.MapGet("/", async (PersonalDataRequests p, CancellationToken ct) => TypedResults.Ok(await p.MineAsync(ct)))
            .WithSummary("Your own volunteer record, in full");
        me.MapPut("/", async (VolunteerInput input, PersonalDataRequests p, CancellationToken ct) => TypedResults.Ok(await p.CorrectAsync(input, ct)))
            .WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse())
            .WithSummary("Correct your own data");
        me.MapGet("/export", async (PersonalDataRequests p, CancellationToken ct) =>
            TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(await p.MineAsync(ct), JsonSerializerOptions.Web), "application/json", "my-volunteer-data.json"))
            .WithSummary("Download everything the platform keeps about you as a volunteer");
        me.MapPost("/photo", async (IFormFile? file, VolunteerPhotos photos, CancellationToken ct) =>
        {
            await photos.SaveAsync(file, ct);
            return TypedResults.NoContent();
        }).DisableAntiforgery().WithSummary("Upload your photo (JPEG, PNG or WebP, at most 2 MB; checked by content)");
        me.MapPost("/leave", async (PersonalDataRequests p, CancellationToken ct) =>
        {
            await p.LeaveAsync(ct);
            return TypedResults.NoContent();
        }).WithSummary("Leave: personal data pseudonymised, service records kept");

        app.MapGet("/api/v1/import-jobs/{id:guid}", (Guid id, Infrastructure.Jobs.ImportJobs jobs, Infrastructure.Tenancy.DataScope scope) =>
                jobs.Find(id, scope.UserId) is { } job ? Results.Ok(ImportJobViews.From(job)) : Results.NotFound())
            .WithTags("Volunteers").RequireAuthorization().WithSummary("Progress and result of an import you started");
        app.MapGet("/api/v1/import-jobs/{id:guid}/errors.xlsx", (Guid id, Infrastructure.Jobs.ImportJobs jobs, Infrastructure.Tenancy.DataScope scope, HttpContext http) =>
                jobs.Find(id, scope.UserId) switch
                {
                    null => Infrastructure.Problems.Problems.NotFound(http),
                    { Done: false } => Infrastructure.Problems.Problems.Create(http, 409, "import-running", "导入尚未完成，完成后再下载错误清单"),
                    { ErrorWorkbook: { } file } => Results.File(file, Organization.OrganizationEndpoints.XlsxType, $"import-errors-{id:N}.xlsx"),
                    _ => Infrastructure.Problems.Problems.Create(http, 404, "no-import-errors", "这次导入没有出错的行"),
                })
            .WithTags("Volunteers").RequireAuthorization()
            .WithSummary("Every row an import you started refused: its original cells and, beside them, the reasons (fix and import again)");

        var options = app.MapGroup("/api/v1/options").WithTags("Volunteers").RequireAuthorization();
        options.MapGet("/{list}", async (string list, OptionLists o, CancellationToken ct) =>
            OptionLists.Lists.Contains(list) ? Results.Ok(await o.GetAsync(list, ct)) : Results.NotFound())
            .WithSummary("A district list: service-category or skill");
        options.MapPut("/{list}", async (string list, IReadOnlyList<string> names, OptionLists o, CancellationToken ct) =>
            OptionLists.Lists.Contains(list) ? Results.Ok(await o.ReplaceAsync(list, names, ct)) : Results.NotFound())
            .WithSummary("Replace a district list (center admin)");
        return app;
    }
}
