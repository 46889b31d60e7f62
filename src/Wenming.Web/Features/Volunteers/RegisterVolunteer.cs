using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.PersonalData;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

/// <summary>
/// Registration: by the person themself (their account, pending the station's approval) or by an admin of the home
/// station (approved at once). One person per ID number per installation.
/// </summary>
internal sealed class RegisterVolunteer(
    AppDbContext db,
    People people,
    PersonalDataProtector protector,
    ReviewVolunteer review,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<Volunteer> RunAsync(VolunteerInput input, bool byAdmin, CancellationToken ct)
    {
        var scope = db.Scope;
        var self = byAdmin ? null : await people.CurrentAsync();
        var (skills, categories) = await ChoicesAsync(db, ct);
        var (profile, idType, idNumber) = input.Validate(self?.PhoneNumber, needsIdentity: true, skills, categories);

        // Stations of the whole district are open to a self-registering person; an admin registers within their reach.
        var home = await db.Units.FirstOrDefaultAsync(u => u.Id == input.HomeUnitId && u.ClosedAt == null, ct)
                   ?? throw new Infrastructure.Problems.InputException(new Dictionary<string, string[]> { ["homeUnitId"] = ["找不到该实践站"] });
        if (home.Kind is not (UnitKind.Station or UnitKind.Point or UnitKind.Institute))
        {
            throw new InputException(new Dictionary<string, string[]> { ["homeUnitId"] = ["所属单位应为实践站、所或实践点"] });
        }

        if (byAdmin && !scope.CanAdminister(home.Path))
        {
            throw new AccessDeniedException("只能为本单位及下级单位登记志愿者");
        }

        await PlatformRules.EnsureKnownAsync(db, profile.PreferredPlatformIds, ct, "preferredPlatformIds");
        var hash = protector.LookupHash($"{idType}:{idNumber}");
        // Across every district: the person may already volunteer elsewhere.
        if (await db.Set<Volunteer>().IgnoreQueryFilters().AnyAsync(v => v.IdNumberHash == hash, ct))
        {
            throw new DomainException("volunteer-duplicate", "该证件号码已注册为志愿者，请勿重复注册；如需转移所属实践站，请联系原实践站", 409);
        }

        var user = self ?? await people.FindOrCreateAsync(profile.Phone, profile.Name);
        if (await db.Set<Volunteer>().IgnoreQueryFilters().AnyAsync(v => v.UserId == user.Id, ct))
        {
            throw new DomainException("volunteer-duplicate", "该账号已注册为志愿者，请勿重复注册", 409);
        }

        var now = clock.GetUtcNow();
        var volunteer = new Volunteer(scope.DistrictId, user.Id, home.Id, idType, protector.Encrypt(idNumber), hash, IdNumbers.Mask(idNumber),
            profile, DistrictTime.Today(now), now);
        db.Add(volunteer);
        audit.Add("volunteer.registered", "volunteer", volunteer.Id.ToString(), home.Path, byAdmin ? "by admin" : "self");
        if (byAdmin)
        {
            await review.ApproveAsync(volunteer, home, ct);
        }
        else
        {
            await db.SaveChangesAsync(ct);
        }

        return volunteer;
    }

    public static async Task<(IReadOnlySet<string> Skills, IReadOnlySet<string> Categories)> ChoicesAsync(AppDbContext db, CancellationToken ct)
    {
        var options = await db.Set<OptionItem>().Select(o => new { o.List, o.Name }).ToListAsync(ct);
        return (options.Where(o => o.List == OptionItem.Skill).Select(o => o.Name).ToHashSet(),
            options.Where(o => o.List == OptionItem.ServiceCategory).Select(o => o.Name).ToHashSet());
    }
}

/// <summary>The station's decisions on a volunteer: approve (a number and the volunteer role), reject, suspend, reinstate.</summary>
internal sealed class ReviewVolunteer(AppDbContext db, VolunteerNumbers numbers, AuditLog audit, TimeProvider clock)
{
    public async Task<Volunteer> DecideAsync(Guid id, string decision, string? reason, CancellationToken ct)
    {
        var volunteer = await VolunteerQueries.FindForAdminAsync(db, id, ct);
        var now = clock.GetUtcNow();
        switch (decision)
        {
            case "approve":
                await ApproveAsync(volunteer, volunteer.HomeUnit!, ct);
                return volunteer;
            case "reject":
                volunteer.Reject(Reason(reason), now);
                break;
            case "suspend":
                volunteer.Suspend(Reason(reason), now);
                break;
            case "reinstate":
                volunteer.Reinstate(now);
                break;
            default:
                throw new NotVisibleException();
        }

        audit.Add("volunteer." + decision, "volunteer", volunteer.Id.ToString(), volunteer.HomeUnit!.Path, reason);
        await db.SaveChangesAsync(ct);
        return volunteer;
    }

    public async Task ApproveAsync(Volunteer volunteer, Unit home, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (prefix, number) = await numbers.ReserveAsync(db, volunteer.DistrictId, 1, ct);
        volunteer.Approve(VolunteerNumbers.Format(prefix, number), db.Scope.UserId ?? Guid.Empty, now);
        db.RoleAssignments.Add(new RoleAssignment(Ids.New(), volunteer.DistrictId, volunteer.UserId, home.Id, Role.Volunteer, db.Scope.UserId, now));
        audit.Add("volunteer.approve", "volunteer", volunteer.Id.ToString(), home.Path, volunteer.Number);
        await db.SaveChangesAsync(ct);
    }

    private static string Reason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > 200
            ? throw new InputException(new Dictionary<string, string[]> { ["reason"] = ["请填写原因（不超过 200 字）"] })
            : reason.Trim();
}
