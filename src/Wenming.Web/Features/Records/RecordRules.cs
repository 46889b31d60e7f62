using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>
/// A district's rules for hours: the cumulative confirmed hours each star level (一星 … 五星) takes, and whether backfilled
/// hours earn points. Without a row of its own a district has the national defaults.
/// </summary>
internal sealed class RecordRules : IDistrictOwned
{
    /// <summary>一星 100 h, 二星 300 h, 三星 600 h, 四星 1,000 h, 五星 1,500 h.</summary>
    public static readonly IReadOnlyList<int> DefaultStarHours = [100, 300, 600, 1000, 1500];

    private static readonly string[] StarNames = ["一星", "二星", "三星", "四星", "五星"];

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

    /// <summary>The star level (0 for none yet) that <paramref name="minutes"/> of confirmed service reach.</summary>
    public static int Star(IReadOnlyList<int> starHours, long minutes) => starHours.Count(h => minutes >= h * 60L);

    public static string StarName(int star) => star == 0 ? "暂无星级" : StarNames[star - 1] + "志愿者";

    /// <summary>Hours to show: minutes as hours with one decimal.</summary>
    public static decimal Hours(long minutes) => Math.Round(minutes / 60m, 1, MidpointRounding.AwayFromZero);
}
