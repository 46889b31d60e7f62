using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <summary>
/// An item of a unit's points shop (爱心超市): its price in points and the stock on the shelf. The stock only moves by
/// conditional single-row updates (<c>Quantity = Quantity - 1 WHERE Quantity &gt;= 1</c>) and a CHECK constraint keeps it
/// from going below zero; every delivery of stock is an entry of its own (<see cref="ShopStocking"/>) naming the donor.
/// </summary>
internal sealed class ShopItem : IDistrictOwned
{
    private ShopItem()
    {
    }

    public ShopItem(Guid districtId, Guid unitId, string name, string? description, int price, string? donor, int quantity, DateTimeOffset now)
    {
        Quantity = quantity;
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        Name = name;
        Description = description;
        Price = price;
        Donor = donor;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }

    /// <summary>The unit that runs the shop (a station, usually).</summary>
    public Guid UnitId { get; private set; }

    public string Name { get; private set; } = "";
    public string? Description { get; private set; }
    public int Price { get; private set; }

    /// <summary>Who gave the goods (a partner, a company, a person), as first stocked.</summary>
    public string? Donor { get; private set; }

    /// <summary>Kept by conditional updates only.</summary>
    public int Quantity { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The shop's own refusals come first, so a page offers what the item will accept.</summary>
    public static (string Name, string? Description, int Price, string? Donor, int Quantity) Check(ShopItemInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is < 2 or > 50)
        {
            errors["name"] = ["请填写物品名称（2 到 50 字）"];
        }

        if (input.Price is not (>= 1 and <= 100_000))
        {
            errors["price"] = ["请填写兑换所需积分（1 到 100000）"];
        }

        if (input.Quantity is not (>= 0 and <= 10_000))
        {
            errors["quantity"] = ["请填写数量（0 到 10000）"];
        }

        var donor = string.IsNullOrWhiteSpace(input.Donor) ? null : input.Donor.Trim();
        if (donor is { Length: > 100 })
        {
            errors["donor"] = ["捐赠方名称不超过 100 字"];
        }

        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > 200 })
        {
            errors["description"] = ["说明不超过 200 字"];
        }

        return errors.Count > 0 ? throw new InputException(errors) : (name, description, input.Price!.Value, donor, input.Quantity!.Value);
    }
}

/// <summary>Stock brought to the shelf: how much, from whom, entered by whom. Append-only.</summary>
internal sealed class ShopStocking : IDistrictOwned
{
    private ShopStocking()
    {
    }

    public ShopStocking(Guid districtId, Guid itemId, int quantity, string? donor, Guid byId, string byName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        ItemId = itemId;
        Quantity = quantity;
        Donor = donor;
        ById = byId;
        ByName = byName.Length > 50 ? byName[..50] : byName;
        At = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ItemId { get; private set; }
    public int Quantity { get; private set; }
    public string? Donor { get; private set; }
    public Guid ById { get; private set; }
    public string ByName { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}

internal enum RedemptionStatus
{
    /// <summary>Points and one item reserved, waiting for the volunteer at the shop.</summary>
    Reserved = 1,

    /// <summary>Handed over: the reservation was posted to the shop.</summary>
    Collected = 2,

    /// <summary>Cancelled: the reservation was voided, the points and the item returned.</summary>
    Cancelled = 3,
}

/// <summary>
/// 兑换: a volunteer's (or a resident's, with red-list points) redemption of one item. Its points sit in the shop's pending account (a pending transfer) until the
/// shop confirms the hand-over (posted) or the redemption is cancelled (voided). Its status leaves
/// <see cref="RedemptionStatus.Reserved"/> once, by a conditional update, so two hands can never settle it twice.
/// </summary>
internal sealed class Redemption : IDistrictOwned
{
    private Redemption()
    {
    }

    public Redemption(Guid id, Guid districtId, ShopItem item, Guid? volunteerId, Guid? residentUserId, Guid reserveTransferId, string requestKey,
        DateTimeOffset now)
    {
        if (volunteerId is null == residentUserId is null)
        {
            throw new ArgumentException("A redemption is paid from a volunteer's points or a resident's red-list points.");
        }

        Id = id;
        DistrictId = districtId;
        ItemId = item.Id;
        UnitId = item.UnitId;
        ItemName = item.Name;
        Price = item.Price;
        VolunteerId = volunteerId;
        ResidentUserId = residentUserId;
        ReserveTransferId = reserveTransferId;
        RequestKey = requestKey;
        Status = RedemptionStatus.Reserved;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid ItemId { get; private set; }
    public Guid UnitId { get; private set; }
    public string ItemName { get; private set; } = "";
    public int Price { get; private set; }
    /// <summary>The volunteer whose points paid, or null when a resident paid with red-list points (<see cref="ResidentUserId"/>).</summary>
    public Guid? VolunteerId { get; private set; }

    public Guid? ResidentUserId { get; private set; }

    /// <summary>The account the points came from and return to.</summary>
    public AccountKind PaidFrom => VolunteerId is null ? AccountKind.Resident : AccountKind.Volunteer;

    public Guid PayerId => VolunteerId ?? ResidentUserId!.Value;
    public Guid ReserveTransferId { get; private set; }

    /// <summary>The caller's Idempotency-Key (or the page form's), unique per district: a redemption asked for twice is made once.</summary>
    public string RequestKey { get; private set; } = "";

    public RedemptionStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? SettledAt { get; private set; }
    public Guid? SettledById { get; private set; }
    public string? SettledByName { get; private set; }
}
