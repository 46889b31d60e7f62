using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Audit;

internal sealed record AuditView(Guid Id, DateTimeOffset At, string? ActorPhone, string Action, string? TargetType, string? TargetId, string? Detail);

/// <summary>The audit log an admin reads: their subtree's entries; a center admin also sees district-wide ones (sign-ins).</summary>
internal sealed class AuditQueries(AppDbContext db)
{
    public async Task<Paged<AuditView>> ListAsync(int page, int pageSize, string? action, CancellationToken ct)
    {
        var scope = db.Scope;
        if (!scope.IsAdmin)
        {
            throw new AccessDeniedException("只有管理员可以查看操作日志");
        }

        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var query = db.AuditEntries.AsNoTracking();
        query = scope.IsCenterAdmin
            ? query
            : query.Where(a => a.UnitPath != null).VisibleTo(scope, a => a.UnitPath!, Role.Admin);
        if (!string.IsNullOrWhiteSpace(action))
        {
            query = query.Where(a => a.Action.StartsWith(action));
        }

        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(a => a.At).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new AuditView(a.Id, a.At, a.ActorPhone, a.Action, a.TargetType, a.TargetId, a.Detail)).ToListAsync(ct);
        return new(items, total, page, pageSize);
    }
}
