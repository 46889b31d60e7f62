using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Organization;

/// <summary>
/// A district's units as read for every placed order (the place and the units above it), from <see cref="DistrictCache"/>:
/// a unit changed through another app instance is seen here within <see cref="DistrictCache.Longest"/>.
/// </summary>
internal static class UnitDirectory
{
    public const string CacheKind = "units";

    /// <summary>The district's units, closed ones included, by id: to read only, shared with other requests.</summary>
    public static async Task<IReadOnlyDictionary<Guid, Unit>> AllAsync(AppDbContext db, DistrictCache cache, Guid districtId, CancellationToken ct) =>
        await cache.GetAsync(CacheKind, districtId, async c =>
            (IReadOnlyDictionary<Guid, Unit>)(await db.Units.AsNoTracking().Where(u => u.DistrictId == districtId).ToListAsync(c)).ToDictionary(u => u.Id), ct)
        ?? new Dictionary<Guid, Unit>();

    /// <summary>
    /// The units on <paramref name="path"/>, root first, to read only: shared with other requests unless read from the
    /// database because the cache does not know them yet. <see cref="Track"/> gives a unit of work its own.
    /// </summary>
    public static async Task<List<Unit>> LineAsync(AppDbContext db, DistrictCache cache, Guid districtId, string path, CancellationToken ct)
    {
        var ids = Unit.PathIds(path);
        var all = await AllAsync(db, cache, districtId, ct);
        if (ids.Any(id => !all.ContainsKey(id)))
        {
            // Newer than the cache: read the line itself.
            return await db.Units.AsNoTracking().Where(u => ids.Contains(u.Id)).OrderBy(u => u.Depth).ToListAsync(ct);
        }

        return [.. ids.Select(id => all[id])];
    }

    /// <summary>
    /// Has <paramref name="db"/> track the units of <paramref name="line"/> with these ids, unchanged: copies, unless it
    /// tracks them already. Navigations to them (an order's place and holder) then fix up when the order is added.
    /// </summary>
    public static void Track(AppDbContext db, IReadOnlyList<Unit> line, params Guid[] ids)
    {
        var tracked = db.ChangeTracker.Entries<Unit>().Select(e => e.Entity.Id).ToHashSet();
        foreach (var id in ids.Distinct().Where(id => !tracked.Contains(id)))
        {
            db.Units.Attach(line.First(u => u.Id == id).Copy());
        }
    }
}
