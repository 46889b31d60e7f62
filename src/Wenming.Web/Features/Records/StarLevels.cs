using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>
/// A star level certified (星级认定): the volunteer's hours reached it and an admin of the level the district names for
/// that star (the station, institute or center over the volunteer's home) confirmed it. Kept for good: one a star.
/// </summary>
internal sealed class StarCertification : IDistrictOwned
{
    private StarCertification()
    {
    }

    public StarCertification(Guid districtId, Guid volunteerId, int star, Guid unitId, string unitName, Guid? certifiedById, string certifiedByName, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        VolunteerId = volunteerId;
        Star = star;
        UnitId = unitId;
        UnitName = unitName;
        CertifiedById = certifiedById;
        CertifiedByName = certifiedByName;
        CertifiedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public int Star { get; private set; }
    public Guid UnitId { get; private set; }
    public string UnitName { get; private set; } = "";
    public Guid? CertifiedById { get; private set; }
    public string CertifiedByName { get; private set; } = "";
    public DateTimeOffset CertifiedAt { get; private set; }
}

internal sealed record StarCertificationView(int Star, string StarName, string Unit, string CertifiedBy, DateTimeOffset CertifiedAt);

/// <summary>Where a volunteer stands: the star their hours reach, the one certified, and which unit certifies the next.</summary>
internal sealed record StarStanding(int Reached, int Certified, string? NextCertifier, Guid? NextCertifierUnitId, bool CanCertify,
    IReadOnlyList<StarCertificationView> Certifications);

internal sealed record CertifyStarInput(int? Star);

internal sealed record UnitHoursRow(UnitRef Unit, decimal Hours, int Volunteers);

internal sealed record TeamHoursRow(UnitRef Team, decimal Hours, int Services);

/// <summary>A unit's cumulative confirmed hours (its volunteers'), each child unit's beside it, and its teams' work.</summary>
internal sealed record UnitTotals(UnitRef Unit, decimal Hours, int Volunteers, IReadOnlyList<UnitHoursRow> Children, IReadOnlyList<TeamHoursRow> Teams);

internal sealed class StarLevels(AppDbContext db, VolunteerRecords records, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public static string KindName(UnitKind kind) => kind switch
    {
        UnitKind.Center => "实践中心",
        UnitKind.Institute => "实践所",
        _ => "实践站",
    };

    public async Task<StarStanding> StandingAsync(Guid volunteerId, CancellationToken ct)
    {
        var volunteer = await records.ReachableAsync(volunteerId, ct);
        var rules = await db.Set<RecordRules>().AsNoTracking().FirstOrDefaultAsync(ct);
        var starHours = rules?.StarHours ?? [.. RecordRules.DefaultStarHours];
        var minutes = await db.Set<VolunteerTotal>().Where(t => t.VolunteerId == volunteerId).Select(t => (long?)t.Minutes).FirstOrDefaultAsync(ct) ?? 0;
        var reached = RecordRules.Star(starHours, minutes);
        var certifications = await db.Set<StarCertification>().AsNoTracking().Where(c => c.VolunteerId == volunteerId).OrderBy(c => c.Star).ToListAsync(ct);
        var certified = certifications.Count == 0 ? 0 : certifications.Max(c => c.Star);
        Unit? next = null;
        if (reached > certified)
        {
            next = await CertifierAsync(volunteer, rules, certified + 1, ct);
        }

        return new StarStanding(reached, certified, next is null ? null : next.Name, next?.Id, next is not null && Scope.CanAdminister(next.Path),
            [.. certifications.Select(c => new StarCertificationView(c.Star, RecordRules.StarName(c.Star), c.UnitName, c.CertifiedByName, c.CertifiedAt))]);
    }

    /// <summary>Certifies the next star the volunteer's hours reach: by an admin of the unit of the district's level for it, over their home.</summary>
    public async Task<StarStanding> CertifyAsync(Guid volunteerId, CertifyStarInput input, CancellationToken ct)
    {
        var volunteer = await records.ReachableAsync(volunteerId, ct);
        if (!Scope.IsAdmin)
        {
            throw new AccessDeniedException("星级由管理员认定");
        }

        var standing = await StandingAsync(volunteerId, ct);
        var star = input.Star ?? standing.Certified + 1;
        if (star != standing.Certified + 1 || star > standing.Reached)
        {
            throw new DomainException("star-not-reached", standing.Reached > standing.Certified
                ? $"请先认定{RecordRules.StarName(standing.Certified + 1)}"
                : "累计服务时长还没有达到下一个星级");
        }

        var rules = await db.Set<RecordRules>().AsNoTracking().FirstOrDefaultAsync(ct);
        var unit = await CertifierAsync(volunteer, rules, star, ct) ?? throw new DomainException("no-certifier", "找不到负责认定这一星级的单位");
        if (!Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException($"{RecordRules.StarName(star)}由{unit.Name}认定");
        }

        db.Add(new StarCertification(Scope.DistrictId, volunteerId, star, unit.Id, unit.Name, Scope.UserId, Scope.DisplayName ?? "管理员", clock.GetUtcNow()));
        audit.Add("records.star-certified", "volunteer", volunteerId.ToString(), unit.Path, RecordRules.StarName(star));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            throw new DomainException("already-certified", "这一星级刚刚已经认定", 409);
        }

        return await StandingAsync(volunteerId, ct);
    }

    /// <summary>The unit of the district's level for <paramref name="star"/> over the volunteer's home (the nearest one of that kind).</summary>
    private async Task<Unit?> CertifierAsync(Volunteer volunteer, RecordRules? rules, int star, CancellationToken ct)
    {
        var kinds = rules?.StarCertifiers ?? [.. RecordRules.DefaultCertifiers.Select(k => (int)k)];
        var kind = (UnitKind)kinds[star - 1];
        var home = volunteer.HomeUnit?.Path ?? await db.Units.Where(u => u.Id == volunteer.HomeUnitId).Select(u => u.Path).FirstAsync(ct);
        // The nearest unit over the home of that level, or of a higher one where there is none (a volunteer registered at an institute).
        var over = await db.Units.AsNoTracking().Where(u => u.Kind <= kind && home.StartsWith(u.Path)).ToListAsync(ct);
        return over.OrderByDescending(u => u.Kind == kind).ThenByDescending(u => u.Path.Length).FirstOrDefault();
    }

    /// <summary>
    /// A unit's cumulative hours: those of the volunteers registered in its subtree (from the totals kept with the
    /// records), each child unit's, and the teams of the subtree by the hours of work done as the team.
    /// </summary>
    public async Task<UnitTotals> UnitTotalsAsync(Guid? unitId, CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Accounts.Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看单位的服务时长");
        }

        var id = unitId ?? Scope.Grants.FirstOrDefault(g => g.Role is Accounts.Role.Admin or Accounts.Role.Leader)?.UnitId;
        var unit = id is null ? null : await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (unit is null || !Scope.CanOversee(unit.Path))
        {
            throw new NotVisibleException();
        }

        var byHome = await db.Set<VolunteerTotal>().Where(t => t.Minutes != 0)
            .Join(db.Set<Volunteer>().Where(v => v.HomeUnit!.Path.StartsWith(unit.Path)), t => t.VolunteerId, v => v.Id, (t, v) => new { v.HomeUnitId, t.Minutes })
            .GroupBy(x => x.HomeUnitId).Select(g => new { g.Key, Minutes = g.Sum(x => x.Minutes), Volunteers = g.Count() }).ToListAsync(ct);
        var homes = byHome.Select(h => h.Key).ToList();
        var paths = await db.Units.Where(u => homes.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Path, ct);
        var children = await db.Units.AsNoTracking().Where(u => u.ParentId == unit.Id && u.ClosedAt == null).OrderBy(u => u.Code)
            .Select(u => new { u.Id, u.Name, u.Path }).ToListAsync(ct);
        var childRows = children.Select(c =>
        {
            var under = byHome.Where(h => paths.GetValueOrDefault(h.Key, "").StartsWith(c.Path, StringComparison.Ordinal)).ToList();
            return new UnitHoursRow(new UnitRef(c.Id, c.Name), RecordRules.Hours(under.Sum(h => h.Minutes)), under.Sum(h => h.Volunteers));
        }).OrderByDescending(r => r.Hours).ToList();

        var teams = await db.Set<ServiceRecord>().Where(r => r.TeamId != null)
            .Join(db.Set<Teams.Team>().Where(t => t.Unit!.Path.StartsWith(unit.Path)), r => r.TeamId, t => t.Id, (r, t) => new { t.Id, t.Name, r.Minutes, r.CorrectsId })
            .GroupBy(x => new { x.Id, x.Name })
            .Select(g => new { g.Key.Id, g.Key.Name, Minutes = g.Sum(x => x.Minutes), Services = g.Count(x => x.CorrectsId == null) })
            .OrderByDescending(g => g.Minutes).Take(20).ToListAsync(ct);
        return new UnitTotals(new UnitRef(unit.Id, unit.Name), RecordRules.Hours(byHome.Sum(h => h.Minutes)), byHome.Sum(h => h.Volunteers), childRows,
            [.. teams.Select(t => new TeamHoursRow(new UnitRef(t.Id, t.Name), RecordRules.Hours(t.Minutes), t.Services))]);
    }
}
