using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>
/// A district's rules for hours: the cumulative confirmed hours each star level (一星 … 五星) takes, which level of unit
/// certifies each star (认定), the day its service year ends (hours after it count towards the next year), and whether
/// backfilled hours earn points. Without a row of its own a district has the national defaults.
/// </summary>
internal sealed class RecordRules : IDistrictOwned
{
    /// <summary>一星 100 h, 二星 300 h, 三星 600 h, 四星 1,000 h, 五星 1,500 h.</summary>
    public static readonly IReadOnlyList<int> DefaultStarHours = [100, 300, 600, 1000, 1500];

    private static readonly string[] StarNames = ["一星", "二星", "三星", "四星", "五星"];

    /// <summary>一星、二星 by the station, 三星 by the institute, 四星、五星 by the center.</summary>
    public static readonly IReadOnlyList<Organization.UnitKind> DefaultCertifiers =
        [Organization.UnitKind.Station, Organization.UnitKind.Station, Organization.UnitKind.Institute, Organization.UnitKind.Center, Organization.UnitKind.Center];

    /// <summary>The levels that may certify a star.</summary>
    public static readonly IReadOnlyList<Organization.UnitKind> CertifyingKinds =
        [Organization.UnitKind.Station, Organization.UnitKind.Institute, Organization.UnitKind.Center];

    private RecordRules()
    {
    }

    public RecordRules(Guid districtId, IReadOnlyList<int> starHours, bool backfillEarnsPoints, DateTimeOffset now)
    {
        DistrictId = districtId;
        Change(starHours, backfillEarnsPoints, now);
    }

    public Guid DistrictId { get; private set; }
    public List<int> StarHours { get; private set; } = [.. DefaultStarHours];

    /// <summary>For each star, the <see cref="Organization.UnitKind"/> (as its number) whose admins certify it.</summary>
    public List<int> StarCertifiers { get; private set; } = [.. DefaultCertifiers.Select(k => (int)k)];

    /// <summary>The last day of the service year, as month × 100 + day (1231: the calendar year).</summary>
    public int YearEnd { get; private set; } = 1231;

    public bool BackfillEarnsPoints { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public void Change(IReadOnlyList<int> starHours, bool backfillEarnsPoints, DateTimeOffset now)
    {
        if (starHours.Count != StarNames.Length || starHours[0] <= 0 || starHours.Zip(starHours.Skip(1)).Any(p => p.Second <= p.First) || starHours[^1] > 100_000)
        {
            throw new Infrastructure.Problems.InputException(new Dictionary<string, string[]>
            {
                ["starHours"] = ["请按一星到五星的顺序填写 5 个递增的时长（小时，1 到 100000）"],
            });
        }

        StarHours = [.. starHours];
        BackfillEarnsPoints = backfillEarnsPoints;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>The certifying levels and the year's last day, checked; refused with the field's reason otherwise.</summary>
    public void ChangeCertification(IReadOnlyList<Organization.UnitKind> certifiers, int yearEnd)
    {
        var errors = new Dictionary<string, string[]>();
        if (certifiers.Count != StarNames.Length || certifiers.Any(k => !CertifyingKinds.Contains(k)))
        {
            errors["starCertifiers"] = ["请为一星到五星各选一个认定层级（Station 实践站、Institute 实践所、Center 实践中心）"];
        }

        if (yearEnd / 100 is < 1 or > 12 || yearEnd % 100 < 1 || yearEnd % 100 > DateTime.DaysInMonth(2001, yearEnd / 100))
        {
            errors["yearEnd"] = ["请填写服务年度的截止日（如 12-31 或 11-30）"];
        }

        if (errors.Count > 0)
        {
            throw new Infrastructure.Problems.InputException(errors);
        }

        StarCertifiers = [.. certifiers.Select(k => (int)k)];
        YearEnd = yearEnd;
    }

    /// <summary>The service year a day belongs to: after the year's last day, the next one.</summary>
    public static int ServiceYear(DateOnly day, int yearEnd) => day.Month * 100 + day.Day > yearEnd ? day.Year + 1 : day.Year;

    /// <summary>The star level (0 for none yet) that <paramref name="minutes"/> of confirmed service reach.</summary>
    public static int Star(IReadOnlyList<int> starHours, long minutes) => starHours.Count(h => minutes >= h * 60L);

    public static string StarName(int star) => star == 0 ? "暂无星级" : StarNames[star - 1] + "志愿者";

    /// <summary>Hours to show: minutes as hours with one decimal.</summary>
    public static decimal Hours(long minutes) => Math.Round(minutes / 60m, 1, MidpointRounding.AwayFromZero);
}
