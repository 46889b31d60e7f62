using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml;
using Wenming.Web.Infrastructure;

namespace Wenming.Web.Features.Orders.Open311;

/// <summary>
/// One GeoReport v2 answer, built once and rendered twice: as the spec's XML and as its JSON by the Spark convention
/// (wiki.open311.org/JSON_and_XML_Conversion): a container of one repeated child is an array even with one child, an
/// element of distinct children an object, an empty leaf null. Building both from one tree keeps the formats equal.
/// </summary>
internal abstract record SparkNode(string Name);

/// <summary>A leaf: a string, bool, int, double, <see cref="DateTimeOffset"/>, or null (an empty element).</summary>
internal sealed record SparkValue(string Name, object? Value) : SparkNode(Name);

/// <summary>An element of distinct children: an object in JSON. Always two fields or more, or Spark would read a list.</summary>
internal sealed record SparkObject(string Name, IReadOnlyList<SparkNode> Fields) : SparkNode(Name);

/// <summary>A container of repeated children (services → service): an array in JSON, the container's name dropped.</summary>
internal sealed record SparkList(string Name, IReadOnlyList<SparkNode> Items) : SparkNode(Name);

internal enum Open311Format
{
    Xml,
    Json,
}

internal static class SparkWriter
{
    /// <summary>
    /// Chinese, "+08:00" and apostrophes stay as they are: the answer is application/json for API clients, never embedded
    /// in a page, so HTML-safe escaping would only make it harder to read.
    /// </summary>
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static bool TryParseFormat(string? text, out Open311Format format)
    {
        format = Open311Format.Xml;
        switch (text?.ToLowerInvariant())
        {
            case "xml":
                return true;
            case "json":
                format = Open311Format.Json;
                return true;
            default:
                return false;
        }
    }

    public static string ContentType(Open311Format format) =>
        format == Open311Format.Json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8";

    public static byte[] Render(SparkNode root, Open311Format format) => format == Open311Format.Json ? Json(root) : Xml(root);

    /// <summary>W3C date-time with the district's offset (+08:00), whole seconds: the spec's common subset of ISO 8601.</summary>
    public static string Time(DateTimeOffset value) =>
        TimeZoneInfo.ConvertTime(value, DistrictTimeJsonConverter.Zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot carry (control characters a client may have sent); JSON gets the same text.</summary>
    public static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                clean.Append(c).Append(text[++i]);
            }
            else if (XmlConvert.IsXmlChar(c))
            {
                clean.Append(c);
            }
        }

        return clean.Length == text.Length ? text : clean.ToString();
    }

    private static byte[] Xml(SparkNode root)
    {
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
        using (var xml = XmlWriter.Create(stream, settings))
        {
            xml.WriteStartDocument();
            WriteXml(xml, root);
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static void WriteXml(XmlWriter xml, SparkNode node)
    {
        xml.WriteStartElement(node.Name);
        switch (node)
        {
            case SparkList list:
                foreach (var item in list.Items)
                {
                    WriteXml(xml, item);
                }

                break;
            case SparkObject obj:
                foreach (var field in obj.Fields)
                {
                    WriteXml(xml, field);
                }

                break;
            case SparkValue { Value: not null } value:
                xml.WriteString(Text(value.Value));
                break;
        }

        xml.WriteEndElement();
    }

    private static byte[] Json(SparkNode root)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            WriteJson(json, root);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteJson(Utf8JsonWriter json, SparkNode node)
    {
        switch (node)
        {
            case SparkList list:
                json.WriteStartArray();
                foreach (var item in list.Items)
                {
                    WriteJson(json, item);
                }

                json.WriteEndArray();
                break;
            case SparkObject obj:
                json.WriteStartObject();
                foreach (var field in obj.Fields)
                {
                    json.WritePropertyName(field.Name);
                    WriteJson(json, field);
                }

                json.WriteEndObject();
                break;
            case SparkValue value:
                switch (value.Value)
                {
                    case null:
                        json.WriteNullValue();
                        break;
                    case bool b:
                        json.WriteBooleanValue(b);
                        break;
                    case int i:
                        json.WriteNumberValue(i);
                        break;
                    case double d:
                        json.WriteNumberValue(d);
                        break;
                    default:
                        json.WriteStringValue(Text(value.Value));
                        break;
                }

                break;
        }
    }

    private static string Text(object value) => value switch
    {
        string s => Clean(s),
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => Time(t),
        _ => Clean(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };
}

/// <summary>A GeoReport answer in the format the path asked for, UTF-8 as the spec requires.</summary>
internal sealed class Open311Result(SparkNode document, Open311Format format, int status = StatusCodes.Status200OK) : IResult
{
    public SparkNode Document => document;

    public int Status => status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = SparkWriter.Render(document, format);
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = SparkWriter.ContentType(format);
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
