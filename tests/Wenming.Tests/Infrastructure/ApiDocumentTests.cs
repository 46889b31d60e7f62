using System.Text.Json;

namespace Wenming.Tests.Infrastructure;

/// <summary>The OpenAPI document as a client generator reads it: named answers, optional fields optional, every field typed.</summary>
public sealed class ApiDocumentTests
{
    private static async Task<JsonElement> DocumentAsync()
    {
        using var client = TestHosts.Get("Sqlite").CreateClient();
        return await client.GetJsonAsync("/openapi/v1.json");
    }

    private static JsonElement Schemas(JsonElement document) => document.GetProperty("components").GetProperty("schemas");

    private static HashSet<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!).ToHashSet() : [];

    private static bool IsNullable(JsonElement property) =>
        property.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.GetString() == "null")
        || property.TryGetProperty("oneOf", out var oneOf) && oneOf.EnumerateArray().Any(o => o.TryGetProperty("type", out var t) && t.GetString() == "null");

    [Fact]
    public async Task Every_schema_is_named_after_a_type_of_the_code_not_an_anonymous_one()
    {
        var names = Schemas(await DocumentAsync()).EnumerateObject().Select(s => s.Name).ToList();

        Assert.NotEmpty(names);
        Assert.DoesNotContain(names, n => n.StartsWith("AnonymousType", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_s_nullable_fields_are_optional_and_the_order_input_requires_none()
    {
        var document = await DocumentAsync();
        var schemas = Schemas(document);
        var order = schemas.GetProperty("OrderInput");
        foreach (var optional in new[] { "description", "menuItemId", "unitId", "address", "latitude", "wantedAt", "contactName", "contactPhone" })
        {
            Assert.True(order.GetProperty("properties").TryGetProperty(optional, out _), $"OrderInput.{optional} is documented");
            Assert.DoesNotContain(optional, Required(order));
        }

        var bodies = document.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("requestBody", out _))
            .SelectMany(o => o.Value.GetProperty("requestBody").GetProperty("content").EnumerateObject())
            .Select(c => c.Value.GetProperty("schema"))
            .Where(s => s.TryGetProperty("$ref", out _))
            .Select(s => s.GetProperty("$ref").GetString()!.Split('/')[^1])
            .Distinct()
            .ToList();
        Assert.Contains("OrderInput", bodies);
        var wrong = bodies.Select(b => (Name: b, Schema: schemas.GetProperty(b)))
            .SelectMany(b => Required(b.Schema).Where(r => IsNullable(b.Schema.GetProperty("properties").GetProperty(r))).Select(r => $"{b.Name}.{r}"))
            .ToList();
        Assert.True(wrong.Count == 0, "nullable but required: " + string.Join(", ", wrong));
    }

    [Fact]
    public async Task Every_field_has_a_type_and_times_are_date_time_strings()
    {
        var schemas = Schemas(await DocumentAsync());
        var untyped = schemas.EnumerateObject()
            .SelectMany(s => s.Value.TryGetProperty("properties", out var p) ? p.EnumerateObject().Select(f => (Schema: s.Name, Field: f)) : [])
            .Where(x => !new[] { "type", "$ref", "oneOf", "anyOf", "allOf" }.Any(k => x.Field.Value.TryGetProperty(k, out _)))
            .Select(x => $"{x.Schema}.{x.Field.Name}")
            .ToList();
        Assert.True(untyped.Count == 0, "no type: " + string.Join(", ", untyped));

        var wantedAt = schemas.GetProperty("OrderInput").GetProperty("properties").GetProperty("wantedAt");
        Assert.Equal("date-time", wantedAt.GetProperty("format").GetString());
        Assert.Contains("string", wantedAt.GetProperty("type").EnumerateArray().Select(t => t.GetString()));
    }
}
