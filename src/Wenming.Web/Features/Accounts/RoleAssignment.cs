using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Accounts;

/// <summary>A role held by a person on a unit. Revoking keeps the row: who held what, when, stays on record.</summary>
internal sealed class RoleAssignment : IDistrictOwned
{
    private RoleAssignment()
    {
    }

    public RoleAssignment(Guid id, Guid districtId, Guid userId, Guid unitId, Role role, Guid? grantedById, DateTimeOffset grantedAt)
    {
        Id = id;
        DistrictId = districtId;
        UserId = userId;
        UnitId = unitId;
        Role = role;
        GrantedById = grantedById;
        GrantedAt = grantedAt;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid UnitId { get; private set; }
    public Role Role { get; private set; }
    public Guid? GrantedById { get; private set; }
    public DateTimeOffset GrantedAt { get; private set; }
    public Guid? RevokedById { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    public Organization.Unit? Unit { get; private set; }
    public AppUser? User { get; private set; }

    public bool IsActive => RevokedAt is null;

    public void Revoke(Guid byUserId, DateTimeOffset now)
    {
        if (RevokedAt is not null)
        {
            throw new Infrastructure.Data.DomainException("role-revoked", "该角色已被撤销", 409);
        }

        RevokedAt = now;
        RevokedById = byUserId;
    }
}
