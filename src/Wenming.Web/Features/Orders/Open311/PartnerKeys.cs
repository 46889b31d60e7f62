using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders.Open311;

internal sealed record PartnerKeyInput(string? Name);

internal sealed record PartnerKeyView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just issued: <see cref="ApiKey"/> is shown this once and stored only as its hash.</summary>
internal sealed record IssuedPartnerKey(PartnerKeyView Key, string ApiKey);

/// <summary>
/// The district's Open311 partner keys, managed by a center admin: issued to a named partner system (a city's
/// FixMyStreet, a 12345 hotline), listed, and revoked. Each key files orders into its own district only.
/// </summary>
internal sealed class PartnerKeys(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<PartnerKeyView>> ListAsync(CancellationToken ct)
    {
        EnsureCenterAdmin();
        return await db.Set<Open311Key>().AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt)
            .Select(k => new PartnerKeyView(k.Id, k.Name, k.CreatedAt, k.RevokedAt)).ToListAsync(ct);
    }

    public async Task<IssuedPartnerKey> IssueAsync(PartnerKeyInput input, CancellationToken ct)
    {
        EnsureCenterAdmin();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            throw new InputException(new Dictionary<string, string[]> { ["name"] = ["请填写合作方名称（不超过 100 字）"] });
        }

        var (key, apiKey) = Open311Key.Issue(db.Scope.DistrictId, name, db.Scope.UserId, clock.GetUtcNow());
        db.Add(key);
        audit.Add("open311.key-issued", "open311-key", key.Id.ToString(), TopPath(), name);
        await db.SaveChangesAsync(ct);
        return new IssuedPartnerKey(View(key), apiKey);
    }

    public async Task<PartnerKeyView> RevokeAsync(Guid id, CancellationToken ct)
    {
        EnsureCenterAdmin();
        var key = await db.Set<Open311Key>().FirstOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotVisibleException();
        if (key.RevokedAt is null)
        {
            key.Revoke(clock.GetUtcNow());
            audit.Add("open311.key-revoked", "open311-key", key.Id.ToString(), TopPath(), key.Name);
            await db.SaveChangesAsync(ct);
        }

        return View(key);
    }

    private static PartnerKeyView View(Open311Key k) => new(k.Id, k.Name, k.CreatedAt, k.RevokedAt);

    private string? TopPath() => db.Scope.RootPaths(Accounts.Role.Admin) is [var top, ..] ? top : null;

    private void EnsureCenterAdmin()
    {
        if (!db.Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以管理 Open311 合作方密钥");
        }
    }
}
