using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Infrastructure;

/// <summary>
/// The Excel export of an admin list: the list's own query (the same filters, the same scope) read page by page into one
/// workbook, for admins and leaders, with one audit entry naming what was exported. What the list shows is what the
/// file holds: no second query that could drift from the page.
/// </summary>
internal sealed class ListExport(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <summary>At most this many rows a file; a narrower filter gives the rest.</summary>
    public const int MaxRows = 20_000;

    private const int PageSize = 200;

    public async Task<IResult> PagedAsync<T>(string kind, string sheet, Func<int, int, Task<Paged<T>>> page,
        Func<T, IReadOnlyDictionary<string, object?>> row, CancellationToken ct)
    {
        Allow();
        var items = new List<T>();
        for (var n = 1; items.Count < MaxRows; n++)
        {
            var next = await page(n, PageSize);
            items.AddRange(next.Items.Take(MaxRows - items.Count));
            if (next.Items.Count < PageSize || items.Count >= next.Total)
            {
                break;
            }
        }

        return await FileAsync(kind, sheet, items, row, ct);
    }

    public async Task<IResult> ListAsync<T>(string kind, string sheet, Func<Task<IReadOnlyList<T>>> list,
        Func<T, IReadOnlyDictionary<string, object?>> row, CancellationToken ct)
    {
        // The list first: what the caller may not see is not found (404) before any question of role.
        var items = await list();
        Allow();
        return await FileAsync(kind, sheet, [.. items.Take(MaxRows)], row, ct);
    }

    private void Allow()
    {
        if (!db.Scope.IsAdmin && !db.Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出");
        }
    }

    private async Task<IResult> FileAsync<T>(string kind, string sheet, List<T> items, Func<T, IReadOnlyDictionary<string, object?>> row, CancellationToken ct)
    {
        audit.Add($"{kind}.exported", kind, null, db.Scope.RootPaths(Role.Admin, Role.Leader) is [var top, ..] ? top : null, $"{items.Count} rows");
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, items.Select(row), sheet, ct);
        stream.Position = 0;
        return TypedResults.File(stream, OrganizationEndpoints.XlsxType, $"{kind}-{DistrictTime.Today(clock.GetUtcNow()):yyyyMMdd}.xlsx");
    }
}
