using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

internal enum TransferKind
{
    /// <summary>Earned for confirmed service, a good rating or an honour (issuing → volunteer).</summary>
    Earn = 1,

    /// <summary>
    /// Taken back because what earned it no longer stands: hours corrected away, an order sent back, an honour withdrawn
    /// (volunteer → issuing).
    /// </summary>
    Reverse = 2,

    /// <summary>Reserved for a redemption (volunteer → the shop's pending account): a pending transfer.</summary>
    Reserve = 3,

    /// <summary>A pending transfer posted: the goods were handed over (pending → shop).</summary>
    Post = 4,

    /// <summary>A pending transfer voided: the redemption was cancelled (pending → volunteer).</summary>
    Void = 5,

    /// <summary>Points that lapsed at the district's yearly expiry (volunteer → issuing).</summary>
    Expire = 6,

    /// <summary>Deducted for a yellow-list event (resident → issuing), as far as the balance goes.</summary>
    Deduct = 7,
}

/// <summary>
/// One immutable movement of points between two accounts: the amount leaves <see cref="DebitAccountId"/> and enters
/// <see cref="CreditAccountId"/>, so the sum of all entries is zero by construction. Append-only: triggers made by the
/// migration refuse an update or a delete. A correction is a further transfer the other way.
/// </summary>
internal sealed class PointsTransfer : IDistrictOwned
{
    private PointsTransfer()
    {
    }

    public PointsTransfer(Guid districtId, Guid debitAccountId, Guid creditAccountId, long amount, TransferKind kind, string reason, Guid? actorId,
        string actorName, string sourceRef, string idempotencyKey, Guid? pendingId, string unitPath, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        DebitAccountId = debitAccountId;
        CreditAccountId = creditAccountId;
        Amount = amount;
        Kind = kind;
        Reason = Cut(reason, 300);
        ActorId = actorId;
        ActorName = Cut(actorName, 50);
        SourceRef = Cut(sourceRef, 100);
        IdempotencyKey = Cut(idempotencyKey, 120);
        PendingId = pendingId;
        UnitPath = unitPath;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid DebitAccountId { get; private set; }
    public Guid CreditAccountId { get; private set; }

    /// <summary>Always more than zero (a CHECK constraint).</summary>
    public long Amount { get; private set; }

    public TransferKind Kind { get; private set; }

    /// <summary>Why, in words a volunteer understands: "服务「…」2 小时".</summary>
    public string Reason { get; private set; } = "";

    public Guid? ActorId { get; private set; }
    public string ActorName { get; private set; } = "";

    /// <summary>What it came from: <c>record:{id}</c>, <c>rating:{order id}</c>, <c>honour:{award id}</c>, <c>redemption:{id}</c>.</summary>
    public string SourceRef { get; private set; } = "";

    /// <summary>Unique per district: the same movement asked for twice is made once.</summary>
    public string IdempotencyKey { get; private set; } = "";

    /// <summary>For a post or a void, the pending transfer it settles; unique, so a pending transfer is settled once.</summary>
    public Guid? PendingId { get; private set; }

    /// <summary>The unit path it concerns (the volunteer's home unit, or the shop's unit): admins read the ledger of their subtree.</summary>
    public string UnitPath { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;
}
