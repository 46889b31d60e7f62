using Microsoft.AspNetCore.Mvc;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Idempotency;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Points;

internal static class PointsEndpoints
{
    public static IServiceCollection AddPoints(this IServiceCollection services) => services
        .AddScoped<PointsQueries>().AddScoped<StockShop>().AddScoped<Redeem>().AddScoped<ExportShop>().AddScoped<ExpirePoints>()
        .AddOutboxSubscriber<PointsKeeper>().AddOutboxSubscriber<BonusKeeper>().AddSingleton<PointsExpiryJob>().AddHostedService(sp => sp.GetRequiredService<PointsExpiryJob>());

    public static IEndpointRouteBuilder MapPoints(this IEndpointRouteBuilder app)
    {
        var points = app.MapGroup("/api/v1/points").WithTags("Points").RequireAuthorization();
        points.MapGet("/me", async (PointsQueries q, CancellationToken ct, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await q.AccountAsync(await q.MineAsync(ct) ?? throw new NotVisibleException(), page, pageSize, ct)))
            .WithSummary("Your points: balance, points reserved for redemptions not yet collected, and every entry with its reason (volunteers)");
        points.MapGet("/accounts/{id:guid}", async (Guid id, PointsQueries q, CancellationToken ct, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await q.AccountAsync(id, page, pageSize, ct)))
            .WithSummary("A volunteer's points and entries (the volunteer, and admins and leaders over their home unit)");
        points.MapGet("/ledger", async (PointsQueries q, CancellationToken ct, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await q.LedgerAsync(page, pageSize, ct)))
            .WithSummary("Every transfer of points concerning your subtree, newest first: from which account to which, how much and why (admins and leaders)");
        points.MapGet("/rules", async (PointsQueries q, CancellationToken ct) => TypedResults.Ok(await q.RulesAsync(ct)))
            .WithSummary("The district's earning rules: points per confirmed hour, per delivered order, per good rating (to each volunteer who served) and per honour, and whether backfilled hours earn");
        points.MapPut("/rules", async (PointsRulesInput input, PointsQueries q, CancellationToken ct) => TypedResults.Ok(await q.SaveRulesAsync(input, ct)))
            .WithSummary("Change the district's earning rules (center admins; a rule left out keeps its value, 0 turns it off); services already earning keep their rates");

        var shop = app.MapGroup("/api/v1/shop").WithTags("Points").RequireAuthorization();
        shop.MapGet("/items", async (StockShop s, CancellationToken ct, Guid? unit = null) => TypedResults.Ok(await s.ListAsync(unit, ct)))
            .WithSummary("The items of the points shops you see: your station's, institute's and center's, and those of the subtrees you administer");
        shop.MapPost("/items", async (ShopItemInput input, StockShop s, CancellationToken ct) =>
            {
                var item = await s.CreateAsync(input, ct);
                return TypedResults.Created($"/api/v1/shop/items?unit={item.UnitId}", item);
            })
            .WithSummary("Put an item on a unit's shelf with its points price, quantity and donor (admins of the unit or above)");
        shop.MapPost("/items/{id:guid}/restock", async (Guid id, RestockInput input, StockShop s, CancellationToken ct) =>
                TypedResults.Ok(await s.RestockAsync(id, input, ct)))
            .WithSummary("Add stock to an item, naming who gave it (admins of the unit or above)");
        shop.MapGet("/redemptions", async (Redeem r, CancellationToken ct, Guid? unit = null, bool waiting = false) =>
                TypedResults.Ok(await r.ListAsync(unit, waiting, ct)))
            .WithSummary("Your redemptions, or with ?unit= those of a shop you administer (?waiting=true: only those not yet collected)");
        shop.MapPost("/redemptions", async (RedeemInput input, Redeem r, CancellationToken ct, [FromHeader(Name = IdempotencyMiddleware.Header)] string? key) =>
            {
                var redemption = await r.RedeemAsync(input, string.IsNullOrWhiteSpace(key) ? Ids.New().ToString("N") : key, ct);
                return TypedResults.Created($"/api/v1/shop/redemptions/{redemption.Id}", redemption);
            })
            .WithSummary("Redeem one item: its points and one item are reserved until the shop confirms the hand-over or you cancel (volunteers; 422 without the points, 409 out of stock)");
        shop.MapPost("/redemptions/{id:guid}/collect", async (Guid id, Redeem r, CancellationToken ct) => TypedResults.Ok(await r.CollectAsync(id, ct)))
            .WithSummary("The shop confirms the hand-over: the reserved points are paid to the shop (admins of the shop's unit or above)");
        shop.MapPost("/redemptions/{id:guid}/cancel", async (Guid id, Redeem r, CancellationToken ct) => TypedResults.Ok(await r.CancelAsync(id, ct)))
            .WithSummary("Cancel a redemption not yet collected: the points and the item return (the volunteer, or the shop's admins)");
        shop.MapGet("/export/stock", async (ExportShop e, CancellationToken ct, Guid? unit = null) =>
                TypedResults.File(await e.StockAsync(unit, ct), Organization.OrganizationEndpoints.XlsxType, $"shop-stock-{DateTime.UtcNow:yyyyMMdd}.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The stock of the shops in your subtree (or ?unit=) with donors, as .xlsx (admins and leaders)");
        shop.MapGet("/export/redemptions", async (ExportShop e, CancellationToken ct, Guid? unit = null) =>
                TypedResults.File(await e.RedemptionsAsync(unit, ct), Organization.OrganizationEndpoints.XlsxType, $"shop-redemptions-{DateTime.UtcNow:yyyyMMdd}.xlsx"))
            .Produces(200, contentType: Organization.OrganizationEndpoints.XlsxType)
            .WithSummary("The redemption history of the shops in your subtree (or ?unit=), as .xlsx (admins and leaders)");
        return app;
    }
}
