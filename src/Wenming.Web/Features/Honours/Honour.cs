using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Honours;

/// <summary>Who an honour goes to: a person (a volunteer or a resident) or a household (文明家庭, 十星级文明户).</summary>
internal enum RecipientKind
{
    Person = 1,
    Household = 2,
}

/// <summary>How a title is given: by a unit's decision, by public vote, or computed every month (志愿者之星).</summary>
internal enum AwardMethod
{
    Decision = 1,
    Vote = 2,
    Monthly = 3,
}

/// <summary>
/// One honour title of a district's list (嘉许激励): its name, whom it goes to and how it is given. The list is the
/// district's, not code: a center admin edits it; a title in use is retired, never deleted.
/// </summary>
internal sealed class HonourTitle : IDistrictOwned
{
    /// <summary>The titles the seeds name, for a district that has not written its own list yet.</summary>
    public static readonly IReadOnlyList<(string Name, RecipientKind Recipient, AwardMethod Method)> Defaults =
    [
        ("志愿者之星", RecipientKind.Person, AwardMethod.Monthly),
        ("最美志愿者", RecipientKind.Person, AwardMethod.Vote),
        ("身边好人", RecipientKind.Person, AwardMethod.Vote),
        ("道德模范", RecipientKind.Person, AwardMethod.Decision),
        ("文明家庭", RecipientKind.Household, AwardMethod.Decision),
        ("十星级文明户", RecipientKind.Household, AwardMethod.Decision),
        ("清洁农户", RecipientKind.Household, AwardMethod.Decision),
    ];

    private HonourTitle()
    {
    }

    public HonourTitle(Guid districtId, string name, RecipientKind recipient, AwardMethod method, int sortOrder)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Name = name;
        Recipient = recipient;
        Method = method;
        SortOrder = sortOrder;
        IsActive = true;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Name { get; private set; } = "";
    public RecipientKind Recipient { get; private set; }
    public AwardMethod Method { get; private set; }
    public int SortOrder { get; private set; }
    public bool IsActive { get; private set; }

    public void Change(RecipientKind recipient, AwardMethod method, int sortOrder, bool active) =>
        (Recipient, Method, SortOrder, IsActive) = (recipient, method, sortOrder, active);

    public static string Check(string? name) =>
        name?.Trim() is { Length: >= 2 and <= 20 } n && !n.Any(char.IsControl)
            ? n
            : throw new InputException(new Dictionary<string, string[]> { ["name"] = ["荣誉名称为 2 到 20 个字"] });
}

/// <summary>
/// An honour given: the title, to whom (a volunteer of the platform or a named person or household), at which unit,
/// for which period, on what evidence, by whom. Public on the unit's 善行义举榜. Never edited; a mistaken award is
/// withdrawn with a reason and stays on record. Giving and withdrawing are published (<see cref="HonourAwarded"/>,
/// <see cref="HonourWithdrawn"/>) for what follows them, such as a volunteer's points.
/// </summary>
internal sealed class HonourAward : IDistrictOwned, IRaisesEvents
{
    private List<IOutboxEvent>? _outbox;

    private HonourAward()
    {
    }

    public HonourAward(Guid districtId, HonourTitle title, Guid unitId, string recipientName, Guid? volunteerId, string period, string evidence,
        AwardMethod method, Guid? roundId, Guid? awardedById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        TitleId = title.Id;
        TitleName = title.Name;
        Recipient = title.Recipient;
        UnitId = unitId;
        RecipientName = recipientName;
        VolunteerId = volunteerId;
        Period = period;
        Evidence = evidence;
        Method = method;
        RoundId = roundId;
        AwardedById = awardedById;
        AwardedAt = now;
        (_outbox ??= []).Add(new HonourAwarded(DistrictId, Id, VolunteerId, TitleId, TitleName, RecipientName, Period, UnitId, now));
    }

    public bool HasEvents => _outbox is { Count: > 0 };

    public IReadOnlyList<IOutboxEvent> TakeEvents()
    {
        var taken = _outbox ?? [];
        _outbox = null;
        return taken;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid TitleId { get; private set; }

    /// <summary>The title as it was named when given: a later rename does not rewrite the board.</summary>
    public string TitleName { get; private set; } = "";

    public RecipientKind Recipient { get; private set; }
    public Guid UnitId { get; private set; }
    public Organization.Unit? Unit { get; private set; }
    public string RecipientName { get; private set; } = "";
    public Guid? VolunteerId { get; private set; }

    /// <summary>What the honour is for: a month (2026-11), a year (2026), or a round's name.</summary>
    public string Period { get; private set; } = "";

    public string Evidence { get; private set; } = "";
    public AwardMethod Method { get; private set; }
    public Guid? RoundId { get; private set; }
    public Guid? AwardedById { get; private set; }
    public DateTimeOffset AwardedAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public string? WithdrawReason { get; private set; }

    public void Withdraw(string reason, DateTimeOffset now)
    {
        if (WithdrawnAt is not null)
        {
            throw new DomainException("honour-withdrawn", "这项荣誉已经撤销", 409);
        }

        (WithdrawnAt, WithdrawReason) = (now, reason);
        (_outbox ??= []).Add(new HonourWithdrawn(DistrictId, Id, VolunteerId, TitleName, Period, reason, now));
    }
}

/// <summary>An honour given, to a volunteer of the platform (<see cref="VolunteerId"/>) or to a named person or household.</summary>
internal sealed record HonourAwarded(Guid DistrictId, Guid SubjectId, Guid? VolunteerId, Guid TitleId, string TitleName, string RecipientName, string Period,
    Guid UnitId, DateTimeOffset AwardedAt) : IOutboxEvent
{
    public const string Name = "honour.awarded";

    public string Kind => Name;
}

/// <summary>An honour withdrawn, with the reason: it no longer stands.</summary>
internal sealed record HonourWithdrawn(Guid DistrictId, Guid SubjectId, Guid? VolunteerId, string TitleName, string Period, string Reason,
    DateTimeOffset WithdrawnAt) : IOutboxEvent
{
    public const string Name = "honour.withdrawn";

    public string Kind => Name;
}

/// <summary>
/// A public vote (评选) for a title at a unit: nominations with their evidence, a window in which every signed-in account
/// of the district votes once, and the result: the most-voted nominees, awarded when an admin closes it after the window.
/// </summary>
internal sealed class VoteRound : IDistrictOwned
{
    private VoteRound()
    {
    }

    public VoteRound(Guid districtId, HonourTitle title, Guid unitId, string name, DateTimeOffset opensAt, DateTimeOffset closesAt, int winners,
        Guid createdById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        TitleId = title.Id;
        UnitId = unitId;
        Name = name;
        OpensAt = opensAt;
        ClosesAt = closesAt;
        Winners = winners;
        CreatedById = createdById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid TitleId { get; private set; }
    public HonourTitle? Title { get; private set; }
    public Guid UnitId { get; private set; }
    public Organization.Unit? Unit { get; private set; }
    public string Name { get; private set; } = "";
    public DateTimeOffset OpensAt { get; private set; }
    public DateTimeOffset ClosesAt { get; private set; }
    public int Winners { get; private set; }
    public Guid CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public int Version { get; private set; }

    public bool IsOpen(DateTimeOffset now) => ClosedAt is null && now >= OpensAt && now < ClosesAt;

    public void Close(DateTimeOffset now)
    {
        if (ClosedAt is not null)
        {
            throw new DomainException("round-closed", "这轮评选已经结束并公布结果", 409);
        }

        if (now < ClosesAt)
        {
            throw new DomainException("round-running", "投票还没有截止，截止后再公布结果");
        }

        ClosedAt = now;
        Version++;
    }
}

/// <summary>Someone put forward in a round, with what they did (the evidence voters read).</summary>
internal sealed class Nominee : IDistrictOwned
{
    private Nominee()
    {
    }

    public Nominee(Guid districtId, Guid roundId, string name, Guid? volunteerId, string evidence, Guid nominatedById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        RoundId = roundId;
        Name = name;
        VolunteerId = volunteerId;
        Evidence = evidence;
        NominatedById = nominatedById;
        NominatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid RoundId { get; private set; }
    public string Name { get; private set; } = "";
    public Guid? VolunteerId { get; private set; }
    public string Evidence { get; private set; } = "";
    public Guid NominatedById { get; private set; }
    public DateTimeOffset NominatedAt { get; private set; }
}

/// <summary>One account's vote in a round: the database holds one a round and account (a unique index), whatever the timing.</summary>
internal sealed class HonourVote : IDistrictOwned
{
    private HonourVote()
    {
    }

    public HonourVote(Guid districtId, Guid roundId, Guid nomineeId, Guid userId, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        RoundId = roundId;
        NomineeId = nomineeId;
        UserId = userId;
        VotedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid RoundId { get; private set; }
    public Guid NomineeId { get; private set; }
    public Guid UserId { get; private set; }
    public DateTimeOffset VotedAt { get; private set; }
}

/// <summary>
/// How a district picks its monthly 志愿者之星: per station, the volunteers whose home it is, scored by the hours they
/// served that month plus <see cref="RatingWeight"/> hours for each star their orders' average rating stands above 3 (and less
/// for each below; no rating counts as 3); at least
/// <see cref="MinHours"/>; the best <see cref="StarsPerUnit"/>.
/// </summary>
internal sealed class HonourRules : IDistrictOwned
{
    private HonourRules()
    {
    }

    public HonourRules(Guid districtId) => DistrictId = districtId;

    public Guid DistrictId { get; private set; }
    public int StarsPerUnit { get; private set; } = 1;
    public int MinHours { get; private set; } = 4;
    public decimal RatingWeight { get; private set; } = 1;
    public int Version { get; private set; }

    public void Change(int starsPerUnit, int minHours, decimal ratingWeight)
    {
        var errors = new Dictionary<string, string[]>();
        if (starsPerUnit is < 1 or > 10)
        {
            errors["starsPerUnit"] = ["每站每月 1 到 10 名"];
        }

        if (minHours is < 0 or > 200)
        {
            errors["minHours"] = ["最少服务时长为 0 到 200 小时"];
        }

        if (ratingWeight is < 0 or > 20)
        {
            errors["ratingWeight"] = ["评价权重为 0 到 20"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        (StarsPerUnit, MinHours, RatingWeight) = (starsPerUnit, minHours, ratingWeight);
        Version++;
    }
}
