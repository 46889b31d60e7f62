using Microsoft.AspNetCore.Http.HttpResults;

namespace Wenming.Web.Features.RedYellowList;

internal static class ConductEndpoints
{
    public static IServiceCollection AddRedYellowList(this IServiceCollection services) => services.AddScoped<ConductUseCases>();

    public static IEndpointRouteBuilder MapRedYellowList(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/conduct").WithTags("RedYellowList").RequireAuthorization();
        g.MapGet("/items", async (ConductUseCases c, CancellationToken ct) => TypedResults.Ok((await c.ItemsAsync(ct)).Select(ConductUseCases.View).ToList()))
            .WithSummary("The district's red/yellow list (红黄双十条): red items add points, yellow items deduct them");
        g.MapPut("/items", async (List<ConductItemInput> input, ConductUseCases c, CancellationToken ct) =>
                TypedResults.Ok((await c.SaveItemsAsync(input, ct)).Select(ConductUseCases.View).ToList()))
            .WithSummary("Write the district's list in order: items added, points changed, items retired (active=false); center admins");
        g.MapGet("/rules", async (ConductUseCases c, CancellationToken ct) =>
            {
                var (rules, benefits) = await c.RulesAsync(ct);
                return TypedResults.Ok(ConductUseCases.View(rules, benefits));
            })
            .WithSummary("The months a yellow event counts, how the public board shows the lists, and the benefits (惠民政策) paused at a yellow threshold");
        g.MapPut("/rules", async (ConductRulesInput input, ConductUseCases c, CancellationToken ct) => TypedResults.Ok(await c.SaveRulesAsync(input, ct)))
            .WithSummary("Change the rules and the benefits with their thresholds (center admins; send the version you read)");
        g.MapPost("/events", async (RecordConductInput input, ConductUseCases c, CancellationToken ct) =>
            {
                var e = await c.RecordAsync(input, ct);
                return TypedResults.Created($"/api/v1/conduct/residents/{e.ResidentUserId}", (await c.EventsViewAsync([e], ct))[0]);
            })
            .WithSummary("Record a red or yellow event for a resident (by phone or residentId) with the evidence and the day; grid workers and admins of their place");
        g.MapGet("/events", async (ConductUseCases c, CancellationToken ct, Guid? unit = null, string? colour = null, string? status = null, int page = 1,
                int pageSize = 50) => TypedResults.Ok(await c.EventsAsync(unit, colour, status, page, pageSize, ct)))
            .WithSummary("Events in your reach, newest first (?unit=, ?colour=Red|Yellow, ?status=Standing|Appealed|Upheld|Withdrawn); admins, leaders, grid workers");
        g.MapPost("/events/{id:guid}/photo", async (Guid id, IFormFile? file, ConductUseCases c, CancellationToken ct) =>
            {
                var e = await c.AttachPhotoAsync(id, file, ct);
                return TypedResults.Ok((await c.EventsViewAsync([e], ct))[0]);
            })
            .DisableAntiforgery()
            .WithSummary("Attach a photo as evidence (multipart field 'file'; JPEG, PNG or WebP); who may record for the resident");
        g.MapGet("/events/{id:guid}/photo", async Task<Results<FileContentHttpResult, NotFound>> (Guid id, ConductUseCases c, CancellationToken ct) =>
                await c.PhotoAsync(id, ct) is { } photo ? TypedResults.File(photo.Content, photo.Type) : TypedResults.NotFound())
            .WithSummary("The evidence photo (the resident, and those who see the event)");
        g.MapPost("/events/{id:guid}/appeal", async (Guid id, AppealInput input, ConductUseCases c, CancellationToken ct) =>
                TypedResults.Ok((await c.EventsViewAsync([await c.AppealAsync(id, input, ct)], ct))[0]))
            .WithSummary("Appeal an event of yours with the reason; the institute decides (a second appeal is 409)");
        g.MapPost("/events/{id:guid}/decide", async (Guid id, DecideInput input, ConductUseCases c, CancellationToken ct) =>
                TypedResults.Ok((await c.EventsViewAsync([await c.DecideAsync(id, input, ct)], ct))[0]))
            .WithSummary("Decide an appeal with a note (grant=true withdraws the event and moves its points back); admins of the institute or above");
        g.MapGet("/me", async (ConductUseCases c, CancellationToken ct) => TypedResults.Ok(await c.MineAsync(ct)))
            .WithSummary("Your red/yellow points: balance to spend, red total, yellow total within the window, each event, and each benefit with its state and reason");
        g.MapGet("/residents/{id:guid}", async (Guid id, ConductUseCases c, CancellationToken ct) => TypedResults.Ok(await c.ResidentViewAsync(id, ct)))
            .WithSummary("A resident's points, events and benefits (who may record for them, and admins and leaders over their place)");
        g.MapPost("/residents/{id:guid}/benefits/{benefitId:guid}", async (Guid id, Guid benefitId, OverrideInput input, ConductUseCases c, CancellationToken ct) =>
                TypedResults.Ok(await c.OverrideAsync(id, benefitId, input, ct)))
            .WithSummary("Decide a benefit for a resident with a reason: mode Lift (give it despite the rule), Pause, or Rule (back to the rule); admins of their place");
        g.MapGet("/paused", async (ConductUseCases c, CancellationToken ct) => TypedResults.Ok(await c.PausedAsync(ct)))
            .WithSummary("Residents in your subtree with a benefit paused now, by the rule or by an admin (admins and leaders)");
        return app;
    }
}
