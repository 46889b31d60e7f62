using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wenming.Web.Infrastructure;

/// <summary>Times are stored in UTC and spoken in the district's zone (Asia/Shanghai), ISO 8601 with offset.</summary>
internal sealed class DistrictTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    /// <summary>
    /// A time the platform can store and show: far-off years (0001, 9999 at an offset) cannot move into UTC or the district's
    /// zone, and no activity or order lies there. Outside this span the body is malformed (400), not a fault of ours.
    /// </summary>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDateTimeOffset();
        return value.Year is >= 1900 and <= 2200 ? value.ToUniversalTime() : throw new JsonException("时间应在 1900 至 2200 年之间");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(TimeZoneInfo.ConvertTime(value, Zone));
}
