using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders.Open311;

/// <summary>
/// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at <c>/open311/v2/</c>: partner systems such as FixMyStreet list
/// the district's services, file residents' needs as orders that enter the district's own workflow, and follow them.
/// Every resource answers in XML (the spec's required format) and JSON, chosen by the path's extension; refusals come in
/// the spec's error format, never as problem details.
/// </summary>
internal static class Open311Endpoints
{
    public const string Prefix = "/open311/v2";

    public static IServiceCollection AddOpen311(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, PartnerKeyAuthentication>(
            PartnerKeyAuthentication.Name, null);
        return services.AddScoped<GeoReport>().AddScoped<PartnerKeys>()
            // Civic-request clients read the GeoReport error document, not problem details, also when the rate limiter refuses.
            .AddSingleton(new Infrastructure.Problems.RefusalWriter(Prefix, (http, status, retryAfter) =>
                RefuseAsync(http, status, $"请求过多，请 {retryAfter} 秒后再试（too many requests: retry after {retryAfter} s）")));
    }

    public static IEndpointRouteBuilder MapOpen311(this IEndpointRouteBuilder app)
    {
        // Anonymous: GETs need no key by the spec, and a POST proves itself with its api_key, not with a session, so there
        // is no cookie for antiforgery to protect.
        var g = app.MapGroup(Prefix).WithTags("Open311").AllowAnonymous().DisableAntiforgery();
        g.MapGet("/discovery.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.DiscoveryAsync(http.Request, ct)))
            .WithSummary("GeoReport v2 service discovery: the endpoint, its formats (xml, json) and how to get an api_key")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        g.MapGet("/services.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.ServicesAsync(Args(http), ct)))
            .WithSummary("The district's services: its active service-menu items and one free-text service per platform (jurisdiction_id = division code)")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        g.MapGet("/services/{service_code}.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.DefinitionAsync(Args(http), Route(http, "service_code"), ct)))
            .WithSummary("A service's definition: the attributes a request may send as attribute[code]=value")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        // The district's partner keys, for its center admin (problem details, like the rest of /api/v1).
        var keys = app.MapGroup("/api/v1/open311/keys").WithTags("Open311").RequireAuthorization();
        keys.MapGet("/", async (PartnerKeys k, CancellationToken ct) => TypedResults.Ok(await k.ListAsync(ct)))
            .WithSummary("The district's Open311 partner keys (center admin): name, issued, revoked; never the key itself");
        keys.MapPost("/", async (PartnerKeyInput input, PartnerKeys k, CancellationToken ct) =>
            {
                var issued = await k.IssueAsync(input, ct);
                return TypedResults.Created("/api/v1/open311/keys", issued);
            })
            // The key is in this answer only: a retry's replay must not keep it (the idempotency store keeps the status alone).
            .WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse())
            .WithSummary("Issue a key to a named partner (center admin): the api_key is in this answer only, stored as its hash");
        keys.MapPost("/{keyId:guid}/revoke", async (Guid keyId, PartnerKeys k, CancellationToken ct) => TypedResults.Ok(await k.RevokeAsync(keyId, ct)))
            .WithSummary("Revoke a key (center admin): requests with it are refused from now on");
        g.MapPost("/requests.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, async () => await api.CreateAsync(await FormArgsAsync(http, ct), ct)))
            .RequireRateLimiting(OrderEndpoints.IntakePolicy)
            // A partner's Idempotency-Key belongs to its api_key, as a person's key to them.
            .WithMetadata(new Infrastructure.Idempotency.IdempotencyOwner(PartnerKeyAuthentication.Name))
            .WithSummary("File a service request (application/x-www-form-urlencoded): api_key, service_code, lat & long or address_string, " +
                         "description, first_name, last_name, phone (optional: with it the station can call back, and a resident without an account gets SMS updates), " +
                         "attribute[code]=value; " +
                         "it becomes an order in the district's workflow")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        g.MapGet("/requests.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.RequestsAsync(Args(http), ct)))
            .WithSummary("Service requests: service_request_id (comma list), service_code, start_date, end_date, status (open, closed); " +
                         "the last 90 days by default, at most 1000")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        g.MapGet("/requests/{service_request_id}.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.RequestAsync(Args(http), Route(http, "service_request_id"), ct)))
            .WithSummary("One service request: its status, the step and unit handling it; never the requester's name or phone")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        g.MapGet("/servicerequestupdates.{format}", (HttpContext http, GeoReport api, CancellationToken ct) =>
                AnswerAsync(http, () => api.UpdatesAsync(Args(http), ct)))
            .WithSummary("Service request updates (api_key required): each step of the timelines of orders filed through Open311 in the district, " +
                         "start_date to end_date (W3C datetimes, at most 90 days; the last 90 by default), oldest first, at most 1000")
            .Produces(StatusCodes.Status200OK, contentType: "text/xml", additionalContentTypes: ["application/json"]);
        // Anything else under the prefix, in any method: the spec's 404 document in the format the extension asks for. Without
        // it the fallback policy would send the partner's client to the HTML sign-in page, its query (api_key) in the URL.
        g.Map("/{**path}", (HttpContext http) => NotServed(http)).ExcludeFromDescription();
        return app;
    }

    private static Open311Result NotServed(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        var extension = Path.GetExtension(path);
        var format = SparkWriter.TryParseFormat(extension.TrimStart('.'), out var asked) ? asked : Open311Format.Xml;
        var resource = SparkWriter.Clean(extension.Length > 0 ? path[..^extension.Length] : path);
        return Error(format, StatusCodes.Status404NotFound, [$"本接口没有“{resource}”（{http.Request.Method} {resource} is not a GeoReport v2 resource here）"]);
    }

    /// <summary>Runs a resource and turns every refusal into the spec's error document, in the format that was asked for.</summary>
    private static async Task<IResult> AnswerAsync(HttpContext http, Func<Task<SparkNode>> resource)
    {
        var requested = Route(http, "format");
        if (!SparkWriter.TryParseFormat(requested, out var format))
        {
            return Error(Open311Format.Xml, StatusCodes.Status404NotFound, [$"format: 不支持“{requested}”格式，请用 .xml 或 .json（unsupported format）"]);
        }

        try
        {
            return new Open311Result(await resource(), format);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var refusal = e switch
            {
                Open311Exception o => Error(format, o.Status, o.Descriptions),
                InputException i => Error(format, StatusCodes.Status400BadRequest, [.. Open311Errors.FromInput(i.Errors)]),
                // The spec has no 409 or 422: a rule that refuses the request is a 400 with its reason.
                DomainException d => Error(format, StatusCodes.Status400BadRequest, [d.Message]),
                AccessDeniedException a => Error(format, StatusCodes.Status403Forbidden, [a.Message]),
                NotVisibleException => Error(format, StatusCodes.Status404NotFound, ["找不到该对象（not found）"]),
                BadHttpRequestException or InvalidDataException =>
                    Error(format, StatusCodes.Status400BadRequest, ["请求格式有误，请以 application/x-www-form-urlencoded 提交（malformed request）"]),
                _ => null,
            };
            // Neither a refusal nor a failure on our side keeps what the request wrote: an Idempotency-Key sent with it is free
            // for the retry, as after an exception on the rest of the API.
            Infrastructure.Idempotency.IdempotencyMiddleware.Failed(http);
            if (refusal is not null)
            {
                return refusal;
            }

            // The spec answers a failure on our side with 400 "general service error" and asks the client to tell us: logged
            // as the error it is, so it is seen here first.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Open311Endpoints))
                .LogError(e, "Open311 {Method} {Path} failed", http.Request.Method, http.Request.Path);
            return Error(format, StatusCodes.Status400BadRequest, ["General service error: 服务暂时无法处理该请求，请稍后重试或联系所在区县文明实践中心"]);
        }
    }

    /// <summary>A refusal before the resource ran (the intake queue is full): the spec's error document, in the format asked for.</summary>
    public static Task RefuseAsync(HttpContext http, int status, string description) =>
        Error(SparkWriter.TryParseFormat(Route(http, "format"), out var format) ? format : Open311Format.Xml, status, [description]).ExecuteAsync(http);

    private static Open311Result Error(Open311Format format, int status, IReadOnlyList<string> descriptions) =>
        new(Open311Errors.Document(status, descriptions), format, status);

    private static string Route(HttpContext http, string name) => http.GetRouteValue(name) as string ?? "";

    private static Open311Args Args(HttpContext http) => new(null, http.Request.Query);

    private static async Task<Open311Args> FormArgsAsync(HttpContext http, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            throw Open311Exception.BadRequest("Content-Type: 请以 application/x-www-form-urlencoded 提交（send the request as a form）");
        }

        return new Open311Args(await http.Request.ReadFormAsync(ct), http.Request.Query);
    }
}

/// <summary>A call's arguments: the form first, then the query string. As the spec says, an empty value counts as not sent.</summary>
internal sealed partial class Open311Args(IFormCollection? form, IQueryCollection query)
{
    public string? Get(string name)
    {
        var values = form is not null && form.TryGetValue(name, out var f) && !StringValues.IsNullOrEmpty(f) ? f : query[name];
        var text = string.Join(",", values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
        return text.Length == 0 ? null : text;
    }

    public IReadOnlyList<string> All(string name)
    {
        var values = form is not null && form.TryGetValue(name, out var f) && !StringValues.IsNullOrEmpty(f) ? f : query[name];
        return [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim())];
    }

    /// <summary><c>attribute[code]=value</c>, and <c>attribute[code][]=v1&amp;attribute[code][]=v2</c> for a multivaluelist (joined by commas).</summary>
    public IReadOnlyDictionary<string, string> Attributes()
    {
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, values) in (IEnumerable<KeyValuePair<string, StringValues>>?)form ?? query)
        {
            var match = AttributeKey().Match(key);
            var text = string.Join(",", values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()));
            if (match.Success && text.Length > 0)
            {
                var code = match.Groups[1].Value;
                attributes[code] = attributes.TryGetValue(code, out var earlier) ? earlier + "," + text : text;
            }
        }

        return attributes;
    }

    [GeneratedRegex(@"^attribute\[([^\[\]]+)\](?:\[\])?$")]
    private static partial Regex AttributeKey();
}
