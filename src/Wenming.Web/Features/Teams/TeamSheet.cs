using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Teams;

/// <summary>Teams in and out of Excel: the same columns both ways, so an export re-imports.</summary>
internal sealed class TeamSheet(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxRows = 5_000;
    public static readonly string[] Columns = ["队伍名称", "层级", "所属单位编码", "服务平台", "上级队伍", "简介"];

    public async Task<Stream> ExportAsync(CancellationToken ct)
    {
        if (!db.Scope.Has(Role.Admin) && !db.Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出队伍名单");
        }

        var platforms = await db.Platforms.ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var teams = await db.Set<Team>().AsNoTracking().Include(t => t.Unit).VisibleTo(db.Scope, t => t.Unit!.Path, Role.Admin, Role.Leader)
            .OrderBy(t => t.Unit!.Path).ThenBy(t => t.Level).ThenBy(t => t.Name).ToListAsync(ct);
        var names = teams.ToDictionary(t => t.Id, t => t.Name);
        audit.Add("team.exported", "team", null, db.Scope.RootPaths(Role.Admin, Role.Leader) is [var top, ..] ? top : null, $"{teams.Count} rows");
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, teams.Select(t => new Dictionary<string, object?>
        {
            ["队伍名称"] = t.Name,
            ["层级"] = Team.LevelName(t.Level),
            ["所属单位编码"] = t.Unit!.Code,
            ["服务平台"] = t.PlatformId is { } p ? platforms.GetValueOrDefault(p) : "",
            ["上级队伍"] = t.ParentTeamId is { } parent ? names.GetValueOrDefault(parent) : "",
            ["简介"] = t.Description ?? "",
        }), "志愿服务队", ct);
        stream.Position = 0;
        return stream;
    }

    public static Stream Template() => SheetWriter.InMemory(
    [
        new Dictionary<string, object?> { ["队伍名称"] = "示例社区守楼护院小队", ["层级"] = "小队", ["所属单位编码"] = "530402-01-001", ["服务平台"] = "", ["上级队伍"] = "", ["简介"] = "楼栋巡查、邻里守望" },
    ], "志愿服务队");

    /// <summary>All rows or none; each bad row reported with its number and reason.</summary>
    public async Task<Organization.ImportResult> ImportAsync(Stream xlsx, CancellationToken ct)
    {
        if (!db.Scope.IsAdmin)
        {
            throw new AccessDeniedException("只有管理员可以导入队伍");
        }

        List<IDictionary<string, object?>> rows = [.. Sheets.Rows(xlsx).Take(MaxRows + 1)];

        if (rows.Count > MaxRows)
        {
            throw new DomainException("import-too-large", $"一次最多导入 {MaxRows} 行，请分批导入");
        }

        var units = await db.Units.VisibleTo(db.Scope, Role.Admin).Where(u => u.ClosedAt == null).ToDictionaryAsync(u => u.Code, ct);
        var platforms = await db.Platforms.Where(p => p.IsActive).ToDictionaryAsync(p => p.Name, p => p.Id, ct);
        var existing = await db.Set<Team>().Select(t => new { t.Id, t.Name }).ToListAsync(ct);
        var byName = existing.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().Id);
        var errors = new List<Organization.ImportRowError>();
        var created = new List<Team>();
        var now = clock.GetUtcNow();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = i + 2;
            var name = Sheets.Text(rows[i], "队伍名称");
            var before = errors.Count;
            if (name.Length is 0 or > 100)
            {
                errors.Add(new(row, "队伍名称", "队伍名称不能为空，且不超过 100 个字"));
            }

            if (!Team.TryParseLevel(Sheets.Text(rows[i], "层级"), out var level))
            {
                errors.Add(new(row, "层级", "层级应为 总队、支队、大队、分队、小队 之一"));
            }

            if (!units.TryGetValue(Sheets.Text(rows[i], "所属单位编码"), out var unit))
            {
                errors.Add(new(row, "所属单位编码", "找不到该单位，或不在您的管辖范围内"));
            }

            Guid? platform = null;
            if (Sheets.Text(rows[i], "服务平台") is { Length: > 0 } p)
            {
                if (platforms.TryGetValue(p, out var pid))
                {
                    platform = pid;
                }
                else
                {
                    errors.Add(new(row, "服务平台", $"本区没有名为“{p}”的服务平台"));
                }
            }

            Guid? parent = null;
            if (Sheets.Text(rows[i], "上级队伍") is { Length: > 0 } parentName)
            {
                if (byName.TryGetValue(parentName, out var parentId))
                {
                    parent = parentId;
                }
                else
                {
                    errors.Add(new(row, "上级队伍", $"找不到名为“{parentName}”的队伍（须已存在或在本表更早的行）"));
                }
            }

            if (byName.ContainsKey(name))
            {
                errors.Add(new(row, "队伍名称", "已有同名队伍"));
            }

            var description = Sheets.Text(rows[i], "简介");
            if (description.Length > 1000)
            {
                errors.Add(new(row, "简介", "简介不超过 1000 字"));
            }

            if (errors.Count == before)
            {
                var team = new Team(db.Scope.DistrictId, unit!.Id, parent, level, name, platform, description.Length == 0 ? null : description, now);
                created.Add(team);
                byName[name] = team.Id;
            }
        }

        if (rows.Count == 0)
        {
            errors.Add(new(2, "", "表中没有数据行"));
        }

        if (errors.Count > 0)
        {
            return new(0, errors);
        }

        db.AddRange(created);
        audit.Add("team.imported", "team", null, db.Scope.RootPaths(Role.Admin) is [var top, ..] ? top : null, $"{created.Count} rows");
        await db.SaveChangesAsync(ct);
        return new(created.Count, []);
    }

}
