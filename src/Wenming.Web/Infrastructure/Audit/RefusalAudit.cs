namespace Wenming.Web.Infrastructure.Audit;

/// <summary>
/// Every permission refusal reaches the audit log once, whichever way it was said: a rule's 403 (exception handler),
/// a page's Forbid() (403 for bearer callers, a redirect to the denied page for cookie callers).
/// </summary>
internal static class RefusalAudit
{
    private const string Written = "wm:refusal-audited";

    public static async Task WriteAsync(HttpContext http, CancellationToken ct)
    {
        if (!http.Items.TryAdd(Written, true))
        {
            return;
        }

        await http.RequestServices.GetRequiredService<AuditLog>()
            .WriteNowAsync("permission.refused", detail: $"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}", ct: ct);
    }

    /// <summary>Catches refusals that leave as a bare 403 after the endpoint ran.</summary>
    public static IApplicationBuilder UseRefusalAudit(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            await next(http);
            if (http.Response.StatusCode == StatusCodes.Status403Forbidden && http.User.Identity?.IsAuthenticated == true)
            {
                await WriteAsync(http, http.RequestAborted);
            }
        });
}
