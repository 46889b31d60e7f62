namespace Wenming.Web.Features.Audit;

internal static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", async (AuditQueries q, CancellationToken ct, int page = 1, int pageSize = 50, string? action = null) =>
                TypedResults.Ok(await q.ListAsync(page, pageSize, action, ct)))
            .WithTags("Audit").RequireAuthorization().WithSummary("The audit log of your subtree (admins)");
        return app;
    }
}
