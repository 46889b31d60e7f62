using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Honours;

internal static class HonourEndpoints
{
    public static IServiceCollection AddHonours(this IServiceCollection services) => services.AddScoped<HonourUseCases>();

    public static IEndpointRouteBuilder MapHonours(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/honours").WithTags("Honours").RequireAuthorization();
        g.MapGet("/titles", async (HonourUseCases h, CancellationToken ct) => TypedResults.Ok((await h.TitlesAsync(ct)).Select(HonourUseCases.View).ToList()))
            .WithSummary("The district's honour titles (嘉许): whom each goes to (Person, Household) and how (Decision, Vote, Monthly)");
        g.MapPut("/titles", async (List<TitleInput> input, HonourUseCases h, CancellationToken ct) =>
                TypedResults.Ok((await h.SaveTitlesAsync(input, ct)).Select(HonourUseCases.View).ToList()))
            .WithSummary("Write the district's list of titles in order: new ones added, existing ones changed or retired (active=false); center admins");
        g.MapGet("/rules", async (HonourUseCases h, CancellationToken ct) =>
            {
                var r = await h.RulesAsync(ct);
                return TypedResults.Ok(new HonourRulesView(r.StarsPerUnit, r.MinHours, r.RatingWeight, r.Version));
            })
            .WithSummary("How the monthly 志愿者之星 is picked: stars a station, minimum hours, hours added per star of average rating");
        g.MapPut("/rules", async (HonourRulesInput input, HonourUseCases h, CancellationToken ct) =>
            {
                var r = await h.SaveRulesAsync(input, ct);
                return TypedResults.Ok(new HonourRulesView(r.StarsPerUnit, r.MinHours, r.RatingWeight, r.Version));
            })
            .WithSummary("Change the monthly 志愿者之星 rule (center admins; send the version you read)");
        g.MapPost("/awards", async (AwardInput input, HonourUseCases h, CancellationToken ct) =>
            {
                var award = await h.AwardAsync(input, ct);
                return TypedResults.Created($"/api/v1/honours/board?unit={award.UnitId}", HonourUseCases.View(award));
            })
            .WithSummary("Give an honour by decision to a volunteer (volunteerId) or a named person or household, with the period and the evidence (admins of the unit)");
        g.MapPost("/awards/{id:guid}/withdraw", async (Guid id, WithdrawInput input, HonourUseCases h, CancellationToken ct) =>
            {
                await h.WithdrawAsync(id, input, ct);
                return TypedResults.NoContent();
            })
            .WithSummary("Withdraw a mistaken honour with the reason: it leaves the board and stays on record (admins of the unit)");
        g.MapGet("/board", async (HonourUseCases h, AppDbContext db, CancellationToken ct, Guid? unit = null, int take = 100) =>
            {
                var id = unit ?? (db.Scope.Grants.Count > 0 ? db.Scope.Grants[0].UnitId : null);
                var u = id is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
                if (u is null || !db.Scope.CanRead(u.Path))
                {
                    throw new NotVisibleException();
                }

                return TypedResults.Ok(await h.BoardAsync(u, take, ct));
            })
            .WithSummary("善行义举榜: the honours given at a unit and below, newest first");
        g.MapPost("/monthly-stars", async (MonthlyInput input, HonourUseCases h, CancellationToken ct) => TypedResults.Ok(await h.MonthlyStarsAsync(input, ct)))
            .WithSummary("Pick the 志愿者之星 of a finished month (2026-11; last month by default) for every station you administer, by the district's rule");

        var rounds = g.MapGroup("/rounds");
        rounds.MapGet("/", async (HonourUseCases h, CancellationToken ct, int take = 20) => TypedResults.Ok(await h.RoundsAsync(take, ct)))
            .WithSummary("The district's public votes: running and upcoming first, then results; with the nominees, their votes and your vote");
        rounds.MapPost("/", async (RoundInput input, HonourUseCases h, CancellationToken ct) =>
            {
                var round = await h.OpenRoundAsync(input, ct);
                return TypedResults.Created($"/api/v1/honours/rounds/{round.Id}", await h.RoundViewAsync(round.Id, ct));
            })
            .WithSummary("Start a public vote for a title at your unit: its window and the number of winners (admins)");
        rounds.MapGet("/{id:guid}", async (Guid id, HonourUseCases h, CancellationToken ct) => TypedResults.Ok(await h.RoundViewAsync(id, ct)))
            .WithSummary("A vote with its nominees, their votes and your vote");
        rounds.MapPost("/{id:guid}/nominees", async (Guid id, NomineeInput input, HonourUseCases h, CancellationToken ct) =>
            {
                var nominee = await h.NominateAsync(id, input, ct);
                return TypedResults.Created($"/api/v1/honours/rounds/{id}", new Infrastructure.CreatedId(nominee.Id));
            })
            .WithSummary("Nominate someone with their deeds, until the vote closes (admins of the unit)");
        rounds.MapPost("/{id:guid}/votes", async (Guid id, VoteInput input, HonourUseCases h, CancellationToken ct) =>
            {
                await h.VoteAsync(id, input, ct);
                return TypedResults.Ok(await h.RoundViewAsync(id, ct));
            })
            .WithSummary("Vote for one nominee while the vote is open: one vote an account (a second is 409)");
        rounds.MapPost("/{id:guid}/close", async (Guid id, HonourUseCases h, CancellationToken ct) =>
            {
                await h.CloseRoundAsync(id, ct);
                return TypedResults.Ok(await h.RoundViewAsync(id, ct));
            })
            .WithSummary("After the window, publish the result: the most-voted nominees receive the title (admins of the unit)");
        return app;
    }
}
