namespace Wenming.Web.Infrastructure.Audit;

/// <summary>
/// One line of the audit log: admin changes, sign-ins, failed sign-ins, refusals, reveals.
/// Append-only. <see cref="UnitPath"/> places the entry in the tree so admins read their subtree's log.
/// </summary>
internal sealed class AuditEntry
{
    private AuditEntry()
    {
    }

    public AuditEntry(Guid id, Guid? districtId, DateTimeOffset at, Guid? actorUserId, string? actorPhone, string action,
        string? targetType, string? targetId, string? unitPath, string? detail, string? ip)
    {
        Id = id;
        DistrictId = districtId;
        At = at;
        ActorUserId = actorUserId;
        ActorPhone = actorPhone;
        Action = action;
        TargetType = targetType;
        TargetId = targetId;
        UnitPath = unitPath;
        Detail = detail;
        Ip = ip;
    }

    public Guid Id { get; private set; }
    public Guid? DistrictId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public Guid? ActorUserId { get; private set; }

    /// <summary>Stored masked (138****0000): the log is read by admins who have no duty to see phones.</summary>
    public string? ActorPhone { get; private set; }

    public string Action { get; private set; } = "";
    public string? TargetType { get; private set; }
    public string? TargetId { get; private set; }
    public string? UnitPath { get; private set; }
    public string? Detail { get; private set; }
    public string? Ip { get; private set; }
}
