using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Infrastructure.Tenancy;

/// <summary>A role the caller holds, with where its unit sits in the tree.</summary>
internal sealed record Grant(Guid AssignmentId, Role Role, Guid UnitId, string UnitPath, UnitKind UnitKind, string UnitName);

/// <summary>
/// Who is asking, and what they may reach: their district and the subtrees of the units their roles are held on.
/// One per request (or per background job). The DbContext filters every district-owned row through it, and
/// <see cref="ScopeQueries.VisibleTo{T}"/> narrows to the subtree; no endpoint checks scope on its own.
/// </summary>
internal sealed class DataScope
{
    public bool IsSystem { get; private set; }

    /// <summary>Guid.Empty for an anonymous caller: no district row matches it.</summary>
    public Guid DistrictId { get; private set; }

    public Guid? UserId { get; private set; }
    public string? Phone { get; private set; }

    /// <summary>The caller's name as the platform shows it, read with the grants; null for the system and in jobs.</summary>
    public string? DisplayName { get; private set; }

    public IReadOnlyList<Grant> Grants { get; private set; } = [];

    public bool IsSignedIn => UserId is not null;

    /// <summary>
    /// For a unit of work of its own that acts for the platform, not for a person: seeding, migrations, background jobs.
    /// Inside a request, use <see cref="AsSystem"/>, which ends.
    /// </summary>
    public void EnterSystem() => IsSystem = true;

    /// <summary>
    /// The platform's reach for the request's next steps only (a public page, a link that proves itself by its token):
    /// until the returned scope is disposed, then the caller's reach again.
    /// </summary>
    public SystemScope AsSystem()
    {
        var was = IsSystem;
        IsSystem = true;
        return new SystemScope(this, was);
    }

    /// <summary>Ends <see cref="AsSystem"/>.</summary>
    public readonly struct SystemScope(DataScope scope, bool was) : IDisposable
    {
        public void Dispose() => scope.IsSystem = was;
    }

    public void SetDistrict(Guid districtId) => DistrictId = districtId;

    public void SetUser(Guid userId, Guid districtId, string? phone, IReadOnlyList<Grant> grants, string? displayName = null)
    {
        UserId = userId;
        DisplayName = displayName;
        DistrictId = districtId;
        Phone = phone;
        Grants = grants;
    }

    public bool Has(Role role) => Grants.Any(g => g.Role == role);

    public bool IsAdmin => Has(Role.Admin);

    /// <summary>An admin of the district's center: the one who sets the district's rules (platforms, workflow, partner keys).</summary>
    public bool IsCenterAdmin => Grants.Any(g => g.Role == Role.Admin && g.UnitKind == UnitKind.Center);

    /// <summary>The caller reaches this place through any role.</summary>
    public bool CanRead(string unitPath) => IsSystem || Grants.Any(g => Covers(g, unitPath));

    /// <summary>The caller may change this place: an admin role on it or above it.</summary>
    public bool CanAdminister(string unitPath) => IsSystem || Grants.Any(g => g.Role == Role.Admin && Covers(g, unitPath));

    /// <summary>An admin or leader role on it or above it: may read the place's admin lists and export them.</summary>
    public bool CanOversee(string unitPath) =>
        IsSystem || Grants.Any(g => g.Role is Role.Admin or Role.Leader && Covers(g, unitPath));

    /// <summary>An admin role strictly above this place: needed to move or close it, or to appoint its admins.</summary>
    public bool IsAdminAbove(string unitPath) =>
        IsSystem || Grants.Any(g => g.Role == Role.Admin && g.UnitPath != unitPath && Covers(g, unitPath));

    /// <summary>In memory, the test of <see cref="ScopeQueries.VisibleOrAbove{T}"/>: a unit in the caller's subtrees, or above one of their places.</summary>
    public bool SeesOrAbove(string unitPath) =>
        IsSystem || Grants.Any(g => g.UnitPath.StartsWith(unitPath, StringComparison.Ordinal) || unitPath.StartsWith(g.UnitPath, StringComparison.Ordinal));

    /// <summary>Top-most paths the caller reaches with any of <paramref name="roles"/> (nested ones dropped).</summary>
    public IReadOnlyList<string> RootPaths(params Role[] roles)
    {
        var paths = Grants.Where(g => roles.Length == 0 || roles.Contains(g.Role)).Select(g => g.UnitPath).Distinct().ToList();
        return [.. paths.Where(p => !paths.Any(o => o != p && p.StartsWith(o, StringComparison.Ordinal)))];
    }

    private static bool Covers(Grant g, string unitPath) => unitPath.StartsWith(g.UnitPath, StringComparison.Ordinal);
}
