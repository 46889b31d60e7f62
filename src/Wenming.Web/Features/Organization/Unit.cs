using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Organization;

/// <summary>
/// A place in the district's tree. <see cref="Path"/> is the materialised path of ids from the root
/// ("/root/child/self/"), so a whole subtree is one indexed prefix scan at national scale.
/// </summary>
internal sealed class Unit : IDistrictOwned
{
    private Unit()
    {
    }

    private Unit(Guid id, Guid districtId, Unit? parent, UnitKind kind, string name, string code, DateTimeOffset now)
    {
        Id = id;
        DistrictId = districtId;
        ParentId = parent?.Id;
        Kind = kind;
        Name = name;
        Code = code;
        Path = (parent?.Path ?? "/") + Segment(id);
        Depth = (parent?.Depth ?? -1) + 1;
        CreatedAt = now;
        UpdatedAt = now;
    }

    /// <summary>A detached copy, for a unit of work to attach unchanged (see <see cref="UnitDirectory"/>).</summary>
    public Unit Copy()
    {
        var copy = (Unit)MemberwiseClone();
        copy.PlatformIds = [.. PlatformIds];
        return copy;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid? ParentId { get; private set; }
    public UnitKind Kind { get; private set; }
    public string Name { get; private set; } = "";
    public string Code { get; private set; } = "";
    public string Path { get; private set; } = "";
    public int Depth { get; private set; }
    public string? Address { get; private set; }
    public double? Latitude { get; private set; }
    public double? Longitude { get; private set; }
    public string? OpeningHours { get; private set; }
    public string? HeadName { get; private set; }
    public string? Phone { get; private set; }
    public List<Guid> PlatformIds { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>Optimistic concurrency: a stale version from a client answers 409.</summary>
    public int Version { get; private set; }

    public bool IsClosed => ClosedAt is not null;

    public static string Segment(Guid id) => id.ToString("N") + "/";

    /// <summary>The ids on a materialised path, the district's root first and the unit itself last.</summary>
    public static List<Guid> PathIds(string path) => [.. path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Guid.ParseExact(s, "N"))];

    public static Unit CreateRoot(Guid districtId, string name, string code, DateTimeOffset now) =>
        new(Ids.New(), districtId, null, UnitKind.Center, name, code, now);

    /// <summary>Adds a child, refusing kinds the tree does not allow (a station under a grid, say).</summary>
    public Unit AddChild(UnitKind kind, string name, string code, DateTimeOffset now)
    {
        if (IsClosed)
        {
            throw new DomainException("unit-closed", "上级单位已关闭，不能新建下级单位");
        }

        if (!UnitKinds.CanContain(Kind, kind))
        {
            throw new DomainException("unit-kind-not-allowed",
                $"{UnitKinds.ChineseName(Kind)}下不能设立{UnitKinds.ChineseName(kind)}");
        }

        return new Unit(Ids.New(), DistrictId, this, kind, name, code, now);
    }

    public void UpdateDetails(UnitDetails details, DateTimeOffset now)
    {
        if (IsClosed)
        {
            throw new DomainException("unit-closed", "单位已关闭，不能修改");
        }

        Name = details.Name;
        Code = details.Code;
        Address = details.Address;
        Latitude = details.Latitude;
        Longitude = details.Longitude;
        OpeningHours = details.OpeningHours;
        HeadName = details.HeadName;
        Phone = details.Phone;
        PlatformIds = [.. details.PlatformIds.Distinct()];
        Touch(now);
    }

    /// <summary>
    /// Re-parents this unit. The caller rewrites the descendants' paths in the same transaction
    /// (<see cref="MoveUnit"/>), so the subtree and everything attached to it follows.
    /// </summary>
    public string MoveUnder(Unit newParent, DateTimeOffset now)
    {
        if (ParentId is null)
        {
            throw new DomainException("unit-root-immovable", "中心是组织树的根，不能迁移");
        }

        if (newParent.Path.StartsWith(Path, StringComparison.Ordinal))
        {
            throw new DomainException("unit-move-cycle", "不能把单位迁移到它自己或它的下级之下");
        }

        if (newParent.IsClosed || IsClosed)
        {
            throw new DomainException("unit-closed", "已关闭的单位不能迁移，也不能迁入已关闭的单位");
        }

        if (!UnitKinds.CanContain(newParent.Kind, Kind))
        {
            throw new DomainException("unit-kind-not-allowed",
                $"{UnitKinds.ChineseName(newParent.Kind)}下不能设立{UnitKinds.ChineseName(Kind)}");
        }

        var oldPath = Path;
        ParentId = newParent.Id;
        Path = newParent.Path + Segment(Id);
        Depth = newParent.Depth + 1;
        Touch(now);
        return oldPath;
    }

    public void Close(bool hasOpenChildren, DateTimeOffset now)
    {
        if (ParentId is null)
        {
            throw new DomainException("unit-root-unclosable", "中心不能关闭");
        }

        if (IsClosed)
        {
            throw new DomainException("unit-closed", "单位已经关闭");
        }

        if (hasOpenChildren)
        {
            throw new DomainException("unit-has-children", "请先关闭或迁出全部下级单位，再关闭本单位");
        }

        ClosedAt = now;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

internal sealed record UnitDetails(
    string Name,
    string Code,
    string? Address,
    double? Latitude,
    double? Longitude,
    string? OpeningHours,
    string? HeadName,
    string? Phone,
    IReadOnlyList<Guid> PlatformIds);
