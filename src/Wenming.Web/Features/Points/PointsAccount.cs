using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

internal enum AccountKind
{
    /// <summary>The district's issuing account: every point earned comes from it, so its balance is minus all points in circulation.</summary>
    Issuing = 1,

    /// <summary>A volunteer's points (owner: the volunteer).</summary>
    Volunteer = 2,

    /// <summary>What a shop has been paid for goods handed over (owner: the unit that runs it).</summary>
    Shop = 3,

    /// <summary>Points reserved for redemptions not yet collected or cancelled, per shop (owner: the unit that runs it).</summary>
    Pending = 4,

    /// <summary>A resident's red-list points (红榜), spent in the same shops (owner: the resident's account).</summary>
    Resident = 5,
}

/// <summary>
/// An account of the points ledger (TigerBeetle's model): its balance is the sum of the transfers into it less those out of
/// it, and it only moves by <see cref="Ledger.TransferAsync"/>, which changes the balance row in the same transaction with
/// a conditional update. Every account but the issuing one has a floor of zero, enforced by a CHECK constraint as well.
/// </summary>
internal sealed class PointsAccount : IDistrictOwned
{
    private PointsAccount()
    {
    }

    public PointsAccount(Guid districtId, AccountKind kind, Guid ownerId)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Kind = kind;
        OwnerId = ownerId;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public AccountKind Kind { get; private set; }

    /// <summary>The volunteer, the resident's account, the unit running the shop, or the district itself for the issuing account.</summary>
    public Guid OwnerId { get; private set; }

    /// <summary>Kept by the ledger's conditional updates only; never set through the change tracker.</summary>
    public long Balance { get; private set; }
}
