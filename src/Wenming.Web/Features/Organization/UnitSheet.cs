using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

/// <summary>One row of the unit sheet: the same columns out (export) and in (import), so an export re-imports.</summary>
internal static class UnitSheet
{
    public static readonly string[] Columns = ["上级编码", "编码", "名称", "类型", "地址", "纬度", "经度", "开放时间", "负责人", "联系电话", "服务平台"];

    public static Dictionary<string, object?> Row(string? parentCode, Unit u, IReadOnlyDictionary<Guid, string> platforms) => new()
    {
        ["上级编码"] = parentCode ?? "",
        ["编码"] = u.Code,
        ["名称"] = u.Name,
        ["类型"] = UnitKinds.ChineseName(u.Kind),
        ["地址"] = u.Address ?? "",
        ["纬度"] = u.Latitude,
        ["经度"] = u.Longitude,
        ["开放时间"] = u.OpeningHours ?? "",
        ["负责人"] = u.HeadName ?? "",
        ["联系电话"] = u.Phone ?? "",
        ["服务平台"] = string.Join("、", u.PlatformIds.Where(platforms.ContainsKey).Select(p => platforms[p])),
    };
}

/// <summary>Exports a subtree to .xlsx (streamed row by row).</summary>
internal sealed class ExportUnits(AppDbContext db, UnitQueries units, AuditLog audit)
{
    public async Task<Stream> RunAsync(Guid rootId, CancellationToken ct)
    {
        var root = await units.FindAsync(rootId, ct);
        if (!db.Scope.CanOversee(root.Path))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出组织架构");
        }

        var platforms = await units.PlatformNamesAsync(ct);
        var prefix = root.Path;
        var all = await db.Units.AsNoTracking().Where(u => u.Path.StartsWith(prefix) && u.ClosedAt == null)
            .OrderBy(u => u.Depth).ThenBy(u => u.Code).ToListAsync(ct);
        var codes = all.ToDictionary(u => u.Id, u => u.Code);
        if (root.ParentId is { } parentId)
        {
            // The top row names its real parent, so the sheet re-imports where it came from.
            codes[parentId] = await db.Units.Where(u => u.Id == parentId).Select(u => u.Code).SingleAsync(ct);
        }

        var rows = all.Select(u => UnitSheet.Row(u.ParentId is { } p ? codes.GetValueOrDefault(p) : null, u, platforms));
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, rows, "组织架构", ct);
        stream.Position = 0;
        audit.Add("unit.exported", "unit", root.Id.ToString(), root.Path, $"{all.Count} rows");
        await db.SaveChangesAsync(ct);
        return stream;
    }

    public static Stream Template()
    {
        var sample = new Dictionary<string, object?>
        {
            ["上级编码"] = "500107-01",
            ["编码"] = "500107-01-101",
            ["名称"] = "示例社区新时代文明实践站",
            ["类型"] = "站",
            ["地址"] = "示例路 1 号",
            ["纬度"] = 29.5,
            ["经度"] = 106.5,
            ["开放时间"] = "周一至周五 9:00-17:00",
            ["负责人"] = "张三",
            ["联系电话"] = "023-12345678",
            ["服务平台"] = "理论宣讲、关爱帮扶",
        };
        return SheetWriter.InMemory([sample], "组织架构");
    }
}

internal sealed record ImportRowError(int Row, string Column, string Message);

internal sealed record ImportResult(int Imported, IReadOnlyList<ImportRowError> Errors);

/// <summary>
/// Imports units from the sheet. Every row is checked first (parent found in the caller's reach or earlier in the
/// file, kind allowed under it, code free); any error rejects the whole file with each row's reason, and a clean
/// file is written in one transaction. Nothing is half-imported.
/// </summary>
internal sealed class ImportUnits(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxRows = 20_000;

    public async Task<ImportResult> RunAsync(Stream xlsx, CancellationToken ct)
    {
        var errors = new List<ImportRowError>();
        List<IDictionary<string, object?>> rows = [.. Sheets.Rows(xlsx).Take(MaxRows + 1)];

        if (rows.Count > MaxRows)
        {
            throw new DomainException("import-too-large", $"一次最多导入 {MaxRows} 行，请分批导入");
        }

        if (rows.Count > 0 && !UnitSheet.Columns.Take(4).All(rows[0].ContainsKey))
        {
            throw new DomainException("import-bad-header", "表头不符合模板：至少需要 上级编码、编码、名称、类型 四列");
        }

        var now = clock.GetUtcNow();
        var platformByName = await db.Platforms.Where(p => p.IsActive).ToDictionaryAsync(p => p.Name, p => p.Id, ct);
        var parentCodes = rows.Select(r => Sheets.Text(r, "上级编码")).Where(c => c.Length > 0).Distinct().ToList();
        var rowCodes = rows.Select(r => Sheets.Text(r, "编码")).Where(c => c.Length > 0).ToList();
        var existing = await db.Units.Where(u => parentCodes.Contains(u.Code) || rowCodes.Contains(u.Code)).ToListAsync(ct);
        var byCode = existing.ToDictionary(u => u.Code);
        var created = new Dictionary<string, Unit>();
        string? auditPath = null;

        for (var i = 0; i < rows.Count; i++)
        {
            var rowNumber = i + 2; // the header is row 1
            var r = rows[i];
            var before = errors.Count;
            void Err(string column, string message) => errors.Add(new ImportRowError(rowNumber, column, message));

            var code = Sheets.Text(r, "编码");
            var parentCode = Sheets.Text(r, "上级编码");
            var kindText = Sheets.Text(r, "类型");
            Unit? parent = null;
            if (parentCode.Length == 0)
            {
                Err("上级编码", "必须填写上级单位的编码");
            }
            else if (created.TryGetValue(parentCode, out var p) || byCode.TryGetValue(parentCode, out p))
            {
                parent = p;
                if (!db.Scope.CanAdminister(p.Path))
                {
                    Err("上级编码", $"您无权在 {parentCode} 之下新建单位");
                    parent = null;
                }
            }
            else
            {
                Err("上级编码", $"找不到编码为 {parentCode} 的上级单位（须已存在于您管辖范围内，或在本表中更早的行）");
            }

            if (code.Length > 0 && (byCode.ContainsKey(code) || created.ContainsKey(code)))
            {
                Err("编码", $"编码 {code} 已存在");
            }

            if (!UnitKinds.TryParse(kindText, out var kind))
            {
                Err("类型", "类型应为：分中心、所、站、点、基地、网格、楼栋 之一");
            }

            var platformIds = new List<Guid>();
            foreach (var name in Sheets.Text(r, "服务平台").Split(['、', ',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (platformByName.TryGetValue(name, out var pid))
                {
                    platformIds.Add(pid);
                }
                else
                {
                    Err("服务平台", $"本区没有名为“{name}”的服务平台");
                }
            }

            var input = new UnitInput
            {
                ParentId = parent?.Id ?? Guid.Empty,
                Kind = kindText,
                Name = Sheets.Text(r, "名称"),
                Code = code,
                Address = Sheets.Text(r, "地址"),
                Latitude = Number(r, "纬度", Err),
                Longitude = Number(r, "经度", Err),
                OpeningHours = Sheets.Text(r, "开放时间"),
                HeadName = Sheets.Text(r, "负责人"),
                Phone = Sheets.Text(r, "联系电话"),
                PlatformIds = platformIds,
            };
            UnitDetails? details = null;
            try
            {
                details = input.Validate(creating: true, out _);
            }
            catch (InputException e)
            {
                foreach (var (field, messages) in e.Errors)
                {
                    foreach (var m in messages)
                    {
                        Err(ColumnOf(field), m);
                    }
                }
            }

            if (errors.Count > before || parent is null || details is null)
            {
                continue;
            }

            try
            {
                var unit = parent.AddChild(kind, details.Name, details.Code, now);
                unit.UpdateDetails(details, now);
                created[code] = unit;
                auditPath ??= parent.Path;
            }
            catch (DomainException e)
            {
                Err("类型", e.Message);
            }
        }

        if (rows.Count == 0)
        {
            errors.Add(new ImportRowError(2, "", "表中没有数据行"));
        }

        if (errors.Count > 0)
        {
            return new ImportResult(0, errors);
        }

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        db.Units.AddRange(created.Values);
        audit.Add("unit.imported", "unit", null, auditPath, $"{created.Count} rows");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ImportResult(created.Count, []);
    }


    private static double? Number(IDictionary<string, object?> row, string column, Action<string, string> err)
    {
        var text = Sheets.Text(row, column);
        if (text.Length == 0)
        {
            return null;
        }

        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        err(column, $"“{text}”不是数字");
        return null;
    }

    private static string ColumnOf(string field) => field switch
    {
        "name" => "名称",
        "code" => "编码",
        "kind" => "类型",
        "address" => "地址",
        "latitude" => "纬度",
        "longitude" => "经度",
        "openingHours" => "开放时间",
        "headName" => "负责人",
        "phone" => "联系电话",
        "parentId" => "上级编码",
        _ => field,
    };
}
