using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Wenming.Web.Features.Organization;

internal static class OrganizationEndpoints
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IServiceCollection AddOrganization(this IServiceCollection services) => services
        .AddScoped<UnitQueries>().AddScoped<CreateUnit>().AddScoped<UpdateUnit>().AddScoped<MoveUnit>().AddScoped<CloseUnit>()
        .AddScoped<ExportUnits>().AddScoped<ImportUnits>().AddScoped<SavePlatforms>();

    public static IEndpointRouteBuilder MapOrganization(this IEndpointRouteBuilder app)
    {
        var units = app.MapGroup("/api/v1/units").WithTags("Organization").RequireAuthorization();

        units.MapGet("/{id:guid}", async (Guid id, UnitQueries q, CancellationToken ct) => TypedResults.Ok(await q.ViewAsync(id, ct)))
            .WithSummary("A unit of the organisation tree");

        units.MapGet("/{id:guid}/children", async (Guid id, UnitQueries q, CancellationToken ct, int page = 1, int pageSize = 50,
                bool includeClosed = false, string? search = null) =>
            TypedResults.Ok(await q.ChildrenAsync(id, page, pageSize, includeClosed, search, ct)))
            .WithSummary("The units directly below a unit, paged");

        units.MapGet("/{id:guid}/tree", async (Guid id, UnitQueries q, CancellationToken ct, int depth = 3, bool includeClosed = false) =>
            TypedResults.Ok(await q.TreeAsync(id, depth, includeClosed, ct)))
            .WithSummary("The subtree below a unit as nested nodes (depth 1–8)");

        units.MapPost("/", async Task<Created<UnitView>> (UnitInput input, CreateUnit create, CancellationToken ct) =>
        {
            var unit = await create.RunAsync(input, ct);
            return TypedResults.Created($"/api/v1/units/{unit.Id}", UnitQueries.ToView(unit, new Dictionary<Guid, string>(), 0));
        }).WithSummary("Create a unit under a parent you administer");

        units.MapPut("/{id:guid}", async (Guid id, UnitInput input, UpdateUnit update, UnitQueries q, CancellationToken ct) =>
        {
            await update.RunAsync(id, input, ct);
            return TypedResults.Ok(await q.ViewAsync(id, ct));
        }).WithSummary("Edit a unit's details (send the version you read; a stale one answers 409)");

        units.MapPost("/{id:guid}/move", async (Guid id, MoveUnitInput input, MoveUnit move, UnitQueries q, CancellationToken ct) =>
        {
            await move.RunAsync(id, input, ct);
            return TypedResults.Ok(await q.ViewAsync(id, ct));
        }).WithSummary("Move a unit and its whole subtree under a new parent");

        units.MapPost("/{id:guid}/close", async (Guid id, VersionInput input, CloseUnit close, CancellationToken ct) =>
        {
            var unit = await close.RunAsync(id, input, ct);
            return TypedResults.Ok(new ClosedUnit(unit.Id, true, unit.Version));
        }).WithSummary("Close a unit that has no open units below it");

        units.MapGet("/{id:guid}/export", async (Guid id, ExportUnits export, CancellationToken ct) =>
            TypedResults.File(await export.RunAsync(id, ct), XlsxType, $"units-{DateTime.UtcNow:yyyyMMdd}.xlsx"))
            .WithSummary("Export a subtree as .xlsx (the import template's columns)");

        units.MapGet("/import-template", () => TypedResults.File(ExportUnits.Template(), XlsxType, "unit-import-template.xlsx"))
            .WithSummary("The .xlsx template for importing units");

        units.MapPost("/import", async Task<Results<Ok<ImportResult>, UnprocessableEntity<ImportResult>, ProblemHttpResult>> (
            IFormFile? file, ImportUnits import, HttpContext http, CancellationToken ct) =>
        {
            if (file is null || file.Length == 0)
            {
                return Infrastructure.Problems.Problems.Validation(http, new Dictionary<string, string[]> { ["file"] = ["请选择要导入的 .xlsx 文件"] });
            }

            await using var stream = file.OpenReadStream();
            var result = await import.RunAsync(stream, ct);
            return result.Errors.Count > 0 ? TypedResults.UnprocessableEntity(result) : TypedResults.Ok(result);
        }).DisableAntiforgery().WithSummary("Import units from .xlsx: all rows or none, with each bad row's reason");

        var platforms = app.MapGroup("/api/v1/platforms").WithTags("Organization").RequireAuthorization();
        platforms.MapGet("/", async (SavePlatforms p, CancellationToken ct) => TypedResults.Ok(await p.ListAsync(ct)))
            .WithSummary("The district's service platforms");
        platforms.MapPut("/", async ([FromBody] IReadOnlyList<PlatformInput> input, SavePlatforms p, CancellationToken ct) =>
            TypedResults.Ok(await p.RunAsync(input, ct)))
            .WithSummary("Replace the district's platform list (center admin)");
        return app;
    }
}

/// <summary>A unit closed: its id and its new version.</summary>
internal sealed record ClosedUnit(Guid Id, bool Closed, int Version);
