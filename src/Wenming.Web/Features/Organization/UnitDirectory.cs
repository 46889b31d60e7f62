using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Organization;

/// <summary>
/// A district's units as read for every placed order (the place and the units above it), from <see cref="DistrictCache"/>:
/// a unit changed through another app instance is seen here within <see cref="DistrictCache.Lifetime"/>.
/// </summary>
internal static class UnitDirectory
{
    public const string CacheKind = "units";

    /// <summary>
    /// The units on <paramref name="path"/>, root first, tracked by <paramref name="db"/> unchanged (those it already
    /// tracks as they are, the others as copies of the cached ones), so that navigations to them fix up.
    /// </summary>
    public static async Task<List<Unit>> LineAsync(AppDbContext db, DistrictCache cache, Guid districtId, string path, CancellationToken ct)
    {
        var ids = Unit.PathIds(path);
        var all = await cache.GetAsync(CacheKind, districtId, async c =>
            (IReadOnlyDictionary<Guid, Unit>)(await db.Units.AsNoTracking().Where(u => u.DistrictId == districtId).ToListAsync(c)).ToDictionary(u => u.Id), ct);
        if (all is null || ids.Any(id => !all.ContainsKey(id)))
        {
            // Newer than the cache: read the line itself.
            return await db.Units.Where(u => ids.Contains(u.Id)).OrderBy(u => u.Depth).ToListAsync(ct);
        }

        var line = new List<Unit>(ids.Count);
        foreach (var id in ids)
        {
            if (db.Units.Local.FindEntry(id) is { } tracked)
            {
                line.Add(tracked.Entity);
                continue;
            }

            var copy = all[id].Copy();
            db.Units.Attach(copy);
            line.Add(copy);
        }

        return line;
    }
}
