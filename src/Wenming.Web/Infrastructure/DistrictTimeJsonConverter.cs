using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wenming.Web.Infrastructure;

/// <summary>Times are stored in UTC and spoken in the district's zone (Asia/Shanghai), ISO 8601 with offset.</summary>
internal sealed class DistrictTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(TimeZoneInfo.ConvertTime(value, Zone));
}
