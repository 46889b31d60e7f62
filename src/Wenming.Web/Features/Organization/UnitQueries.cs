using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Organization;

internal sealed record PlatformRef(Guid Id, string Name);

internal sealed record UnitView(
    Guid Id, Guid? ParentId, string Kind, string KindName, string Name, string Code, int Depth,
    string? Address, double? Latitude, double? Longitude, string? OpeningHours, string? HeadName, string? Phone,
    IReadOnlyList<PlatformRef> Platforms, bool Closed, int Version, int ChildCount);

internal sealed record UnitNode(Guid Id, string Kind, string KindName, string Name, string Code, bool Closed, IReadOnlyList<UnitNode> Children);

internal sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

internal sealed record Breadcrumb(Guid Id, string Name);

/// <summary>Reads of the tree, all through the caller's scope.</summary>
internal sealed class UnitQueries(AppDbContext db)
{
    private DataScope Scope => db.Scope;

    /// <summary>The unit if the caller reaches it; otherwise 404, whether it exists elsewhere or not.</summary>
    public async Task<Unit> FindAsync(Guid id, CancellationToken ct) =>
        await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == id, ct) ?? throw new NotVisibleException();

    public async Task<UnitView> ViewAsync(Guid id, CancellationToken ct)
    {
        var unit = await FindAsync(id, ct);
        var childCount = await db.Units.CountAsync(u => u.ParentId == id && u.ClosedAt == null, ct);
        return ToView(unit, await PlatformNamesAsync(ct), childCount);
    }

    public async Task<Paged<UnitView>> ChildrenAsync(Guid id, int page, int pageSize, bool includeClosed, string? search, CancellationToken ct)
    {
        _ = await FindAsync(id, ct);
        (page, pageSize) = Paging(page, pageSize);
        var query = db.Units.Where(u => u.ParentId == id);
        if (!includeClosed)
        {
            query = query.Where(u => u.ClosedAt == null);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            query = query.Where(u => u.Name.Contains(search) || u.Code.Contains(search));
        }

        var total = await query.CountAsync(ct);
        var units = await query.OrderBy(u => u.Code).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ids = units.Select(u => u.Id).ToList();
        var counts = await db.Units.Where(u => u.ParentId != null && ids.Contains(u.ParentId.Value) && u.ClosedAt == null)
            .GroupBy(u => u.ParentId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var platforms = await PlatformNamesAsync(ct);
        return new([.. units.Select(u => ToView(u, platforms, counts.GetValueOrDefault(u.Id)))], total, page, pageSize);
    }

    /// <summary>The subtree below a unit, as nested nodes, down to <paramref name="maxDepth"/> levels: one prefix scan.</summary>
    public async Task<UnitNode> TreeAsync(Guid id, int maxDepth, bool includeClosed, CancellationToken ct)
    {
        var root = await FindAsync(id, ct);
        maxDepth = Math.Clamp(maxDepth, 1, 8);
        var lastDepth = root.Depth + maxDepth;
        var prefix = root.Path;
        var rows = await db.Units.AsNoTracking()
            .Where(u => u.Path.StartsWith(prefix) && u.Depth <= lastDepth && (includeClosed || u.ClosedAt == null))
            .Select(u => new { u.Id, u.ParentId, u.Kind, u.Name, u.Code, u.ClosedAt })
            .ToListAsync(ct);
        var byParent = rows.Where(r => r.ParentId is not null).ToLookup(r => r.ParentId!.Value);
        UnitNode Build(Guid nodeId, UnitKind kind, string name, string code, bool closed) =>
            new(nodeId, kind.ToString(), UnitKinds.ChineseName(kind), name, code, closed,
                [.. byParent[nodeId].OrderBy(c => c.Code, StringComparer.Ordinal).Select(c => Build(c.Id, c.Kind, c.Name, c.Code, c.ClosedAt is not null))]);
        return Build(root.Id, root.Kind, root.Name, root.Code, root.IsClosed);
    }

    /// <summary>The chain from the caller's top reachable unit down to this one.</summary>
    public async Task<IReadOnlyList<Breadcrumb>> BreadcrumbsAsync(Unit unit, CancellationToken ct)
    {
        var ids = unit.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Guid.ParseExact(s, "N")).ToList();
        var names = await db.Units.VisibleTo(Scope).Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Name, u.Depth })
            .ToListAsync(ct);
        return [.. names.OrderBy(n => n.Depth).Select(n => new Breadcrumb(n.Id, n.Name))];
    }

    public async Task<Dictionary<Guid, string>> PlatformNamesAsync(CancellationToken ct) =>
        await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);

    public static UnitView ToView(Unit u, IReadOnlyDictionary<Guid, string> platforms, int childCount) =>
        new(u.Id, u.ParentId, u.Kind.ToString(), UnitKinds.ChineseName(u.Kind), u.Name, u.Code, u.Depth, u.Address, u.Latitude,
            u.Longitude, u.OpeningHours, u.HeadName, u.Phone,
            [.. u.PlatformIds.Where(platforms.ContainsKey).Select(p => new PlatformRef(p, platforms[p]))], u.IsClosed, u.Version, childCount);

    public static (int Page, int PageSize) Paging(int page, int pageSize) => (Math.Clamp(page, 1, 100_000), pageSize is < 1 or > 200 ? 50 : pageSize);
}
