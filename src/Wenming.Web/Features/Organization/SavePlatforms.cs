using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

internal sealed record PlatformView(Guid Id, string Name, int SortOrder);

internal sealed record PlatformInput(Guid? Id, string? Name);

/// <summary>
/// The district's platform list, edited as a whole by a center admin: the order given is the display order,
/// names may change, and a platform left out is retired (never deleted: things filed under it keep it).
/// </summary>
internal sealed class SavePlatforms(AppDbContext db, AuditLog audit)
{
    public Task<IReadOnlyList<PlatformView>> ListAsync(CancellationToken ct) => PlatformDirectory.InUseAsync(db, ct);

    public static bool MayEdit(Infrastructure.Tenancy.DataScope scope) =>
        scope.IsSystem || scope.IsCenterAdmin;

    public async Task<IReadOnlyList<PlatformView>> RunAsync(IReadOnlyList<PlatformInput>? input, CancellationToken ct)
    {
        if (!MayEdit(db.Scope))
        {
            throw new AccessDeniedException("只有中心管理员可以设置服务平台");
        }

        var names = (input ?? []).Select(p => p?.Name?.Trim() ?? "").ToList();
        var errors = new Dictionary<string, string[]>();
        if (names.Count is 0 or > 30)
        {
            errors["platforms"] = ["服务平台应有 1 到 30 个"];
        }
        else if (names.Any(n => n.Length is 0 or > 50))
        {
            errors["platforms"] = ["每个服务平台的名称不能为空，且不超过 50 个字"];
        }
        else if (names.Distinct().Count() != names.Count)
        {
            errors["platforms"] = ["服务平台名称不能重复"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var existing = await db.Platforms.ToListAsync(ct);
        var kept = new HashSet<Guid>();
        for (var i = 0; i < input!.Count; i++)
        {
            var item = input[i]!;
            var platform = item.Id is { } id ? existing.FirstOrDefault(p => p.Id == id) : null;
            if (item.Id is not null && platform is null)
            {
                throw new InputException(new Dictionary<string, string[]> { ["platforms"] = [$"第 {i + 1} 项的服务平台不存在"] });
            }

            if (platform is null)
            {
                platform = new Platform(Ids.New(), db.Scope.DistrictId, names[i], i + 1);
                db.Platforms.Add(platform);
            }
            else
            {
                platform.Rename(names[i], i + 1);
            }

            kept.Add(platform.Id);
        }

        foreach (var retired in existing.Where(p => !kept.Contains(p.Id) && p.IsActive))
        {
            retired.Retire();
        }

        audit.Add("platforms.saved", "district", db.Scope.DistrictId.ToString(), db.Scope.RootPaths(Role.Admin) is [var top, ..] ? top : null,
            string.Join("、", names));
        await db.SaveChangesAsync(ct);
        return await ListAsync(ct);
    }
}

internal sealed record PlatformName(Guid Id, string Name, bool IsActive);

/// <summary>A district's platforms, retired ones included (orders keep their names), from <see cref="DistrictCache"/>.</summary>
internal static class PlatformDirectory
{
    public const string CacheKind = "platforms";

    public static async Task<PlatformName[]> AllAsync(AppDbContext db, DistrictCache cache, Guid districtId, CancellationToken ct) =>
        await cache.GetAsync(CacheKind, districtId, async c => await db.Platforms.AsNoTracking().Where(p => p.DistrictId == districtId)
            .Select(p => new PlatformName(p.Id, p.Name, p.IsActive)).ToArrayAsync(c), ct) ?? [];

    /// <summary>The platforms in use, in the district's order: what pickers and lists offer.</summary>
    public static async Task<IReadOnlyList<PlatformView>> InUseAsync(AppDbContext db, CancellationToken ct) =>
        await db.Platforms.Where(p => p.IsActive).OrderBy(p => p.SortOrder).Select(p => new PlatformView(p.Id, p.Name, p.SortOrder)).ToListAsync(ct);

    public static async Task<string> NameAsync(AppDbContext db, DistrictCache cache, Guid districtId, Guid platformId, CancellationToken ct) =>
        (await AllAsync(db, cache, districtId, ct)).FirstOrDefault(p => p.Id == platformId)?.Name ?? "";
}
