namespace Wenming.Web.Features.Orders.Open311;

/// <summary>
/// A refusal in the spec's terms: 404 for what does not exist, 403 for a wrong or missing api_key, 400 for anything
/// else. Each description names the field it is about, so a partner's developer can fix the call.
/// </summary>
internal sealed class Open311Exception(int status, IReadOnlyList<string> descriptions) : Exception(string.Join(" ", descriptions))
{
    public int Status => status;

    public IReadOnlyList<string> Descriptions => descriptions;

    public static Open311Exception BadRequest(params string[] descriptions) => new(StatusCodes.Status400BadRequest, descriptions);

    public static Open311Exception Forbidden(string description) => new(StatusCodes.Status403Forbidden, [description]);

    public static Open311Exception NotFound(string description) => new(StatusCodes.Status404NotFound, [description]);
}

internal static class Open311Errors
{
    /// <summary>How the order's own validation names a field, and how a GeoReport client names it.</summary>
    private static readonly Dictionary<string, string> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["title"] = "attribute[title]",
        ["description"] = "description",
        ["platformId"] = "service_code",
        ["menuItemId"] = "service_code",
        ["address"] = "address_string",
        ["latitude"] = "lat",
        ["coordinateSystem"] = "lat",
        ["wantedAt"] = "attribute[wanted_time]",
        ["contactName"] = "first_name",
        ["contactPhone"] = "phone",
    };

    /// <summary><c>&lt;errors&gt;&lt;error&gt;&lt;code/&gt;&lt;description/&gt;&lt;/error&gt;…&lt;/errors&gt;</c>, one error per line of the refusal.</summary>
    public static SparkList Document(int code, IEnumerable<string> descriptions) =>
        new("errors", [.. descriptions.Select(d => new SparkObject("error", [new SparkValue("code", code), new SparkValue("description", d)]))]);

    /// <summary>The order's field errors, renamed to the form fields the client sent.</summary>
    public static IEnumerable<string> FromInput(IDictionary<string, string[]> errors) =>
        errors.SelectMany(e => e.Value.Select(message => $"{Fields.GetValueOrDefault(e.Key, e.Key)}: {message}"));
}
