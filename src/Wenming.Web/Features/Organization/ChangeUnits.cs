using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

/// <summary>Creates a unit under a parent the caller administers.</summary>
internal sealed class CreateUnit(AppDbContext db, UnitQueries units, AuditLog audit, TimeProvider clock)
{
    public async Task<Unit> RunAsync(UnitInput input, CancellationToken ct)
    {
        var details = input.Validate(creating: true, out var kind);
        var parent = await units.FindAsync(input.ParentId!.Value, ct);
        if (!db.Scope.CanAdminister(parent.Path))
        {
            throw new AccessDeniedException("只有上级单位的管理员可以新建下级单位");
        }

        await PlatformRules.EnsureKnownAsync(db, details.PlatformIds, ct);
        await CodeRules.EnsureFreeAsync(db, details.Code, null, ct);
        var unit = parent.AddChild(kind, details.Name, details.Code, clock.GetUtcNow());
        unit.UpdateDetails(details, clock.GetUtcNow());
        db.Units.Add(unit);
        audit.Add("unit.created", "unit", unit.Id.ToString(), unit.Path, $"{unit.Name} ({unit.Code})");
        await db.SaveChangesAsync(ct);
        return unit;
    }
}

/// <summary>Edits a unit's details; the caller's version must be current.</summary>
internal sealed class UpdateUnit(AppDbContext db, UnitQueries units, AuditLog audit, TimeProvider clock)
{
    public async Task<Unit> RunAsync(Guid id, UnitInput input, CancellationToken ct)
    {
        var details = input.Validate(creating: false, out _);
        var unit = await units.FindAsync(id, ct);
        if (!db.Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有本单位或上级单位的管理员可以修改单位信息");
        }

        VersionRules.EnsureCurrent(unit.Version, input.Version);
        await PlatformRules.EnsureKnownAsync(db, details.PlatformIds, ct);
        await CodeRules.EnsureFreeAsync(db, details.Code, unit.Id, ct);
        unit.UpdateDetails(details, clock.GetUtcNow());
        audit.Add("unit.updated", "unit", unit.Id.ToString(), unit.Path, $"{unit.Name} ({unit.Code})");
        await db.SaveChangesAsync(ct);
        return unit;
    }
}

internal sealed record MoveUnitInput(Guid? NewParentId, int? Version);

/// <summary>
/// Moves a unit and its whole subtree under a new parent. Everything attached to those units (roles now, orders and
/// volunteers later) refers to them by id, so it follows; the paths of the descendants are rewritten in one statement.
/// </summary>
internal sealed class MoveUnit(AppDbContext db, UnitQueries units, AuditLog audit, DistrictCache cache, TimeProvider clock)
{
    public async Task<Unit> RunAsync(Guid id, MoveUnitInput input, CancellationToken ct)
    {
        if (input.NewParentId is null || input.Version is null)
        {
            throw new InputException(new Dictionary<string, string[]>
            {
                ["newParentId"] = ["请选择新的上级单位"],
                ["version"] = input.Version is null ? ["缺少版本号，请刷新后重试"] : [],
            }.Where(e => e.Value.Length > 0).ToDictionary());
        }

        var unit = await units.FindAsync(id, ct);
        var newParent = await units.FindAsync(input.NewParentId.Value, ct);
        if (!db.Scope.IsAdminAbove(unit.Path) || !db.Scope.CanAdminister(newParent.Path))
        {
            throw new AccessDeniedException("迁移需要同时管理原单位的上级和新的上级单位");
        }

        VersionRules.EnsureCurrent(unit.Version, input.Version);
        var oldParentId = unit.ParentId;
        var oldPath = unit.MoveUnder(newParent, clock.GetUtcNow());
        var newPath = unit.Path;
        var depthShift = unit.Depth - (oldPath.Count(c => c == '/') - 2);

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        audit.Add("unit.moved", "unit", unit.Id.ToString(), newPath, $"from {oldParentId} to {newParent.Id}");
        await db.SaveChangesAsync(ct);
        var oldLength = oldPath.Length;
#pragma warning disable CA1845 // an EF expression: translated to SQL substr, not run in .NET
        await db.Units.Where(u => u.Path.StartsWith(oldPath) && u.Id != unit.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Path, u => newPath + u.Path.Substring(oldLength))
                .SetProperty(u => u.Depth, u => u.Depth + depthShift), ct);
#pragma warning restore CA1845
        await tx.CommitAsync(ct);
        cache.Forget(db.Scope.DistrictId); // the subtree's paths changed without the change tracker seeing them
        return unit;
    }
}

internal sealed record VersionInput(int? Version);

/// <summary>Closes a unit with no open units below it. Closed units keep their history; their roles lapse.</summary>
internal sealed class CloseUnit(AppDbContext db, UnitQueries units, AuditLog audit, TimeProvider clock)
{
    public async Task<Unit> RunAsync(Guid id, VersionInput input, CancellationToken ct)
    {
        var unit = await units.FindAsync(id, ct);
        if (!db.Scope.IsAdminAbove(unit.Path))
        {
            throw new AccessDeniedException("只有上级单位的管理员可以关闭本单位");
        }

        VersionRules.EnsureCurrent(unit.Version, input.Version);
        var hasOpenChildren = await db.Units.AnyAsync(u => u.ParentId == id && u.ClosedAt == null, ct);
        unit.Close(hasOpenChildren, clock.GetUtcNow());
        audit.Add("unit.closed", "unit", unit.Id.ToString(), unit.Path, unit.Name);
        await db.SaveChangesAsync(ct);
        return unit;
    }
}

internal static class VersionRules
{
    public static void EnsureCurrent(int current, int? given)
    {
        if (given is null)
        {
            throw new InputException(new Dictionary<string, string[]> { ["version"] = ["缺少版本号，请刷新后重试"] });
        }

        if (given != current)
        {
            throw new DomainException("stale-version", "数据已被他人修改，请刷新后重试", 409);
        }
    }
}

internal static class CodeRules
{
    public static async Task EnsureFreeAsync(AppDbContext db, string code, Guid? self, CancellationToken ct)
    {
        if (await db.Units.AnyAsync(u => u.Code == code && u.Id != self, ct))
        {
            throw new DomainException("unit-code-taken", $"编码 {code} 已被本区其他单位使用", 409);
        }
    }
}

/// <summary>Whether the platforms an input names are the district's and in use (not retired).</summary>
internal static class PlatformRules
{
    /// <summary>From the database: for edits, where a platform retired a moment ago on another instance must not slip through.</summary>
    public static async Task EnsureKnownAsync(AppDbContext db, IReadOnlyList<Guid> ids, CancellationToken ct, string field = "platformIds")
    {
        if (ids.Count == 0)
        {
            return;
        }

        var distinct = ids.Distinct().ToList();
        Ensure(await db.Platforms.CountAsync(p => distinct.Contains(p.Id) && p.IsActive, ct) == distinct.Count, distinct.Count, field);
    }

    /// <summary>From the district's cached platform list (<see cref="PlatformDirectory"/>): for the intake of orders.</summary>
    public static void EnsureKnown(IEnumerable<PlatformName> directory, Guid? id, string field = "platformId") =>
        Ensure(directory.Any(p => p.Id == id && p.IsActive), 1, field);

    private static void Ensure(bool known, int count, string field)
    {
        if (!known)
        {
            throw new InputException(new Dictionary<string, string[]>
            {
                [field] = [count == 1 ? "本区没有这个服务平台，或已停用" : "包含本区不存在或已停用的服务平台"],
            });
        }
    }
}
