namespace Wenming.Web.Infrastructure;

/// <summary>
/// Points on the map. Stored as WGS-84 (what GPS and browsers give); Chinese phone maps give GCJ-02, converted on the way
/// in. No spatial plugin on SQLite: callers narrow by a bounding box in SQL and finish with <see cref="Meters"/>.
/// </summary>
internal static class Geo
{
    private const double EarthRadiusMeters = 6_371_000;

    /// <summary>Great-circle distance.</summary>
    public static double Meters(double lat1, double lng1, double lat2, double lng2)
    {
        var dLat = double.DegreesToRadians(lat2 - lat1);
        var dLng = double.DegreesToRadians(lng2 - lng1);
        var a = Math.Pow(Math.Sin(dLat / 2), 2)
                + Math.Cos(double.DegreesToRadians(lat1)) * Math.Cos(double.DegreesToRadians(lat2)) * Math.Pow(Math.Sin(dLng / 2), 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Sqrt(Math.Min(1, a)));
    }

    /// <summary>Degrees of latitude and longitude that cover at least <paramref name="meters"/> around a point.</summary>
    public static (double Lat, double Lng) Box(double lat, double meters)
    {
        var dLat = meters / 111_000.0;
        var dLng = meters / (111_000.0 * Math.Max(0.01, Math.Cos(double.DegreesToRadians(lat))));
        return (dLat, dLng);
    }

    /// <summary>
    /// A point as a client sends it: none when neither coordinate is given; WGS-84 (the default) or GCJ-02, converted to
    /// WGS-84. A half point, a point off the globe or an unknown coordinate system adds its reason to <paramref name="errors"/>.
    /// </summary>
    public static (double Lat, double Lng)? ReadPoint(double? lat, double? lng, string? system, IDictionary<string, string[]> errors)
    {
        if (lat is null && lng is null)
        {
            return null;
        }

        if (lat is not { } la || lng is not { } ln || !IsValid(la, ln))
        {
            errors["latitude"] = ["位置坐标无效"];
            return null;
        }

        switch ((system ?? "wgs84").Trim().ToLowerInvariant())
        {
            case "wgs84" or "wgs-84":
                return (la, ln);
            case "gcj02" or "gcj-02":
                return Gcj02ToWgs84(la, ln);
            default:
                errors["coordinateSystem"] = ["坐标系应为 wgs84 或 gcj02"];
                return null;
        }
    }

    public static bool IsValid(double lat, double lng) => lat is >= -90 and <= 90 && lng is >= -180 and <= 180 && !(lat == 0 && lng == 0);

    /// <summary>GCJ-02 (高德, 腾讯 and WeChat maps) to WGS-84, by inverting the published forward offset (accurate to well under a metre).</summary>
    public static (double Lat, double Lng) Gcj02ToWgs84(double lat, double lng)
    {
        if (OutsideChina(lat, lng))
        {
            return (lat, lng);
        }

        var (wLat, wLng) = (lat, lng);
        for (var i = 0; i < 10; i++)
        {
            var (gLat, gLng) = Wgs84ToGcj02(wLat, wLng);
            var (eLat, eLng) = (gLat - lat, gLng - lng);
            wLat -= eLat;
            wLng -= eLng;
            if (Math.Abs(eLat) < 1e-9 && Math.Abs(eLng) < 1e-9)
            {
                break;
            }
        }

        return (wLat, wLng);
    }

    public static (double Lat, double Lng) Wgs84ToGcj02(double lat, double lng)
    {
        if (OutsideChina(lat, lng))
        {
            return (lat, lng);
        }

        const double a = 6378245.0;
        const double ee = 0.00669342162296594323;
        var dLat = TransformLat(lng - 105.0, lat - 35.0);
        var dLng = TransformLng(lng - 105.0, lat - 35.0);
        var radLat = lat / 180.0 * Math.PI;
        var magic = Math.Sin(radLat);
        magic = 1 - ee * magic * magic;
        var sqrtMagic = Math.Sqrt(magic);
        dLat = dLat * 180.0 / (a * (1 - ee) / (magic * sqrtMagic) * Math.PI);
        dLng = dLng * 180.0 / (a / sqrtMagic * Math.Cos(radLat) * Math.PI);
        return (lat + dLat, lng + dLng);
    }

    private static bool OutsideChina(double lat, double lng) => lng is < 72.004 or > 137.8347 || lat is < 0.8293 or > 55.8271;

    private static double TransformLat(double x, double y)
    {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.Sqrt(Math.Abs(x));
        r += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        r += (20.0 * Math.Sin(y * Math.PI) + 40.0 * Math.Sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
        r += (160.0 * Math.Sin(y / 12.0 * Math.PI) + 320 * Math.Sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
        return r;
    }

    private static double TransformLng(double x, double y)
    {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.Sqrt(Math.Abs(x));
        r += (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        r += (20.0 * Math.Sin(x * Math.PI) + 40.0 * Math.Sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
        r += (150.0 * Math.Sin(x / 12.0 * Math.PI) + 300.0 * Math.Sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
        return r;
    }
}
