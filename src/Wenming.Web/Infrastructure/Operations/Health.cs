using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Infrastructure.Operations;

/// <summary>
/// For load balancers and operators, anonymous: <c>/health/live</c> answers while the process serves requests,
/// <c>/health/ready</c> only while the database can also be reached (503 otherwise). Each answers a status word
/// (<c>Healthy</c>, <c>Unhealthy</c>) and nothing else: no version, host or error detail for an anonymous caller.
/// </summary>
internal static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseReachable>("database", tags: [Ready]);
        return services;
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready) }).AllowAnonymous();
    }
}

/// <summary>Opens a connection; reads no tenant data, so it needs no caller's scope.</summary>
internal sealed class DatabaseReachable(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // Kept for the log (the answer carries only the status word).
            return HealthCheckResult.Unhealthy(exception: e);
        }
    }
}
