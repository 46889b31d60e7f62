namespace Wenming.Web.Infrastructure;

/// <summary>Dates as the district lives them (Asia/Shanghai): ages, "today", deadlines shown to people.</summary>
internal static class DistrictTime
{
    public static DateOnly Today(DateTimeOffset utcNow) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, DistrictTimeJsonConverter.Zone).DateTime);
}
