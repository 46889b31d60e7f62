using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <summary>
/// A district's earning rules: points per confirmed hour of service and per delivered order, for each volunteer who served
/// an order the resident rated well (<see cref="GoodRating"/> stars or more), and for an honour given to a volunteer; 0
/// turns a rule off. Without a row of its own a district has the defaults. Whether backfilled (补录) hours earn points is
/// the records' rule (<see cref="Records.RecordRules.BackfillEarnsPoints"/>), set in the same place as the star levels.
/// </summary>
internal sealed class PointsRules : IDistrictOwned
{
    public const int DefaultPerHour = 10;
    public const int DefaultPerOrder = 5;
    public const int DefaultPerGoodRating = 2;
    public const int DefaultHonourBonus = 20;

    /// <summary>The fewest stars that count as a good rating (of 1–5; 1–2 send the order to review, 3 is neither).</summary>
    public const int GoodRating = 4;

    /// <summary>The most points a rule may give at once.</summary>
    public const int Most = 1000;

    private PointsRules()
    {
    }

    public PointsRules(Guid districtId, int perHour, int perOrder, int perGoodRating, int honourBonus, bool expiresYearly, DateTimeOffset now)
    {
        DistrictId = districtId;
        Change(perHour, perOrder, perGoodRating, honourBonus, expiresYearly, now);
    }

    public Guid DistrictId { get; private set; }
    public int PerHour { get; private set; } = DefaultPerHour;
    public int PerOrder { get; private set; } = DefaultPerOrder;

    /// <summary>For each volunteer who served an order, when its resident rates it <see cref="GoodRating"/> stars or more.</summary>
    public int PerGoodRating { get; private set; } = DefaultPerGoodRating;

    /// <summary>For a volunteer given an honour (any title of the district's list); taken back if the honour is withdrawn.</summary>
    public int HonourBonus { get; private set; } = DefaultHonourBonus;

    /// <summary>Points held at the end of 31 December lapse (by expiry transfers, never by deletion).</summary>
    public bool ExpiresYearly { get; private set; }

    /// <summary>The last year whose points have lapsed; a district that turns expiry on lets no earlier year lapse.</summary>
    public int? ExpiredThroughYear { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public void Expired(int year) => ExpiredThroughYear = Math.Max(ExpiredThroughYear ?? year, year);

    public void Change(int perHour, int perOrder, int perGoodRating, int honourBonus, bool expiresYearly, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (perHour is < 0 or > Most || perOrder is < 0 or > Most)
        {
            errors["perHour"] = ["每小时积分和每单积分应在 0 到 1000 之间"];
        }

        if (perGoodRating is < 0 or > Most || honourBonus is < 0 or > Most)
        {
            errors["perGoodRating"] = ["好评积分和荣誉奖励积分应在 0 到 1000 之间"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        PerHour = perHour;
        PerOrder = perOrder;
        PerGoodRating = perGoodRating;
        HonourBonus = honourBonus;
        if (expiresYearly && !ExpiresYearly)
        {
            ExpiredThroughYear = Math.Max(ExpiredThroughYear ?? 0, Infrastructure.DistrictTime.Today(now).Year - 1);
        }

        ExpiresYearly = expiresYearly;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>What a service of <paramref name="minutes"/> in all earns: whole points for the time (rounded down), and the order's bonus.</summary>
    public static long Standing(long minutes, bool isOrder, int perHour, int perOrder) =>
        minutes <= 0 ? 0 : minutes * perHour / 60 + (isOrder ? perOrder : 0);
}

/// <summary>
/// What one service of one volunteer has earned so far, with the rates it was first earned at: the points subscriber's own
/// tally, so that a correction of the service's hours is reversed at the rates it earned, whatever the rules say later.
/// </summary>
internal sealed class PointsEarning : IDistrictOwned
{
    private PointsEarning()
    {
    }

    public PointsEarning(Guid districtId, Guid volunteerId, string serviceKey, bool isOrder, int perHour, int perOrder)
    {
        Id = Infrastructure.Data.Ids.New();
        DistrictId = districtId;
        VolunteerId = volunteerId;
        ServiceKey = serviceKey;
        IsOrder = isOrder;
        PerHour = perHour;
        PerOrder = perOrder;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public string ServiceKey { get; private set; } = "";
    public bool IsOrder { get; private set; }
    public int PerHour { get; private set; }
    public int PerOrder { get; private set; }
    public long Minutes { get; private set; }
    public long Points { get; private set; }

    /// <summary>Adds the minutes of a record; returns how many points are now due (negative: to take back).</summary>
    public long Add(int minutes)
    {
        Minutes += minutes;
        return PointsRules.Standing(Minutes, IsOrder, PerHour, PerOrder) - Points;
    }

    public void Moved(long points) => Points += points;
}
