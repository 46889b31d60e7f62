namespace Wenming.Web.Infrastructure;

/// <summary>
/// The address people reach the platform at, for links that leave it (SMS, QR codes, calendar URLs). Behind a reverse
/// proxy set <c>Platform:PublicUrl</c> (e.g. https://wenming.example.gov.cn); otherwise the request's own address is used.
/// </summary>
internal static class PublicUrls
{
    public static string Base(HttpContext? http, IConfiguration config) =>
        config["Platform:PublicUrl"]?.TrimEnd('/') is { Length: > 0 } configured
            ? configured
            : http is null ? "http://127.0.0.1:5080" : $"{http.Request.Scheme}://{http.Request.Host}";
}
