namespace Wenming.Web.Infrastructure.Tenancy;

/// <summary>A row of one district's data. The DbContext filters every such row by the caller's district.</summary>
internal interface IDistrictOwned
{
    Guid DistrictId { get; }
}
