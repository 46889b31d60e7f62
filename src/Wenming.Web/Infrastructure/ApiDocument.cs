using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Wenming.Web.Infrastructure;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, as clients read it:
/// <list type="bullet">
/// <item>times are strings (<c>date-time</c>): <see cref="DistrictTimeJsonConverter"/> writes them, and a custom
/// converter otherwise leaves the generator with no type at all;</item>
/// <item>a nullable field of a request body may be left out: the generator lists every constructor parameter of a
/// record as required. Answers write their null fields, so theirs stay required.</item>
/// </list>
/// </summary>
internal static class ApiDocument
{
    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddSchemaTransformer(TimesAsStrings);
            o.AddDocumentTransformer(NullableRequestFieldsOptional);
        });

    private static Task TimesAsStrings(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonPropertyInfo?.PropertyType ?? context.JsonTypeInfo.Type;
        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String | (Nullable.GetUnderlyingType(type) is null ? 0 : JsonSchemaType.Null);
            schema.Format = "date-time";
        }

        return Task.CompletedTask;
    }

    private static Task NullableRequestFieldsOptional(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var components = document.Components?.Schemas;
        var visited = new HashSet<IOpenApiSchema>(ReferenceEqualityComparer.Instance);
        var bodies = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.RequestBody?.Content?.Values ?? Enumerable.Empty<OpenApiMediaType>())
            .Select(m => m.Schema);
        foreach (var body in bodies)
        {
            Visit(body);
        }

        return Task.CompletedTask;

        void Visit(IOpenApiSchema? schema)
        {
            if (schema is OpenApiSchemaReference reference)
            {
                schema = reference.Reference.Id is { } id && components?.TryGetValue(id, out var target) == true ? target : null;
            }

            if (schema is not OpenApiSchema s || !visited.Add(s))
            {
                return;
            }

            foreach (var (name, property) in s.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                if (IsNullable(property))
                {
                    s.Required?.Remove(name);
                }

                Visit(property);
            }

            Visit(s.Items);
            foreach (var part in (s.OneOf ?? []).Concat(s.AnyOf ?? []).Concat(s.AllOf ?? []))
            {
                Visit(part);
            }
        }
    }

    private static bool IsNullable(IOpenApiSchema schema) =>
        schema.Type?.HasFlag(JsonSchemaType.Null) == true || schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true;
}
