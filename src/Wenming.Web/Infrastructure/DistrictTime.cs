namespace Wenming.Web.Infrastructure;

/// <summary>Dates as the district lives them (Asia/Shanghai): ages, "today", deadlines shown to people.</summary>
internal static class DistrictTime
{
    public static DateOnly Today(DateTimeOffset utcNow) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, DistrictTimeJsonConverter.Zone).DateTime);

    /// <summary>The day's first instant in the district's time, in UTC as the stores compare it.</summary>
    public static DateTimeOffset StartOf(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), DistrictTimeJsonConverter.Zone.GetUtcOffset(day.ToDateTime(TimeOnly.MinValue))).ToUniversalTime();

    /// <summary>A moment as people read it in the district: date, hour and minute.</summary>
    public static string Minute(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, DistrictTimeJsonConverter.Zone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
