using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.RedYellowList;

/// <summary>红榜 items add points; 黄榜 items deduct them.</summary>
internal enum Colour
{
    Red = 1,
    Yellow = 2,
}

/// <summary>
/// One item of a district's red/yellow list (红黄双十条): a behaviour and the points it adds (red) or deducts (yellow). The
/// list is the district's: a center admin edits it; an item in use is retired, never deleted, and events keep the title and
/// points they were recorded with.
/// </summary>
internal sealed class ConductItem : IDistrictOwned
{
    /// <summary>Kaizhou's 十提倡 and 十抵制 (移风易俗), for a district that has not written its own list yet.</summary>
    public static readonly IReadOnlyList<(Colour Colour, string Title, int Points)> Defaults =
    [
        (Colour.Red, "孝老爱亲、赡养老人", 5),
        (Colour.Red, "邻里互助、扶危济困", 5),
        (Colour.Red, "参加志愿服务", 3),
        (Colour.Red, "婚事新办、丧事简办", 5),
        (Colour.Red, "庭院整洁、垃圾分类", 2),
        (Colour.Red, "见义勇为、拾金不昧", 10),
        (Colour.Red, "崇尚科学、勤劳致富", 3),
        (Colour.Red, "家风良好、教子有方", 3),
        (Colour.Red, "参与村（居）公益事务", 2),
        (Colour.Red, "遵守村规民约、诚信守法", 2),
        (Colour.Yellow, "大操大办、滥办酒席", 10),
        (Colour.Yellow, "索要高额彩礼", 10),
        (Colour.Yellow, "薄养厚葬、不赡养老人", 10),
        (Colour.Yellow, "参与赌博", 10),
        (Colour.Yellow, "封建迷信活动", 5),
        (Colour.Yellow, "乱扔乱倒、乱搭乱建", 3),
        (Colour.Yellow, "邻里纠纷、寻衅滋事", 5),
        (Colour.Yellow, "铺张浪费、攀比炫富", 3),
        (Colour.Yellow, "不文明养犬、散养家禽", 2),
        (Colour.Yellow, "拒不参与公益事务", 2),
    ];

    private ConductItem()
    {
    }

    public ConductItem(Guid districtId, Colour colour, string title, int points, int sortOrder)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Colour = colour;
        Title = title;
        Change(points, sortOrder, true);
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Colour Colour { get; private set; }
    public string Title { get; private set; } = "";
    public int Points { get; private set; }
    public int SortOrder { get; private set; }
    public bool IsActive { get; private set; }

    public void Change(int points, int sortOrder, bool active)
    {
        if (points is < 1 or > 100)
        {
            throw new InputException(new Dictionary<string, string[]> { ["points"] = ["每项分值为 1 到 100 分"] });
        }

        (Points, SortOrder, IsActive) = (points, sortOrder, active);
    }

    public static string Check(string? title)
    {
        var t = title?.Trim() ?? "";
        return t.Length is >= 2 and <= 30 ? t : throw new InputException(new Dictionary<string, string[]> { ["title"] = ["每项名称 2 到 30 个字"] });
    }
}

internal enum ConductStatus
{
    /// <summary>Recorded and counting.</summary>
    Standing = 1,

    /// <summary>The resident appealed; it counts until the institute decides.</summary>
    Appealed = 2,

    /// <summary>The institute kept it after the appeal.</summary>
    Upheld = 3,

    /// <summary>The institute granted the appeal: it no longer counts and its points were moved back.</summary>
    Withdrawn = 4,
}

/// <summary>
/// One red or yellow event of a resident, recorded by a grid worker or an admin of the resident's place with its evidence
/// (text, and a photo if taken). Its points moved through the ledger when it was recorded (red: into the resident's
/// account; yellow: out of it, as far as the balance goes, in <see cref="Moved"/>); an appeal the institute grants moves
/// them back. The event itself is never deleted: its status says what became of it.
/// </summary>
internal sealed class ConductEvent : IDistrictOwned
{
    private ConductEvent()
    {
    }

    public ConductEvent(Guid districtId, ConductItem item, Guid residentUserId, string residentName, Guid unitId, string unitPath, DateOnly occurredOn,
        string evidence, Guid recordedById, string recordedByName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ItemId = item.Id;
        Colour = item.Colour;
        ItemTitle = item.Title;
        Points = item.Points;
        ResidentUserId = residentUserId;
        ResidentName = Cut(residentName, 50);
        UnitId = unitId;
        UnitPath = unitPath;
        OccurredOn = occurredOn;
        Evidence = evidence;
        RecordedById = recordedById;
        RecordedByName = Cut(recordedByName, 50);
        RecordedAt = now;
        Status = ConductStatus.Standing;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ItemId { get; private set; }
    public Colour Colour { get; private set; }
    public string ItemTitle { get; private set; } = "";
    public int Points { get; private set; }
    public Guid ResidentUserId { get; private set; }
    public string ResidentName { get; private set; } = "";

    /// <summary>The resident's place when the event was recorded: whose admins and grid workers see it.</summary>
    public Guid UnitId { get; private set; }
    public string UnitPath { get; private set; } = "";
    public DateOnly OccurredOn { get; private set; }
    public string Evidence { get; private set; } = "";
    public string? PhotoName { get; private set; }
    public string? PhotoType { get; private set; }
    public Guid RecordedById { get; private set; }
    public string RecordedByName { get; private set; } = "";
    public DateTimeOffset RecordedAt { get; private set; }

    /// <summary>The points the ledger moved for it: a red event's points; for a yellow one, what the balance allowed.</summary>
    public long Moved { get; private set; }
    public ConductStatus Status { get; private set; }
    public string? AppealReason { get; private set; }
    public DateTimeOffset? AppealedAt { get; private set; }
    public Guid? DecidedById { get; private set; }
    public string? DecidedByName { get; private set; }
    public string? DecisionNote { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public int Version { get; private set; }

    /// <summary>A standing event counts toward the resident's totals; a withdrawn one does not.</summary>
    public bool Counts => Status != ConductStatus.Withdrawn;

    public void MovedPoints(long points) => Moved = points;

    public void AttachPhoto(string name, string type)
    {
        (PhotoName, PhotoType) = (name, type);
        Version++;
    }

    public void Appeal(string reason, DateTimeOffset now)
    {
        if (Status != ConductStatus.Standing)
        {
            throw new DomainException("conduct-not-appealable", Status == ConductStatus.Appealed ? "已经申诉过了，请等待实践所处理" : "这条记录已经处理过申诉，不能再次申诉", 409);
        }

        (Status, AppealReason, AppealedAt) = (ConductStatus.Appealed, reason, now);
        Version++;
    }

    public void Decide(bool grant, string note, Guid byId, string byName, DateTimeOffset now)
    {
        if (Status != ConductStatus.Appealed)
        {
            throw new DomainException("conduct-not-appealed", "这条记录没有待处理的申诉", 409);
        }

        (Status, DecisionNote, DecidedById, DecidedByName, DecidedAt) = (grant ? ConductStatus.Withdrawn : ConductStatus.Upheld, note, byId, Cut(byName, 50), now);
        Version++;
    }

    public static string StatusName(ConductStatus s) => s switch
    {
        ConductStatus.Appealed => "申诉中",
        ConductStatus.Upheld => "申诉未采纳",
        ConductStatus.Withdrawn => "申诉成立，已撤销",
        _ => "有效",
    };

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;
}

/// <summary>How a station's public board shows the red and yellow lists.</summary>
internal enum BoardDisplay
{
    /// <summary>Not on the public board.</summary>
    Hidden = 1,

    /// <summary>Shown with names masked (赵**).</summary>
    Masked = 2,

    /// <summary>Shown with full names.</summary>
    Named = 3,
}

/// <summary>
/// A district's red/yellow rules: how long a yellow event counts toward the thresholds (months), and how the public board
/// shows the lists. Without a row of its own a district has the defaults.
/// </summary>
internal sealed class ConductRules : IDistrictOwned
{
    public const int DefaultWindowMonths = 12;

    private ConductRules()
    {
    }

    public ConductRules(Guid districtId) => DistrictId = districtId;

    public Guid DistrictId { get; private set; }
    public int WindowMonths { get; private set; } = DefaultWindowMonths;
    public BoardDisplay Board { get; private set; } = BoardDisplay.Masked;
    public int Version { get; private set; }

    public void Change(int windowMonths, BoardDisplay board)
    {
        if (windowMonths is < 1 or > 60)
        {
            throw new InputException(new Dictionary<string, string[]> { ["windowMonths"] = ["黄榜扣分的计算期为 1 到 60 个月"] });
        }

        (WindowMonths, Board) = (windowMonths, board);
        Version++;
    }
}

/// <summary>
/// A benefit (惠民政策) the district pauses for a resident while their yellow points within the window reach its threshold:
/// a rule, which an admin can override for a person with a reason.
/// </summary>
internal sealed class ConductBenefit : IDistrictOwned
{
    private ConductBenefit()
    {
    }

    public ConductBenefit(Guid districtId, string name, int threshold, int sortOrder)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Name = name;
        Change(threshold, sortOrder, true);
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>Yellow points (within the window) at which the benefit pauses.</summary>
    public int Threshold { get; private set; }
    public int SortOrder { get; private set; }
    public bool IsActive { get; private set; }

    public void Change(int threshold, int sortOrder, bool active)
    {
        if (threshold is < 1 or > 1000)
        {
            throw new InputException(new Dictionary<string, string[]> { ["threshold"] = ["暂停门槛为 1 到 1000 分"] });
        }

        (Threshold, SortOrder, IsActive) = (threshold, sortOrder, active);
    }

    public static string Check(string? name)
    {
        var n = name?.Trim() ?? "";
        return n.Length is >= 2 and <= 30 ? n : throw new InputException(new Dictionary<string, string[]> { ["name"] = ["惠民政策名称 2 到 30 个字"] });
    }
}

internal enum OverrideMode
{
    /// <summary>The benefit is given although the rule would pause it.</summary>
    Lift = 1,

    /// <summary>The benefit is paused although the rule would not.</summary>
    Pause = 2,

    /// <summary>Back to the rule.</summary>
    Rule = 3,
}

/// <summary>
/// An admin's decision about one benefit of one resident, with the reason (a person decides, not only the rule). The newest
/// decision for a resident and benefit stands; earlier ones stay on record.
/// </summary>
internal sealed class BenefitOverride : IDistrictOwned
{
    private BenefitOverride()
    {
    }

    public BenefitOverride(Guid districtId, Guid residentUserId, Guid benefitId, OverrideMode mode, string reason, Guid byId, string byName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ResidentUserId = residentUserId;
        BenefitId = benefitId;
        Mode = mode;
        Reason = reason;
        ById = byId;
        ByName = byName.Length > 50 ? byName[..50] : byName;
        At = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ResidentUserId { get; private set; }
    public Guid BenefitId { get; private set; }
    public OverrideMode Mode { get; private set; }
    public string Reason { get; private set; } = "";
    public Guid ById { get; private set; }
    public string ByName { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}
