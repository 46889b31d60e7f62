using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

internal sealed record YearHours(int Year, decimal Hours);

internal sealed record PlatformHours(Guid PlatformId, string Platform, decimal Hours);

/// <summary>A volunteer's cumulative confirmed hours, by year and platform, and the star level they reach.</summary>
internal sealed record HoursSummary(Guid VolunteerId, string Name, string? Number, decimal Hours, int Services, int Star, string StarName, int? NextStarHours,
    IReadOnlyList<YearHours> ByYear, IReadOnlyList<PlatformHours> ByPlatform);

internal sealed record RecordView(Guid Id, string Source, string SourceName, Guid SourceId, string Title, string Platform, string Organizer, string? Address, DateTimeOffset StartedAt,
    DateTimeOffset EndedAt, int Minutes, decimal Hours, string ConfirmedBy, DateTimeOffset ConfirmedAt, Guid? CorrectsId, string? Reason);

/// <summary>One place in a ranking by cumulative confirmed hours.</summary>
internal sealed record RankedVolunteer(int Rank, Guid VolunteerId, string Name, string? Number, string HomeUnit, decimal Hours, int Star, string StarName);

internal sealed record RecordRulesView(IReadOnlyList<int> StarHours, IReadOnlyList<string> StarCertifiers, string YearEnd, bool BackfillEarnsPoints, bool CanEdit);

/// <summary>What the center changes; what it leaves out stays as it was. <c>yearEnd</c> is "MM-dd", <c>starCertifiers</c> five of Station, Institute, Center.</summary>
internal sealed record RecordRulesInput(IReadOnlyList<int>? StarHours, bool? BackfillEarnsPoints, IReadOnlyList<string>? StarCertifiers = null, string? YearEnd = null);

/// <summary>Reading a volunteer's records and hours: the volunteer themself, and the admins and leaders over their home station.</summary>
internal sealed class VolunteerRecords(AppDbContext db, DistrictCache cache, Teams.TeamUseCases teams, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    /// <summary>The volunteer, when the caller is them or oversees their home unit; otherwise they do not exist for the caller.</summary>
    public async Task<Volunteer> ReachableAsync(Guid volunteerId, CancellationToken ct)
    {
        var volunteer = await db.Set<Volunteer>().Include(v => v.HomeUnit).FirstOrDefaultAsync(v => v.Id == volunteerId, ct);
        return volunteer is not null && (volunteer.UserId == Scope.UserId || Scope.CanOversee(volunteer.HomeUnit!.Path))
            ? volunteer
            : throw new NotVisibleException();
    }

    public async Task<IReadOnlyList<int>> StarHoursAsync(CancellationToken ct) =>
        await db.Set<RecordRules>().Where(r => r.DistrictId == Scope.DistrictId).Select(r => r.StarHours).FirstOrDefaultAsync(ct) ?? [.. RecordRules.DefaultStarHours];

    public async Task<HoursSummary> HoursAsync(Guid volunteerId, CancellationToken ct)
    {
        var volunteer = await ReachableAsync(volunteerId, ct);
        var entries = await db.Set<ServiceRecord>().Where(r => r.VolunteerId == volunteerId)
            .Select(r => new { r.StartedAt, r.PlatformId, r.Minutes, r.Source, r.SourceId, r.SignupId }).ToListAsync(ct);
        var total = entries.Sum(e => (long)e.Minutes);
        var starHours = await StarHoursAsync(ct);
        var star = RecordRules.Star(starHours, total);
        var platforms = await PlatformDirectory.AllAsync(db, cache, Scope.DistrictId, ct);
        var yearEnd = await db.Set<RecordRules>().Where(r => r.DistrictId == Scope.DistrictId).Select(r => (int?)r.YearEnd).FirstOrDefaultAsync(ct) ?? 1231;
        var byYear = entries.GroupBy(e => RecordRules.ServiceYear(DistrictTime.Today(e.StartedAt), yearEnd))
            .Select(g => new YearHours(g.Key, RecordRules.Hours(g.Sum(e => (long)e.Minutes)))).Where(y => y.Hours != 0).OrderByDescending(y => y.Year).ToList();
        var byPlatform = entries.GroupBy(e => e.PlatformId)
            .Select(g => new PlatformHours(g.Key, platforms.FirstOrDefault(p => p.Id == g.Key)?.Name ?? "", RecordRules.Hours(g.Sum(e => (long)e.Minutes))))
            .Where(p => p.Hours != 0).OrderByDescending(p => p.Hours).ToList();
        var services = entries.GroupBy(e => (e.Source, e.SourceId, e.SignupId)).Count(g => g.Sum(e => e.Minutes) > 0);
        return new HoursSummary(volunteer.Id, volunteer.Name, volunteer.Number, RecordRules.Hours(total), services, star, RecordRules.StarName(star),
            star < starHours.Count ? starHours[star] : null, byYear, byPlatform);
    }

    public async Task<Paged<RecordView>> ListAsync(Guid volunteerId, int page, int pageSize, CancellationToken ct)
    {
        await ReachableAsync(volunteerId, ct);
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var query = db.Set<ServiceRecord>().Where(r => r.VolunteerId == volunteerId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new Paged<RecordView>(await ViewsAsync(rows, ct), total, page, pageSize);
    }

    /// <summary>
    /// The volunteers of the caller's subtree with the most confirmed hours (admins and leaders): read from the kept totals,
    /// so it costs the same however many records there are.
    /// </summary>
    public async Task<IReadOnlyList<RankedVolunteer>> RankingAsync(int take, CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Accounts.Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看服务时长排行");
        }

        // The district named outright and the order read off the totals' own columns: the top of the (DistrictId, Minutes DESC,
        // VolunteerId) index, walked until enough overseen volunteers are found, in every plan (a prepared statement's generic
        // plan too, and SQLite's, which cannot see through the district filter's "system or this district").
        var district = Scope.DistrictId;
        var rows = await db.Set<VolunteerTotal>().Where(t => t.DistrictId == district && t.Minutes > 0)
            .Join(VolunteerQueries.Overseen(db), t => t.VolunteerId, v => v.Id,
                (t, v) => new { t.Minutes, Id = t.VolunteerId, v.Name, v.Number, Unit = v.HomeUnit!.Name })
            .OrderByDescending(x => x.Minutes).ThenBy(x => x.Id).Take(Math.Clamp(take, 1, 200)).ToListAsync(ct);
        var starHours = await StarHoursAsync(ct);
        return [.. rows.Select((r, i) =>
        {
            var star = RecordRules.Star(starHours, r.Minutes);
            return new RankedVolunteer(i + 1, r.Id, r.Name, r.Number, r.Unit, RecordRules.Hours(r.Minutes), star, RecordRules.StarName(star));
        })];
    }

    /// <summary>What a team has done lately, orders and activities alike, from its members' records.</summary>
    public async Task<IReadOnlyList<RecordView>> TeamWorkAsync(Guid teamId, int take, CancellationToken ct)
    {
        if (!await teams.SeesAsync(teamId, ct))
        {
            throw new NotVisibleException();
        }

        var rows = await db.Set<ServiceRecord>().Where(r => r.TeamId == teamId && r.CorrectsId == null).OrderByDescending(r => r.StartedAt)
            .Take(Math.Clamp(take, 1, 100)).ToListAsync(ct);
        return await ViewsAsync(rows, ct);
    }

    public async Task<RecordRulesView> RulesAsync(CancellationToken ct)
    {
        var rules = await db.Set<RecordRules>().AsNoTracking().FirstOrDefaultAsync(r => r.DistrictId == Scope.DistrictId, ct);
        var certifiers = rules?.StarCertifiers ?? [.. RecordRules.DefaultCertifiers.Select(k => (int)k)];
        var yearEnd = rules?.YearEnd ?? 1231;
        return new RecordRulesView(rules?.StarHours ?? [.. RecordRules.DefaultStarHours], [.. certifiers.Select(k => ((UnitKind)k).ToString())],
            $"{yearEnd / 100:00}-{yearEnd % 100:00}", rules?.BackfillEarnsPoints ?? false, Scope.IsCenterAdmin);
    }

    /// <summary>The district's star levels and backfill rule: the center's admins decide them.</summary>
    public async Task<RecordRulesView> SaveRulesAsync(RecordRulesInput input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("星级标准由中心管理员设置");
        }

        var now = clock.GetUtcNow();
        var rules = await db.Set<RecordRules>().FirstOrDefaultAsync(r => r.DistrictId == Scope.DistrictId, ct);
        var starHours = input.StarHours ?? rules?.StarHours ?? [.. RecordRules.DefaultStarHours];
        var backfill = input.BackfillEarnsPoints ?? rules?.BackfillEarnsPoints ?? false;
        if (rules is null)
        {
            rules = new RecordRules(Scope.DistrictId, starHours, backfill, now);
            db.Add(rules);
        }
        else
        {
            rules.Change(starHours, backfill, now);
        }

        var certifiers = input.StarCertifiers is { } named
            ? [.. named.Select(n => Enum.TryParse<UnitKind>(n, true, out var k) ? k : 0)]
            : rules.StarCertifiers.Select(k => (UnitKind)k).ToList();
        var yearEnd = rules.YearEnd;
        if (input.YearEnd is { } end)
        {
            yearEnd = DateOnly.TryParseExact("2001-" + end, "yyyy-MM-dd", out var day) ? day.Month * 100 + day.Day : 0;
        }

        rules.ChangeCertification(certifiers, yearEnd);

        await db.SaveChangesAsync(ct);
        return await RulesAsync(ct);
    }

    /// <summary>Where a record came from, in the words its readers use.</summary>
    public static string SourceName(ServiceRecord r) => r.Source switch
    {
        RecordSource.Order => r.Backfilled ? "服务订单（补录）" : "服务订单",
        RecordSource.Activity => r.Backfilled ? "志愿活动（补录）" : "志愿活动",
        _ => "线下服务（补录）",
    };

    private async Task<IReadOnlyList<RecordView>> ViewsAsync(IReadOnlyList<ServiceRecord> rows, CancellationToken ct)
    {
        var unitIds = rows.Select(r => r.OrganizerUnitId).Distinct().ToList();
        var units = await db.Units.Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var platforms = await PlatformDirectory.AllAsync(db, cache, Scope.DistrictId, ct);
        return [.. rows.Select(r => new RecordView(r.Id, r.Source.ToString().ToLowerInvariant(), SourceName(r), r.SourceId, r.Title,
            platforms.FirstOrDefault(p => p.Id == r.PlatformId)?.Name ?? "", units.GetValueOrDefault(r.OrganizerUnitId, ""), r.Address, r.StartedAt, r.EndedAt,
            r.Minutes, RecordRules.Hours(r.Minutes), r.ConfirmedByName, r.ConfirmedAt, r.CorrectsId, r.Reason))];
    }
}

/// <summary>The service records organised in the caller's subtree as a workbook, one row an entry (corrections included).</summary>
internal sealed class ExportRecords(AppDbContext db, DistrictCache cache, Infrastructure.Audit.AuditLog audit, TimeProvider clock)
{
    /// <summary>At most this many entries a file: a district's year of records; narrower periods for more.</summary>
    public const int MaxRows = 200_000;

    public async Task<Stream> RunAsync(DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var scope = db.Scope;
        if (!scope.IsAdmin && !scope.Has(Accounts.Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出服务记录");
        }

        var today = DistrictTime.Today(clock.GetUtcNow());
        var (start, end) = (from ?? today.AddYears(-1), to ?? today);
        if (start > end || start.Year < 2000)
        {
            throw new InputException(new Dictionary<string, string[]> { ["from"] = ["请选择 2000 年以后的起止日期，开始不晚于结束"] });
        }

        var (lower, upper) = (DistrictTime.StartOf(start), DistrictTime.StartOf(end.AddDays(1)));
        var units = db.Units.VisibleTo(scope, Accounts.Role.Admin, Accounts.Role.Leader);
        var rows = await db.Set<ServiceRecord>().AsNoTracking()
            .Where(r => r.StartedAt >= lower && r.StartedAt < upper && units.Any(u => u.Id == r.OrganizerUnitId))
            .Join(db.Set<Volunteer>(), r => r.VolunteerId, v => v.Id, (r, v) => new { r, v.Name, v.Number, v.IdNumberMasked })
            .OrderBy(x => x.r.StartedAt).ThenBy(x => x.r.Id).Take(MaxRows).ToListAsync(ct);
        var unitIds = rows.Select(x => x.r.OrganizerUnitId).Distinct().ToList();
        var unitNames = await db.Units.Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var platforms = await PlatformDirectory.AllAsync(db, cache, scope.DistrictId, ct);
        audit.Add("records.exported", "service-record", null, scope.RootPaths(Accounts.Role.Admin, Accounts.Role.Leader) is [var top, ..] ? top : null,
            $"{rows.Count} rows, {start:yyyy-MM-dd}–{end:yyyy-MM-dd}");
        await db.SaveChangesAsync(ct);
        var stream = new MemoryStream();
        await SheetWriter.WriteAsync(stream, rows.Select(x => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["志愿者姓名"] = x.Name,
            ["证件号码"] = x.IdNumberMasked,
            ["志愿者编号"] = x.Number ?? "",
            ["服务内容"] = x.r.Title,
            ["服务平台"] = platforms.FirstOrDefault(p => p.Id == x.r.PlatformId)?.Name ?? "",
            ["来源"] = VolunteerRecords.SourceName(x.r),
            ["组织单位"] = unitNames.GetValueOrDefault(x.r.OrganizerUnitId, ""),
            ["服务地点"] = x.r.Address ?? "",
            ["开始时间"] = DistrictTime.Minute(x.r.StartedAt),
            ["结束时间"] = DistrictTime.Minute(x.r.EndedAt),
            ["服务时长（小时）"] = RecordRules.Hours(x.r.Minutes),
            ["补录"] = x.r.Backfilled ? "是" : "否",
            ["更正说明"] = x.r.CorrectsId is null ? "" : x.r.Reason ?? "",
            ["确认人"] = x.r.ConfirmedByName,
            ["确认时间"] = DistrictTime.Minute(x.r.ConfirmedAt),
        }), "志愿服务记录", ct);
        stream.Position = 0;
        return stream;
    }
}
