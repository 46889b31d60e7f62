using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace Wenming.Web.Infrastructure.Problems;

/// <summary>
/// An API call that sends a JSON body to an endpoint that reads none (a POST that only acts, such as a new calendar
/// URL) must still send JSON: a malformed body is refused with 400 as it is where the body is read, never ignored.
/// Endpoints that read a body check it themselves while binding.
/// </summary>
internal static class JsonBodyCheck
{
    private const long MaxChecked = 1024 * 1024;

    public static IApplicationBuilder UseJsonBodyCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        if (request.Path.StartsWithSegments("/api") && request.HasJsonContentType() && request.ContentLength is not 0
            && http.GetEndpoint() is { } endpoint && endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is null
            && !await WellFormedAsync(request, http.RequestAborted))
        {
            await Problems.Create(http, 400, "malformed-json", "请求正文不是有效的 JSON").ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    private static async Task<bool> WellFormedAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > MaxChecked)
            {
                return false;
            }

            body.Write(buffer, 0, read);
        }

        request.Body.Position = 0;
        if (body.Length == 0)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
