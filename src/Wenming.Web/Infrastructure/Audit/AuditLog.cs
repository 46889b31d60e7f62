using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Audit;

/// <summary>Writes the audit log. <see cref="Add"/> joins the caller's unit of work (saved with the change it records);
/// <see cref="WriteNowAsync"/> is for events with no change to save (sign-ins, refusals).</summary>
internal sealed class AuditLog(AppDbContext db, DataScope scope, IHttpContextAccessor http, TimeProvider clock,
    IServiceScopeFactory scopes)
{
    public void Add(string action, string? targetType = null, string? targetId = null, string? unitPath = null, string? detail = null) =>
        db.AuditEntries.Add(Entry(action, targetType, targetId, unitPath, detail, scope.DistrictId, scope.UserId, scope.Phone));

    public async Task WriteNowAsync(string action, string? targetType = null, string? targetId = null, string? unitPath = null,
        string? detail = null, Guid? districtId = null, Guid? userId = null, string? phone = null, CancellationToken ct = default)
    {
        // A separate context: the request's own may hold changes that are about to be refused.
        var entry = Entry(action, targetType, targetId, unitPath, detail, districtId ?? scope.DistrictId, userId ?? scope.UserId, phone ?? scope.Phone);
        await using var own = scopes.CreateAsyncScope();
        own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var ownDb = own.ServiceProvider.GetRequiredService<AppDbContext>();
        ownDb.AuditEntries.Add(entry);
        await ownDb.SaveChangesAsync(ct);
    }

    private AuditEntry Entry(string action, string? targetType, string? targetId, string? unitPath, string? detail,
        Guid districtId, Guid? userId, string? phone) =>
        new(Ids.New(), districtId == Guid.Empty ? null : districtId, clock.GetUtcNow(), userId, Masking.Phone(phone), action,
            targetType, targetId, unitPath, detail is { Length: > 2000 } ? detail[..2000] : detail,
            http.HttpContext?.Connection.RemoteIpAddress?.ToString());
}
