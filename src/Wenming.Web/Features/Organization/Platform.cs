using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Organization;

/// <summary>A service platform (服务平台): the categories a district files its services under. The list is per district.</summary>
internal sealed class Platform : IDistrictOwned
{
    private Platform()
    {
    }

    public Platform(Guid id, Guid districtId, string name, int sortOrder)
    {
        Id = id;
        DistrictId = districtId;
        Name = name;
        SortOrder = sortOrder;
        IsActive = true;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Name { get; private set; } = "";
    public int SortOrder { get; private set; }
    public bool IsActive { get; private set; }

    public void Rename(string name, int sortOrder)
    {
        Name = name;
        SortOrder = sortOrder;
        IsActive = true;
    }

    /// <summary>Platforms are never deleted: units, orders and records keep pointing at them.</summary>
    public void Retire() => IsActive = false;
}
