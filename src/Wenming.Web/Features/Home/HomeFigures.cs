using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Home;

internal sealed record KindCount(string KindName, int Count);

internal sealed record ToDo(Guid UnitId, string UnitName, string What);

internal sealed record AdminHome(Unit Unit, IReadOnlyList<KindCount> Counts, int RoleHolders, IReadOnlyList<ToDo> ToDos, int ToDoTotal);

/// <summary>What an admin or leader sees first: their unit's figures and the to-do list of their subtree.</summary>
internal sealed class HomeFigures(AppDbContext db)
{
    public async Task<AdminHome?> ForOverseerAsync(CancellationToken ct)
    {
        var grant = db.Scope.Grants.FirstOrDefault(g => g.Role is Role.Admin or Role.Leader);
        if (grant is null)
        {
            return null;
        }

        var unit = await db.Units.AsNoTracking().FirstAsync(u => u.Id == grant.UnitId, ct);
        var prefix = unit.Path;
        var subtree = db.Units.AsNoTracking().Where(u => u.Path.StartsWith(prefix) && u.ClosedAt == null && u.Id != unit.Id);
        var counts = (await subtree.GroupBy(u => u.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .OrderBy(c => c.Key).Select(c => new KindCount(UnitKinds.ChineseName(c.Key), c.Count)).ToList();
        var holders = await db.RoleAssignments.CountAsync(r => r.RevokedAt == null && r.Unit!.Path.StartsWith(prefix), ct);

        // Data gaps people must fill before the map, the menu and dispatch can use a place.
        var gaps = subtree.Where(u => u.Kind != UnitKind.Building && u.Kind != UnitKind.Grid
                                      && (u.Latitude == null || u.HeadName == null || u.Phone == null || u.OpeningHours == null));
        var total = await gaps.CountAsync(ct);
        var rows = await gaps.OrderBy(u => u.Depth).ThenBy(u => u.Code).Take(10)
            .Select(u => new { u.Id, u.Name, u.Latitude, u.HeadName, u.Phone, u.OpeningHours }).ToListAsync(ct);
        var todos = rows.Select(r => new ToDo(r.Id, r.Name, "补全" + string.Join("、", new[]
        {
            r.Latitude is null ? "坐标" : null, r.HeadName is null ? "负责人" : null, r.Phone is null ? "联系电话" : null,
            r.OpeningHours is null ? "开放时间" : null,
        }.Where(s => s is not null)))).ToList();
        return new AdminHome(unit, counts, holders, todos, total);
    }

    /// <summary>The station (or grid's station) a resident or volunteer belongs to: where they go and whom they call.</summary>
    public async Task<Unit?> HomeStationAsync(CancellationToken ct)
    {
        if (db.Scope.Grants is not [var grant, ..])
        {
            return null;
        }

        var ids = grant.UnitPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => Guid.ParseExact(s, "N")).ToList();
        // Ancestors are read as the platform: a resident may see their own station's public details.
        return await db.Units.AsNoTracking().Where(u => ids.Contains(u.Id) && u.Kind == UnitKind.Station).FirstOrDefaultAsync(ct)
               ?? await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == grant.UnitId, ct);
    }

    public Task<IReadOnlyList<PlatformView>> PlatformsAsync(CancellationToken ct) => PlatformDirectory.InUseAsync(db, ct);
}
