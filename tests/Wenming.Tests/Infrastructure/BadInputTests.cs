using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// What a careless or hostile client sends: paths nobody serves, no sign-in, malformed JSON, wrong types, out-of-range
/// numbers and dates, huge and odd strings. Every answer is a 4xx problem document in Chinese: never a 5xx, never the
/// sign-in page, never a success for a malformed body.
/// </summary>
public sealed partial class BadInputTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_unknown_api_path_or_an_unsigned_call_gets_a_problem_document_never_the_sign_in_page(string provider)
    {
        var host = TestHosts.Get(provider);
        using var anonymous = host.ClientWithoutRedirects();
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        foreach (var client in new[] { anonymous, admin })
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete })
            {
                foreach (var path in new[] { "/api/v1/no-such-thing", "/api/v2/orders", "/api/v1/orders/x/y/z", "/api" })
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(method, path + "?api_key=secret"));
                    await AssertProblemAsync(response, HttpStatusCode.NotFound, $"{method} {path}");
                }
            }
        }

        using var unsigned = await anonymous.GetAsync("/api/v1/orders");
        await AssertProblemAsync(unsigned, HttpStatusCode.Unauthorized, "GET /api/v1/orders unsigned");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_year_out_of_range_and_a_malformed_body_to_an_endpoint_that_reads_none_are_400(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        foreach (var year in new[] { "-1", "0", "1", "99999", "2147483647" })
        {
            using var totals = await admin.GetAsync($"/api/v1/lectures/totals?year={year}");
            await AssertProblemAsync(totals, HttpStatusCode.BadRequest, $"lectures/totals?year={year}");
            using var plans = await admin.GetAsync($"/api/v1/plans?year={year}");
            Assert.True((int)plans.StatusCode is 400 or 404, $"plans?year={year}: {(int)plans.StatusCode}");
        }

        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        using var malformed = await volunteer.PostAsync("/api/v1/calendars/mine", new StringContent("{\"oops\": ", Encoding.UTF8, "application/json"));
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "calendars/mine");
    }

    /// <summary>
    /// Every operation of the OpenAPI document, as a center admin and as a resident, on a database of its own (a well-formed
    /// edge case may succeed and change things): malformed JSON and wrong types must be refused with 4xx; out-of-range values
    /// and huge or odd strings may pass, but never as a 5xx; every refusal is a problem document in Chinese.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_operation_answers_malformed_and_edge_input_with_a_chinese_4xx_problem_never_a_5xx(string provider)
    {
        using var host = TestHosts.Fresh(provider);
        using var anonymous = host.CreateClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var operations = Operations(document).ToList();
        Assert.True(operations.Count > 50, $"{operations.Count} operations");
        var failures = new List<string>();
        var sent = 0;
        foreach (var phone in new[] { TestHost.Phone(Hongta, "00"), TestHost.Phone(Hongta, "20") })
        {
            var client = await host.ClientAsAsync(phone);
            var unitId = (await client.GetJsonAsync("/api/v1/me")).GetProperty("roles")[0].GetProperty("unitId").GetString()!;
            foreach (var op in operations)
            {
                foreach (var (label, request, mustRefuse) in Cases(document, op, unitId))
                {
                    using (request)
                    {
                        using var response = await client.SendAsync(request);
                        sent++;
                        var status = (int)response.StatusCode;
                        var what = $"{op.Method} {op.Path} [{label}] as {phone}: {status}";
                        if (status >= 500 || mustRefuse && status < 400)
                        {
                            failures.Add(what + " " + Cut(await response.Content.ReadAsStringAsync()));
                        }
                        else if (status >= 400 && await ProblemFailureAsync(response) is { } why)
                        {
                            failures.Add($"{what} {why}");
                        }
                        else if (status == 409 && (await response.JsonAsync()).GetProperty("code").GetString() == "conflict")
                        {
                            // The database refused what validation let through (one provider stores it, the other does not).
                            failures.Add($"{what} refused by the database, not by validation");
                        }
                    }
                }
            }
        }

        Assert.True(sent > 500, $"only {sent} requests sent");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} answers were wrong:\n" + string.Join("\n", failures.Take(60)));
    }

    private sealed record Operation(string Method, string Path, JsonNode Node);

    private static IEnumerable<Operation> Operations(JsonNode document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var (method, node) in item!.AsObject())
            {
                if (method is "get" or "post" or "put" or "patch" or "delete")
                {
                    yield return new Operation(method.ToUpperInvariant(), path, node!);
                }
            }
        }
    }

    private const string Huge = "长";

    /// <summary>Strings that break naive code: a lone surrogate, NUL and controls, bidi and zero-width marks, emoji, a formula.</summary>
    private static readonly string[] OddStrings =
    [
        "\ud800", "a\u0000b", "\u202e\u200b\ufeff", "田🔥晨刚👨‍👩‍👧", "=HYPERLINK(\"http://x\",\"y\")", "'; DROP TABLE units; --", "../../etc/passwd",
    ];

    private static IEnumerable<(string Label, HttpRequestMessage Request, bool MustRefuse)> Cases(JsonNode document, Operation op, string unitId)
    {
        var url = Url(op, unitId);
        var schema = BodySchema(document, op.Node);
        var queryNames = (op.Node["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).ToList();

        if (op.Method != "GET")
        {
            yield return ("malformed JSON", Json(op.Method, url, "{\"title\": \"未写完"), true);
            yield return ("truncated array", Json(op.Method, url, "[1, 2,"), true);
            if (schema is not null)
            {
                yield return ("wrong top-level type", Json(op.Method, url, "\"text\""), true);
                if (Properties(document, schema) is { Count: > 0 } properties)
                {
                    yield return ("wrong types", Json(op.Method, url, new JsonObject(properties.Select(p =>
                        KeyValuePair.Create(p.Key, (JsonNode?)WrongType(document, p.Value)))).ToJsonString()), true);
                    yield return ("out of range", Json(op.Method, url, new JsonObject(properties.Select(p =>
                        KeyValuePair.Create(p.Key, Extreme(document, p.Value, huge: false)))).ToJsonString()), false);
                    yield return ("huge strings", Json(op.Method, url, new JsonObject(properties.Select(p =>
                        KeyValuePair.Create(p.Key, Extreme(document, p.Value, huge: true)))).ToJsonString()), false);
                }
            }
        }

        if (queryNames.Count > 0)
        {
            foreach (var (label, value) in new[] { ("query: text", "x"), ("query: negative", "-1"), ("query: huge number", "99999999999999999999"), ("query: far date", "0001-01-01T00:00:00+14:00"), ("query: odd", "\ud83d\u0000") })
            {
                var query = string.Join("&", queryNames.Select(n => $"{n}={Uri.EscapeDataString(value.Replace("\ud83d", "\ufffd", StringComparison.Ordinal))}"));
                yield return (label, new HttpRequestMessage(new HttpMethod(op.Method), $"{url}?{query}"), false);
            }
        }
    }

    /// <summary>The path with every parameter filled: the caller's own unit for unit ids, a fresh id or an odd word elsewhere.</summary>
    private static string Url(Operation op, string unitId) => PathParameter().Replace(op.Path, m => m.Groups[1].Value switch
    {
        "id" when op.Path.StartsWith("/api/v1/units/", StringComparison.Ordinal) => unitId,
        "action" => "dispatch",
        "districtCode" => HongtaCode,
        var name when name.EndsWith("Id", StringComparison.Ordinal) || name == "id" => Guid.NewGuid().ToString(),
        _ => "x%E2%80%AE%F0%9F%94%A5",
    });

    private static HttpRequestMessage Json(string method, string url, string body) => new(new HttpMethod(method), url)
    {
        Content = new StringContent(body, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }),
    };

    private static JsonNode? BodySchema(JsonNode document, JsonNode operation) =>
        operation["requestBody"]?["content"]?["application/json"]?["schema"] is { } s ? Resolve(document, s) : null;

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema["$ref"] is { } reference)
            {
                schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]]!;
            }
            else if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray choices && choices.FirstOrDefault(c => (string?)c!["type"] != "null") is { } some)
            {
                schema = some; // an optional body: the body it is when sent
            }
            else
            {
                break;
            }
        }

        return schema;
    }

    private static Dictionary<string, JsonNode> Properties(JsonNode document, JsonNode schema) =>
        Resolve(document, schema)["properties"]?.AsObject().ToDictionary(p => p.Key, p => Resolve(document, p.Value!)) ?? [];

    private static HashSet<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray a => [.. a.Select(t => (string)t!)],
        JsonValue v => [(string)v!],
        _ => schema["enum"] is not null ? ["string"] : ["object"],
    };

    private static JsonNode WrongType(JsonNode document, JsonNode schema)
    {
        var types = Types(Resolve(document, schema));
        return types.Contains("array") || types.Contains("object") ? JsonValue.Create(42) : types.Contains("string") ? new JsonObject { ["x"] = 1 } : JsonValue.Create("不是数字");
    }

    private static JsonNode? Extreme(JsonNode document, JsonNode schema, bool huge)
    {
        schema = Resolve(document, schema);
        var types = Types(schema);
        var format = (string?)schema["format"];
        if (types.Contains("integer") || types.Contains("number"))
        {
            return huge ? JsonValue.Create(-1) : JsonValue.Create(1e300);
        }

        if (format is "date-time" or "date")
        {
            return huge ? JsonValue.Create("9999-12-31T23:59:59-14:00") : JsonValue.Create("0001-01-01T00:00:00+14:00");
        }

        if (format == "uuid")
        {
            return JsonValue.Create(Guid.Empty.ToString());
        }

        if (types.Contains("string"))
        {
            return JsonValue.Create(huge ? new string(Huge[0], 100_000) : string.Concat(OddStrings));
        }

        if (types.Contains("array"))
        {
            return huge ? new JsonArray([.. Enumerable.Range(0, 2_000).Select(_ => (JsonNode?)JsonValue.Create(string.Concat(OddStrings)))]) : new JsonArray();
        }

        if (types.Contains("boolean"))
        {
            return JsonValue.Create(true);
        }

        return new JsonObject();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        Assert.True(response.StatusCode == status, $"{what}: expected {(int)status}, got {(int)response.StatusCode} {response.Headers.Location}");
        Assert.Null(response.Headers.Location);
        Assert.Null(await ProblemFailureAsync(response));
    }

    /// <summary>Why the answer is not a problem document in Chinese, or null when it is one.</summary>
    private static async Task<string?> ProblemFailureAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"not a problem document ({response.Content.Headers.ContentType?.MediaType}): {Cut(text)}";
        }

        var problem = JsonDocument.Parse(text).RootElement;
        var words = (problem.TryGetProperty("title", out var t) ? t.GetString() : "") + (problem.TryGetProperty("detail", out var d) ? d.GetString() : "");
        return Chinese().IsMatch(words) ? null : $"not in Chinese: {Cut(text)}";
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    [GeneratedRegex(@"\{([^}:?]+)[^}]*\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"[\u4e00-\u9fff]")]
    private static partial Regex Chinese();
}
