using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Accounts;

internal sealed record RoleView(Guid Id, Guid UserId, string DisplayName, string Phone, string Role, string RoleName,
    Guid UnitId, string UnitName, DateTimeOffset GrantedAt);

internal sealed record GrantRoleInput(string? Phone, string? DisplayName, string? Role);

/// <summary>
/// Who holds which role on a unit, and appointing or removing them. An admin manages people below them, never
/// above: admin roles only on units strictly below their own, other roles anywhere in their subtree.
/// </summary>
internal sealed class ManageRoles(AppDbContext db, UnitQueries units, People people, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<RoleView>> ListAsync(Guid unitId, CancellationToken ct)
    {
        var unit = await units.FindAsync(unitId, ct);
        if (!db.Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有管理员可以查看本单位的人员角色");
        }

        var rows = await db.RoleAssignments.AsNoTracking().Where(r => r.UnitId == unitId && r.RevokedAt == null)
            .OrderBy(r => r.Role).ThenBy(r => r.GrantedAt)
            .Select(r => new { r.Id, r.UserId, r.User!.DisplayName, r.User.PhoneNumber, r.Role, r.GrantedAt })
            .ToListAsync(ct);
        // Phones are masked here: appointing needs the person, not their number.
        return [.. rows.Select(r => new RoleView(r.Id, r.UserId, r.DisplayName, Masking.Phone(r.PhoneNumber) ?? "", r.Role.ToString(),
            Roles.ChineseName(r.Role, unit.Kind), unit.Id, unit.Name, r.GrantedAt))];
    }

    public async Task<RoleAssignment> GrantAsync(Guid unitId, GrantRoleInput input, CancellationToken ct)
    {
        var phone = Phones.Normalize(input.Phone);
        var errors = new Dictionary<string, string[]>();
        if (phone is null)
        {
            errors["phone"] = ["请输入正确的 11 位手机号"];
        }

        if (input.Role is null || !Roles.TryParse(input.Role, out var role))
        {
            errors["role"] = ["角色应为 Admin、TeamLeader、Volunteer、Resident、GridWorker、Leader 之一"];
            role = default;
        }

        if (input.DisplayName is { Length: > 50 })
        {
            errors["displayName"] = ["姓名不超过 50 个字"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var unit = await units.FindAsync(unitId, ct);
        var allowed = role == Role.Admin ? db.Scope.IsAdminAbove(unit.Path) : db.Scope.CanAdminister(unit.Path);
        if (!allowed)
        {
            throw new AccessDeniedException(role == Role.Admin ? "只能任命下级单位的管理员" : "只有管理员可以为本单位的人员分配角色");
        }

        if (unit.IsClosed)
        {
            throw new DomainException("unit-closed", "单位已关闭，不能分配角色");
        }

        var user = await people.FindOrCreateAsync(phone!, input.DisplayName);

        if (await db.RoleAssignments.AnyAsync(r => r.UserId == user.Id && r.UnitId == unit.Id && r.Role == role && r.RevokedAt == null, ct))
        {
            throw new DomainException("role-exists", "此人已在本单位担任该角色", 409);
        }

        var assignment = new RoleAssignment(Ids.New(), unit.DistrictId, user.Id, unit.Id, role, db.Scope.UserId, clock.GetUtcNow());
        db.RoleAssignments.Add(assignment);
        audit.Add("role.granted", "role", assignment.Id.ToString(), unit.Path, $"{role} to {Masking.Phone(phone)} on {unit.Name}");
        await db.SaveChangesAsync(ct);
        return assignment;
    }

    public async Task RevokeAsync(Guid assignmentId, CancellationToken ct)
    {
        var assignment = await db.RoleAssignments.Include(r => r.Unit)
            .VisibleTo(db.Scope, r => r.Unit!.Path)
            .FirstOrDefaultAsync(r => r.Id == assignmentId, ct) ?? throw new NotVisibleException();
        var path = assignment.Unit!.Path;
        var allowed = assignment.Role == Role.Admin ? db.Scope.IsAdminAbove(path) : db.Scope.CanAdminister(path);
        if (!allowed || assignment.UserId == db.Scope.UserId)
        {
            throw new AccessDeniedException("只能撤销下级人员的角色，不能撤销同级、上级或自己的管理员角色");
        }

        assignment.Revoke(db.Scope.UserId!.Value, clock.GetUtcNow());
        audit.Add("role.revoked", "role", assignment.Id.ToString(), path, assignment.Role.ToString());
        await db.SaveChangesAsync(ct);
    }
}
