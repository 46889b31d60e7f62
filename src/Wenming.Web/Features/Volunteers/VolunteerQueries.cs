using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

internal sealed record UnitRef(Guid Id, string Name);

/// <summary>A volunteer as the caller may see them: ID number, phone and birth date in full only for the person themself.</summary>
internal sealed record VolunteerView(
    Guid Id, string? Number, string Name, string Gender, string IdType, string IdNumber, string Phone, string? BirthDate, int Age,
    string? PoliticalStatus, string? Education, string? Occupation, IReadOnlyList<string> Skills, IReadOnlyList<string> ServiceCategories,
    IReadOnlyList<Guid> PreferredPlatformIds, int Availability, UnitRef HomeUnit, string Status, string StatusName, string? StatusReason,
    string? EmergencyContactName, string? EmergencyContactPhone, string? GuardianName, string? GuardianPhone,
    DateTimeOffset AppliedAt, DateTimeOffset? ApprovedAt, int Version, bool IsOwner);

internal sealed record VolunteerRow(Guid Id, string? Number, string Name, string Gender, int Age, string Phone, string IdNumber,
    UnitRef HomeUnit, string Status, string StatusName, DateTimeOffset AppliedAt);

internal sealed class VolunteerQueries(AppDbContext db, TimeProvider clock)
{
    public static string StatusName(VolunteerStatus s) => s switch
    {
        VolunteerStatus.Applied => "待审核",
        VolunteerStatus.Active => "在册",
        VolunteerStatus.Suspended => "已暂停",
        VolunteerStatus.Left => "已注销",
        VolunteerStatus.Rejected => "未通过",
        _ => s.ToString(),
    };

    public static string GenderName(Gender g) => g == Gender.Male ? "男" : "女";

    /// <summary>Admins and leaders whose subtree holds the volunteer's home unit.</summary>
    public static IQueryable<Volunteer> Overseen(AppDbContext db) =>
        db.Set<Volunteer>().Include(v => v.HomeUnit).VisibleTo(db.Scope, v => v.HomeUnit!.Path, Role.Admin, Role.Leader);

    /// <summary>A volunteer an admin may act on (leaders read only: 403).</summary>
    public static async Task<Volunteer> FindForAdminAsync(AppDbContext db, Guid id, CancellationToken ct)
    {
        var v = await Overseen(db).FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        if (!db.Scope.CanAdminister(v.HomeUnit!.Path))
        {
            throw new AccessDeniedException("只有管理员可以审核或处理志愿者");
        }

        return v;
    }

    public async Task<Paged<VolunteerRow>> ListAsync(int page, int pageSize, string? status, Guid? unit, string? search, CancellationToken ct)
    {
        if (!db.Scope.Has(Role.Admin) && !db.Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看志愿者名单");
        }

        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var query = Overseen(db).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(status) && Enum.TryParse<VolunteerStatus>(status, true, out var s))
        {
            query = query.Where(v => v.Status == s);
        }

        if (unit is { } u)
        {
            var path = await db.Units.VisibleTo(db.Scope).Where(x => x.Id == u).Select(x => x.Path).FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
            query = query.Where(v => v.HomeUnit!.Path.StartsWith(path));
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            query = query.Where(v => v.Name.Contains(search) || v.Number == search);
        }

        var total = await query.CountAsync(ct);
        var today = DistrictTime.Today(clock.GetUtcNow());
        var items = await query.OrderByDescending(v => v.AppliedAt).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new([.. items.Select(v => Row(v, today))], total, page, pageSize);
    }

    public static VolunteerRow Row(Volunteer v, DateOnly today) =>
        new(v.Id, v.Number, v.Name, GenderName(v.Gender), Volunteer.AgeOn(v.BirthDate, today), Masking.Phone(v.Phone) ?? "",
            v.IdNumberMasked, new UnitRef(v.HomeUnitId, v.HomeUnit?.Name ?? ""), v.Status.ToString(), StatusName(v.Status), v.AppliedAt);

    public async Task<VolunteerView> ViewAsync(Guid id, CancellationToken ct)
    {
        var v = await db.Set<Volunteer>().Include(x => x.HomeUnit).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.UserId == db.Scope.UserId, ct)
                ?? await Overseen(db).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct)
                ?? throw new NotVisibleException();
        return View(v, null, clock.GetUtcNow());
    }

    public async Task<Volunteer?> MineAsync(CancellationToken ct) =>
        await db.Set<Volunteer>().Include(x => x.HomeUnit).FirstOrDefaultAsync(x => x.UserId == db.Scope.UserId, ct);

    /// <summary>The owner gets their own data in full (<paramref name="plainIdNumber"/>); everyone else the masked form.</summary>
    public VolunteerView View(Volunteer v, string? plainIdNumber, DateTimeOffset now)
    {
        var owner = v.UserId == db.Scope.UserId;
        return new VolunteerView(v.Id, v.Number, v.Name, GenderName(v.Gender), v.IdType.ToString(),
            owner && plainIdNumber is not null ? plainIdNumber : v.IdNumberMasked,
            owner ? v.Phone : Masking.Phone(v.Phone) ?? "", owner ? v.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null,
            Volunteer.AgeOn(v.BirthDate, DistrictTime.Today(now)), v.PoliticalStatus, v.Education, v.Occupation, v.Skills, v.ServiceCategories,
            v.PreferredPlatformIds, v.Availability, new UnitRef(v.HomeUnitId, v.HomeUnit?.Name ?? ""), v.Status.ToString(), StatusName(v.Status),
            v.StatusReason, v.EmergencyContactName, owner ? v.EmergencyContactPhone : Masking.Phone(v.EmergencyContactPhone),
            v.GuardianName, owner ? v.GuardianPhone : Masking.Phone(v.GuardianPhone), v.AppliedAt, v.ApprovedAt, v.Version, owner);
    }
}
