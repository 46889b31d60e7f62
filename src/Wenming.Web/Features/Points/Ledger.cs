using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Points;

/// <summary>
/// The only way points move. Each transfer changes both balance rows with a conditional single-row update in the caller's
/// transaction (<c>SET Balance = Balance - n WHERE Id = a AND Balance &gt;= n</c>, rows affected checked), so an overdraft is
/// refused by the database itself, even when many requests spend the same account at the same instant; the transfer row
/// is added beside them and written by the caller's save. The two rows are updated in the order of their ids, so two
/// transfers between the same accounts in opposite directions never wait for each other in a circle.
/// </summary>
internal static class Ledger
{
    /// <summary>The account, made (and saved, so that the conditional updates find it) the first time it is needed.</summary>
    public static async Task<PointsAccount> AccountAsync(AppDbContext db, Guid districtId, AccountKind kind, Guid ownerId, CancellationToken ct)
    {
        var account = db.ChangeTracker.Entries<PointsAccount>().Select(e => e.Entity)
                          .FirstOrDefault(a => a.DistrictId == districtId && a.Kind == kind && a.OwnerId == ownerId)
                      ?? await db.Set<PointsAccount>().FirstOrDefaultAsync(a => a.DistrictId == districtId && a.Kind == kind && a.OwnerId == ownerId, ct);
        if (account is null)
        {
            account = new PointsAccount(districtId, kind, ownerId);
            db.Add(account);
            await db.SaveChangesAsync(ct);
        }

        return account;
    }

    /// <summary>The account if it exists, without making one (a volunteer who never earned has none: a balance of zero).</summary>
    public static Task<PointsAccount?> FindAsync(AppDbContext db, Guid districtId, AccountKind kind, Guid ownerId, CancellationToken ct) =>
        db.Set<PointsAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.DistrictId == districtId && a.Kind == kind && a.OwnerId == ownerId, ct);

    /// <summary>
    /// Moves <paramref name="amount"/> from <paramref name="debit"/> to <paramref name="credit"/>. Call it inside a
    /// transaction the caller commits after its save; an <see cref="DomainException"/> (insufficient-points) leaves the
    /// transaction to be rolled back.
    /// </summary>
    public static async Task<PointsTransfer> TransferAsync(AppDbContext db, PointsAccount debit, PointsAccount credit, long amount, TransferKind kind,
        string reason, Guid? actorId, string actorName, string sourceRef, string idempotencyKey, Guid? pendingId, string unitPath, DateTimeOffset now,
        CancellationToken ct)
    {
        if (amount <= 0 || debit.Id == credit.Id)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), "A transfer moves a positive amount between two accounts.");
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A transfer runs inside the caller's transaction.");
        }

        var (debitId, creditId) = (debit.Id, credit.Id);
        foreach (var id in new[] { debitId, creditId }.Order())
        {
            var accounts = db.Set<PointsAccount>().Where(a => a.Id == id);
            var rows = id == debitId
                ? await accounts.Where(a => a.Kind == AccountKind.Issuing || a.Balance >= amount)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - amount), ct)
                : await accounts.ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance + amount), ct);
            if (rows != 1)
            {
                throw new DomainException("insufficient-points", "积分余额不足");
            }
        }

        var transfer = new PointsTransfer(debit.DistrictId, debitId, creditId, amount, kind, reason, actorId, actorName, sourceRef, idempotencyKey, pendingId,
            unitPath, now);
        db.Add(transfer);
        return transfer;
    }
}
