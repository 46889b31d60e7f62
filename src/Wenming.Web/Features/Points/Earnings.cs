using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Points;

/// <summary>
/// Points the platform gives a volunteer and takes back (for service, a good rating, an honour): between the district's
/// issuing account and the volunteer's, in the name of the system, on the path of the volunteer's home unit so that
/// the admins over them read it in their ledger. Called by the outbox subscribers, inside their transaction.
/// </summary>
internal static class Earnings
{
    private const string System = "系统";

    public static async Task EarnAsync(AppDbContext db, Guid districtId, Guid volunteerId, long points, string reason, string source, string key,
        DateTimeOffset now, CancellationToken ct)
    {
        var (issuing, mine, path) = await AccountsAsync(db, districtId, volunteerId, ct);
        await Ledger.TransferAsync(db, issuing, mine, points, TransferKind.Earn, reason, null, System, source, key, null, path, now, ct);
    }

    /// <summary>
    /// Takes back <paramref name="points"/>, never overdrawing: what was spent already stays spent, and the reason says how
    /// much could not be taken back. Returns what was taken back.
    /// </summary>
    public static async Task<long> ReverseAsync(AppDbContext db, Guid districtId, Guid volunteerId, long points, string reason, string source, string key,
        DateTimeOffset now, CancellationToken ct)
    {
        var (issuing, mine, path) = await AccountsAsync(db, districtId, volunteerId, ct);
        var balance = await db.Set<PointsAccount>().Where(a => a.Id == mine.Id).Select(a => a.Balance).FirstAsync(ct);
        var back = Math.Min(points, balance);
        if (back < points)
        {
            reason += $"（积分已使用，仅冲回 {back} 分）";
        }

        if (back > 0)
        {
            await Ledger.TransferAsync(db, mine, issuing, back, TransferKind.Reverse, reason, null, System, source, key, null, path, now, ct);
        }

        return back;
    }

    /// <summary>Whether a transfer was made under <paramref name="key"/> already (the same thing asked for again).</summary>
    public static Task<bool> DoneAsync(AppDbContext db, Guid districtId, string key, CancellationToken ct) =>
        db.Set<PointsTransfer>().AnyAsync(t => t.DistrictId == districtId && t.IdempotencyKey == key, ct);

    /// <summary>What the volunteer holds from <paramref name="source"/>: earned from it less taken back for it.</summary>
    public static async Task<long> StandingAsync(AppDbContext db, Guid districtId, Guid volunteerId, string source, CancellationToken ct)
    {
        if (await Ledger.FindAsync(db, districtId, AccountKind.Volunteer, volunteerId, ct) is not { } account)
        {
            return 0;
        }

        var id = account.Id;
        var moved = await db.Set<PointsTransfer>().Where(t => t.SourceRef == source && (t.CreditAccountId == id || t.DebitAccountId == id))
            .Select(t => t.CreditAccountId == id ? t.Amount : -t.Amount).ToListAsync(ct);
        return moved.Sum();
    }

    private static async Task<(PointsAccount Issuing, PointsAccount Mine, string Path)> AccountsAsync(AppDbContext db, Guid districtId, Guid volunteerId,
        CancellationToken ct)
    {
        var path = await db.Set<Volunteer>().Where(v => v.Id == volunteerId).Select(v => v.HomeUnit!.Path).FirstOrDefaultAsync(ct) ?? "";
        var issuing = await Ledger.AccountAsync(db, districtId, AccountKind.Issuing, districtId, ct);
        var mine = await Ledger.AccountAsync(db, districtId, AccountKind.Volunteer, volunteerId, ct);
        return (issuing, mine, path);
    }
}
