using Microsoft.AspNetCore.Http.HttpResults;

namespace Wenming.Web.Features.Teams;

internal static class TeamEndpoints
{
    public static IServiceCollection AddTeams(this IServiceCollection services) => services.AddScoped<TeamUseCases>().AddScoped<TeamSheet>().AddScoped<DemandQueries>().AddScoped<FollowUpDemand>();

    public static IEndpointRouteBuilder MapTeams(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/teams").WithTags("Teams").RequireAuthorization();
        g.MapGet("/", async (TeamUseCases t, CancellationToken ct, int page = 1, int pageSize = 50, string? search = null, Guid? unit = null) =>
            TypedResults.Ok(await t.ListAsync(page, pageSize, search, unit, ct)))
            .WithSummary("Teams of your units, the units above them, and below");
        g.MapPost("/", async Task<Created<TeamView>> (TeamInput input, TeamUseCases t, CancellationToken ct) =>
        {
            var team = await t.CreateAsync(input, ct);
            return TypedResults.Created($"/api/v1/teams/{team.Id}", await t.ViewAsync(team.Id, ct));
        }).WithSummary("Create a team on a unit you administer");
        g.MapGet("/export", async (TeamSheet sheet, CancellationToken ct) =>
                TypedResults.File(await sheet.ExportAsync(ct), Organization.OrganizationEndpoints.XlsxType, $"teams-{DateTime.UtcNow:yyyyMMdd}.xlsx"))
            .WithSummary("Export the teams of your subtree as .xlsx (admins, leaders)");
        g.MapGet("/import-template", () => TypedResults.File(TeamSheet.Template(), Organization.OrganizationEndpoints.XlsxType, "team-import-template.xlsx"))
            .WithSummary("The .xlsx template for importing teams");
        g.MapPost("/import", async Task<Results<Ok<Organization.ImportResult>, UnprocessableEntity<Organization.ImportResult>, ProblemHttpResult>> (
            IFormFile? file, TeamSheet sheet, HttpContext http, CancellationToken ct) =>
        {
            if (file is null || file.Length == 0)
            {
                return Infrastructure.Problems.Problems.Validation(http, new Dictionary<string, string[]> { ["file"] = ["请选择要导入的 .xlsx 文件"] });
            }

            await using var stream = file.OpenReadStream();
            var result = await sheet.ImportAsync(stream, ct);
            return result.Errors.Count > 0 ? TypedResults.UnprocessableEntity(result) : TypedResults.Ok(result);
        }).DisableAntiforgery().WithSummary("Import teams from .xlsx: all rows or none, with each bad row's reason (admins)");
        g.MapGet("/{id:guid}", async (Guid id, TeamUseCases t, CancellationToken ct) => TypedResults.Ok(await t.ViewAsync(id, ct)))
            .WithSummary("A team with its members (phones masked) and its menu");
        g.MapPost("/{id:guid}/join", async (Guid id, TeamUseCases t, CancellationToken ct) =>
        {
            var m = await t.JoinAsync(id, ct);
            return TypedResults.Created($"/api/v1/teams/{id}", new TeamMembership(m.Id, m.Status.ToString()));
        }).WithSummary("Ask to join a team (signed-in volunteer)");
        g.MapPost("/{id:guid}/members/{memberId:guid}/accept", async (Guid id, Guid memberId, TeamUseCases t, CancellationToken ct) =>
        {
            var m = await t.DecideAsync(id, memberId, accept: true, ct);
            return TypedResults.Ok(new TeamMembership(m.Id, m.Status.ToString()));
        }).WithSummary("Accept a join request (team leader or admin)");
        g.MapPost("/{id:guid}/members/{memberId:guid}/decline", async (Guid id, Guid memberId, TeamUseCases t, CancellationToken ct) =>
        {
            var m = await t.DecideAsync(id, memberId, accept: false, ct);
            return TypedResults.Ok(new TeamMembership(m.Id, m.Status.ToString()));
        }).WithSummary("Decline a join request (team leader or admin)");
        g.MapPost("/{id:guid}/menu", async (Guid id, MenuInput input, TeamUseCases t, CancellationToken ct) =>
        {
            var item = await t.AddMenuItemAsync(id, input, ct);
            return TypedResults.Created($"/api/v1/menu?search={Uri.EscapeDataString(item.Title)}", new OfferedService(item.Id, item.Title));
        }).WithSummary("Publish a service on the team's menu (team leader or admin)");

        app.MapGet("/api/v1/menu", async (TeamUseCases t, CancellationToken ct, Guid? platform = null, string? search = null, double? lat = null,
                double? lng = null, double? radiusKm = null, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await t.MenuAsync(platform, search, lat, lng, radiusKm, page, pageSize, ct)))
            .WithTags("Teams").RequireAuthorization()
            .WithSummary("The service menu of the places you belong to; filter by platform, text, distance (lat/lng/radiusKm)");

        MapDemands(app);
        return app;
    }

    private static void MapDemands(IEndpointRouteBuilder app)
    {
        var demands = app.MapGroup("/api/v1/demands").WithTags("Teams").RequireAuthorization();
        demands.MapGet("/", async (DemandQueries q, CancellationToken ct, string? status = null, Guid? platform = null, Guid? unit = null, int page = 1,
                int pageSize = 50) => TypedResults.Ok(await q.ListAsync(new DemandFilter(status, platform, unit), page, pageSize, ct)))
            .WithSummary("The demand menu: needs raised in your subtree, with status, answer and what each became; filter by status " +
                         "(Received, Answered, BecameMenuItem, BecameProject, Declined), platform and unit (admins, leaders, team leaders)");
        demands.MapGet("/export", (DemandQueries q, Infrastructure.ListExport export, CancellationToken ct, string? status = null, Guid? platform = null,
                Guid? unit = null) =>
                export.PagedAsync("demands", "需求菜单", (page, size) => q.ListAsync(new DemandFilter(status, platform, unit), page, size, ct),
                    d => new Dictionary<string, object?>
                    {
                        ["需求内容"] = d.Text,
                        ["服务平台"] = d.Platform ?? "",
                        ["提出单位"] = d.Unit.Name,
                        ["提出时间"] = Infrastructure.DistrictTime.Minute(d.CreatedAt),
                        ["状态"] = d.StatusName,
                        ["答复"] = d.Answer ?? "",
                        ["转化为"] = d.Link?.Name ?? "",
                        ["答复时间"] = d.AnsweredAt is { } at ? Infrastructure.DistrictTime.Minute(at) : "",
                    }, ct))
            .WithSummary("The demand menu as .xlsx, with the same filters, status and answer (admins, leaders)");
        demands.MapGet("/mine", async (DemandQueries q, CancellationToken ct, int page = 1, int pageSize = 50) => TypedResults.Ok(await q.MineAsync(page, pageSize, ct)))
            .WithSummary("The needs you raised, newest first, with status, answer and what each became");
        demands.MapGet("/summary", async (DemandQueries q, CancellationToken ct, Guid? unit = null, DateOnly? from = null, DateOnly? to = null) =>
                TypedResults.Ok(await q.SummaryAsync(unit, from, to, ct)))
            .WithSummary("Needs raised in a unit's subtree (your reach by default) over a period, counted by status (admins, leaders)");
        demands.MapPost("/", async (DemandInput input, TeamUseCases t, CancellationToken ct) =>
        {
            var d = await t.RaiseDemandAsync(input, ct);
            return TypedResults.Created($"/api/v1/demands", new Infrastructure.CreatedId(d.Id));
        }).WithSummary("Raise a need (resident, grid worker)");
        demands.MapPost("/{id:guid}/answer", async (Guid id, DemandAnswerInput input, FollowUpDemand f, DemandQueries q, CancellationToken ct) =>
                TypedResults.Ok(await q.ViewAsync((await f.AnswerAsync(id, input, ct)).Id, ct)))
            .WithSummary("Answer a received need; the resident reads the answer (admins of its unit or above; 409 once answered or settled)");
        demands.MapPost("/{id:guid}/decline", async (Guid id, DemandDeclineInput input, FollowUpDemand f, DemandQueries q, CancellationToken ct) =>
                TypedResults.Ok(await q.ViewAsync((await f.DeclineAsync(id, input, ct)).Id, ct)))
            .WithSummary("Decline an open need with the reason the resident reads (admins of its unit or above; 409 once settled)");
        demands.MapPost("/{id:guid}/became", async (Guid id, DemandBecameInput input, FollowUpDemand f, DemandQueries q, CancellationToken ct) =>
                TypedResults.Ok(await q.ViewAsync((await f.BecameAsync(id, input, ct)).Id, ct)))
            .WithSummary("Link an open need to the menu item (menuItemId) or project (projectId) it became, with an optional answer " +
                         "(admins of its unit or above; 409 once settled)");
    }
}

/// <summary>A team membership after a request or a decision: its id and status.</summary>
internal sealed record TeamMembership(Guid Id, string Status);

/// <summary>A service a team added to the menu.</summary>
internal sealed record OfferedService(Guid Id, string Title);
