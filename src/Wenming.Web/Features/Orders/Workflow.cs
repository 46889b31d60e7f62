using System.Text.Json;
using System.Text.Json.Serialization;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>
/// What a step asks for. The engine knows these; a district's workflow only arranges, names and times them.
/// </summary>
internal enum StepKind
{
    /// <summary>社区巡单: a grid worker records a need they found. Done when a grid worker files; skipped when a resident does.</summary>
    Patrol = 1,

    /// <summary>群众点单: the resident orders. Done on filing, or (after a patrol step) when the resident confirms.</summary>
    Place = 2,

    /// <summary>集单: the holding unit gathers the order.</summary>
    Collect = 3,

    /// <summary>制单: the holding unit turns the need into a work order.</summary>
    Draft = 4,

    /// <summary>派单: the holding unit passes the order down a level, or to a team; the step ends when a team has it.</summary>
    Dispatch = 5,

    /// <summary>接单: a team (its leader), a unit (its admin) or a volunteer (first come, first served) takes the order.</summary>
    Accept = 6,

    /// <summary>送单: volunteers are assigned, check in and out at the place, and report it delivered.</summary>
    Deliver = 7,

    /// <summary>评单: the resident rates the service; it then shows on the public review page.</summary>
    Rate = 8,
}

/// <summary>What happens when a step's deadline passes.</summary>
internal enum TimeoutAction
{
    /// <summary>The unit above the holder takes the order over (to the center at most), and is told.</summary>
    Escalate = 1,

    /// <summary>The holder and the unit above are told; the order stays where it is, marked overdue.</summary>
    Notify = 2,

    /// <summary>The order closes as it is (used for an unanswered rating).</summary>
    Close = 3,
}

/// <summary>One step of a district's order workflow.</summary>
/// <param name="Name">The district's own word for the step (所站集单, 中心派单 …).</param>
/// <param name="Performer">Who acts at this step: Admin (of the holding unit or above), TeamLeader, Volunteer, Resident, GridWorker.</param>
/// <param name="Level">Where the order goes on entering the step: the ancestor of the order's place at this level; none keeps the holder.</param>
/// <param name="DeadlineHours">Time allowed for the step; 0 for none.</param>
/// <param name="OneLevelAtATime">A dispatch step passed down level by level (层层派单): its holder hands the order to the unit
/// one level below, or to a team of its own (or of a unit above it), never straight to a team further down.</param>
internal sealed record WorkflowStep(string Name, StepKind Kind, Role Performer, UnitKind? Level, int DeadlineHours, TimeoutAction OnTimeout,
    bool OneLevelAtATime = false);

/// <summary>
/// A district's workflow, as data. Each edit adds a new version; an order keeps the version it was placed under, so a
/// change applies to new orders only.
/// </summary>
internal sealed class WorkflowDefinition : IDistrictOwned
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private List<WorkflowStep>? _steps;

    private WorkflowDefinition()
    {
    }

    public WorkflowDefinition(Guid districtId, int version, string name, string preset, IReadOnlyList<WorkflowStep> steps, int checkInRadiusMeters,
        double claimRadiusKm, Guid? createdById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Version = version;
        Name = name;
        Preset = preset;
        StepsJson = JsonSerializer.Serialize(steps, Json);
        CheckInRadiusMeters = checkInRadiusMeters;
        ClaimRadiusKm = claimRadiusKm;
        CreatedById = createdById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public int Version { get; private set; }
    public string Name { get; private set; } = "";
    public string Preset { get; private set; } = "";
    public string StepsJson { get; private set; } = "[]";

    /// <summary>Check-in and check-out are accepted this close to the order's place.</summary>
    public int CheckInRadiusMeters { get; private set; }

    /// <summary>Volunteers see claimable orders this far from them.</summary>
    public double ClaimRadiusKm { get; private set; }

    public Guid? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>A detached copy of this version (steps shared: they are immutable), for a unit of work to attach.</summary>
    public WorkflowDefinition Copy()
    {
        _ = Steps; // read once here, not once per copy
        return (WorkflowDefinition)MemberwiseClone();
    }

    public IReadOnlyList<WorkflowStep> Steps => _steps ??= JsonSerializer.Deserialize<List<WorkflowStep>>(StepsJson, Json) ?? [];

    /// <summary>The first step a person handles after the order is filed.</summary>
    public int FirstHandlingStep => Steps.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Kind is not (StepKind.Patrol or StepKind.Place), (default!, Steps.Count)).i;

    public int IndexOf(StepKind kind, int from = 0)
    {
        for (var i = from; i < Steps.Count; i++)
        {
            if (Steps[i].Kind == kind)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Rules every workflow keeps; the editor shows these words when one is broken.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<WorkflowStep> steps)
    {
        var problems = new List<string>();
        if (steps.Count is < 3 or > 12)
        {
            problems.Add("流程应有 3 到 12 个环节");
            return problems;
        }

        if (steps.Any(s => string.IsNullOrWhiteSpace(s.Name) || s.Name.Length > 20))
        {
            problems.Add("每个环节都要有名称，且不超过 20 个字");
        }

        if (steps.Any(s => s.DeadlineHours is < 0 or > 24 * 30))
        {
            problems.Add("环节时限应在 0 到 720 小时之间");
        }

        var entry = steps.TakeWhile(s => s.Kind is StepKind.Patrol or StepKind.Place).Count();
        if (entry == 0 || steps.Skip(entry).Any(s => s.Kind is StepKind.Patrol or StepKind.Place))
        {
            problems.Add("流程须以“点单”（或“巡单”）开始，且只能在开头");
        }

        if (steps.Count(s => s.Kind == StepKind.Deliver) != 1)
        {
            problems.Add("流程须有且只有一个“送单”（服务实施）环节");
        }

        if (steps[^1].Kind != StepKind.Rate)
        {
            problems.Add("流程须以“评单”结束");
        }

        var deliver = steps.ToList().FindIndex(s => s.Kind == StepKind.Deliver);
        if (deliver >= 0 && !steps.Take(deliver).Any(s => s.Kind is StepKind.Dispatch or StepKind.Accept))
        {
            problems.Add("送单之前须有“派单”或“接单”环节");
        }

        // Rated is what was delivered: a rating before the service would close an order nobody served.
        if (deliver >= 0 && steps.Take(deliver).Any(s => s.Kind == StepKind.Rate))
        {
            problems.Add("“评单”只能在“送单”之后");
        }

        foreach (var s in steps)
        {
            var ok = s.Kind switch
            {
                StepKind.Patrol => s.Performer == Role.GridWorker,
                StepKind.Place => s.Performer is Role.Resident or Role.GridWorker,
                StepKind.Collect or StepKind.Draft or StepKind.Dispatch => s.Performer == Role.Admin,
                StepKind.Accept => s.Performer is Role.Admin or Role.TeamLeader or Role.Volunteer,
                StepKind.Deliver => s.Performer is Role.Volunteer or Role.TeamLeader,
                StepKind.Rate => s.Performer is Role.Resident,
                _ => false,
            };
            if (!ok)
            {
                problems.Add($"环节“{s.Name}”不能由{Roles.ChineseName(s.Performer, UnitKind.Station)}办理");
            }

            // Where a step may go on timeout: a rating closes or warns, an unconfirmed record closes, a handling step escalates or warns.
            var timeoutOk = s.Kind switch
            {
                StepKind.Rate => s.OnTimeout is TimeoutAction.Close or TimeoutAction.Notify,
                StepKind.Place or StepKind.Patrol => true,
                _ => s.OnTimeout is TimeoutAction.Escalate or TimeoutAction.Notify,
            };
            if (!timeoutOk)
            {
                problems.Add($"环节“{s.Name}”超时后不能“{(s.OnTimeout == TimeoutAction.Close ? "自动关闭" : "上报上级")}”");
            }

            if (s.Level is { } level && level is not (UnitKind.Center or UnitKind.Institute or UnitKind.Station))
            {
                problems.Add($"环节“{s.Name}”只能交给中心、所或站");
            }
        }

        return problems;
    }
}

/// <summary>The variants the seeds describe, ready to choose.</summary>
internal static class WorkflowPresets
{
    public const int DefaultCheckInRadiusMeters = 500;

    public static readonly IReadOnlyDictionary<string, (string Name, WorkflowStep[] Steps)> All = new Dictionary<string, (string, WorkflowStep[])>
    {
        // 群众点单 → 中心/所/站制单 → 层层派单 (center → institute → station → team).
        ["jiulongpo"] = ("九龙坡：点单—制单—层层派单",
        [
            new("群众点单", StepKind.Place, Role.Resident, null, 0, TimeoutAction.Notify),
            new("中心/所/站制单", StepKind.Draft, Role.Admin, UnitKind.Station, 24, TimeoutAction.Escalate),
            new("层层派单", StepKind.Dispatch, Role.Admin, UnitKind.Center, 24, TimeoutAction.Escalate, OneLevelAtATime: true),
            new("队伍接单", StepKind.Accept, Role.TeamLeader, null, 24, TimeoutAction.Escalate),
            new("志愿服务", StepKind.Deliver, Role.Volunteer, null, 72, TimeoutAction.Notify),
            new("群众评单", StepKind.Rate, Role.Resident, null, 72, TimeoutAction.Close),
        ]),
        // 五单: 群众点单 → 所站集单 → 中心派单 → 志愿服务队接单 → 群众评单, with the service itself between the last two.
        ["hongta"] = ("红塔“五单”：点单—集单—派单—接单—评单",
        [
            new("群众点单", StepKind.Place, Role.Resident, null, 0, TimeoutAction.Notify),
            new("所站集单", StepKind.Collect, Role.Admin, UnitKind.Station, 24, TimeoutAction.Escalate),
            new("中心派单", StepKind.Dispatch, Role.Admin, UnitKind.Center, 24, TimeoutAction.Notify),
            new("志愿服务队接单", StepKind.Accept, Role.TeamLeader, null, 24, TimeoutAction.Escalate),
            new("志愿服务", StepKind.Deliver, Role.Volunteer, null, 72, TimeoutAction.Notify),
            new("群众评单", StepKind.Rate, Role.Resident, null, 72, TimeoutAction.Close),
        ]),
        // 六单: 社区巡单 → 群众点单 → 实践站接单 → 中转站派单 → 志愿者送单 → 社会评单.
        ["kaizhou"] = ("开州“六单”：巡单—点单—接单—派单—送单—评单",
        [
            new("社区巡单", StepKind.Patrol, Role.GridWorker, null, 0, TimeoutAction.Notify),
            new("群众点单", StepKind.Place, Role.Resident, UnitKind.Station, 48, TimeoutAction.Close),
            new("实践站接单", StepKind.Accept, Role.Admin, UnitKind.Station, 24, TimeoutAction.Escalate),
            new("中转站派单", StepKind.Dispatch, Role.Admin, UnitKind.Institute, 24, TimeoutAction.Escalate),
            new("志愿者送单", StepKind.Deliver, Role.Volunteer, null, 72, TimeoutAction.Notify),
            new("社会评单", StepKind.Rate, Role.Resident, null, 72, TimeoutAction.Close),
        ]),
        // Volunteers near the order claim it directly, first come first served. Its station holds it meanwhile; one nobody
        // claimed in 2 hours goes up to the institute.
        ["haidian"] = ("海淀：就近志愿者抢单",
        [
            new("群众点单", StepKind.Place, Role.Resident, null, 0, TimeoutAction.Notify),
            new("志愿者抢单", StepKind.Accept, Role.Volunteer, UnitKind.Station, 2, TimeoutAction.Escalate),
            new("志愿服务", StepKind.Deliver, Role.Volunteer, null, 48, TimeoutAction.Notify),
            new("群众评单", StepKind.Rate, Role.Resident, null, 72, TimeoutAction.Close),
        ]),
        ["default"] = ("通用：点单—派单—接单—评单",
        [
            new("群众点单", StepKind.Place, Role.Resident, null, 0, TimeoutAction.Notify),
            new("站点派单", StepKind.Dispatch, Role.Admin, UnitKind.Station, 24, TimeoutAction.Escalate),
            new("队伍接单", StepKind.Accept, Role.TeamLeader, null, 24, TimeoutAction.Escalate),
            new("志愿服务", StepKind.Deliver, Role.Volunteer, null, 72, TimeoutAction.Notify),
            new("群众评单", StepKind.Rate, Role.Resident, null, 72, TimeoutAction.Close),
        ]),
    };

    public static WorkflowDefinition Create(Guid districtId, string preset, DateTimeOffset now)
    {
        var (name, steps) = All.TryGetValue(preset, out var p) ? p : All["default"];
        return new WorkflowDefinition(districtId, 1, name, All.ContainsKey(preset) ? preset : "default", steps, DefaultCheckInRadiusMeters,
            preset == "haidian" ? 3 : 5, null, now);
    }
}
