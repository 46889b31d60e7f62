using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Wenming.Web.Infrastructure.Operations;

/// <summary>
/// What keeps pages light on a cheap phone: text answers (pages, JSON, CSS, scripts, SVG, the manifest) compressed with
/// Brotli or gzip, and static files that the pages link with their content's hash (<c>asp-append-version</c>, <c>?v=</c>)
/// cached for a year, since a changed file gets a new address. Other static files are revalidated by their ETag.
/// </summary>
internal static class LightPages
{
    public const string YearLong = "public, max-age=31536000, immutable";

    public static IServiceCollection AddLightPages(this IServiceCollection services)
    {
        services.AddResponseCompression(o =>
        {
            // Pages carry antiforgery tokens, which are encrypted afresh for every answer: no secret repeats across
            // answers for a compression-ratio attack (BREACH) to recover.
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["image/svg+xml", "application/manifest+json", "application/problem+json", "text/calendar"]);
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Optimal);
        return services;
    }

    public static IApplicationBuilder UseLightPages(this IApplicationBuilder app)
    {
        app.UseResponseCompression();
        var types = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        return app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers.CacheControl = ctx.Context.Request.Query.ContainsKey("v") ? YearLong : "no-cache";
            },
        });
    }
}
