namespace Wenming.Web.Infrastructure.Operations;

/// <summary>
/// Headers on every answer (pages, API, static files, errors): no MIME sniffing, no framing, no referrer to other
/// sites, and a Content-Security-Policy under which only the platform's own script and style files run: the pages
/// carry no inline script, event handler or style attribute (their scripts are in <c>wwwroot/js</c>).
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// <c>img-src data:</c> for Bootstrap's icons (SVG data URIs in its CSS); <c>connect-src 'self'</c> covers the live
    /// board's WebSocket on the same host.
    /// </summary>
    public const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
                                 "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The interactive API reference (a third-party page, Scalar) starts itself with an inline script and styles itself
    /// with inline styles; it shows no data of its own, and its "try it" requests go to this host.
    /// </summary>
    public const string ApiReferencePolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
                                             "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
                                             "form-action 'self'; frame-ancestors 'none'";

    public const string ApiReferencePath = "/api/docs";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            // On starting, so that an answer the exception handler rewrites from scratch carries them too.
            http.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments(ApiReferencePath, StringComparison.OrdinalIgnoreCase)
                    ? ApiReferencePolicy
                    : Policy;
                return Task.CompletedTask;
            }, http);
            return next(http);
        });
}
