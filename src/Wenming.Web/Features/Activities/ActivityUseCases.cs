using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

internal sealed record TemplateInput(string? Title, Guid? PlatformId, string? Description, string? Format, int? SuggestedMinutes, int? SuggestedSize,
    string? Audience, string? Materials, Guid[]? AllowedUnitIds, Guid? UnitId);

internal sealed record TemplateView(Guid Id, string Title, UnitRef Platform, string? Description, string? Format, int SuggestedMinutes, int SuggestedSize,
    string? Audience, string? Materials, IReadOnlyList<Guid> AllowedUnitIds, UnitRef ProposedBy, string Status, string StatusName, string? ReturnReason,
    int Version);

internal sealed record ActivityInput(string? Title, Guid? PlatformId, Guid? TemplateId, Guid? ProjectId, Guid? TeamId, Guid? UnitId, string? Description,
    DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Address, double? Latitude, double? Longitude, string? CoordinateSystem, int? Capacity,
    VolunteerRole[]? Roles, DateTimeOffset? SignupOpensAt, DateTimeOffset? SignupClosesAt, string? Audience, string? LectureForm, string? VenueType,
    string? Topic, Guid[]? LecturerIds);

internal sealed record RoleView(string Name, int Places, int Accepted, int Waiting);

internal sealed record ActivityRow(Guid Id, string Title, string Platform, UnitRef Unit, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Address,
    string Status, int Capacity, int Accepted, bool IsLecture);

internal sealed record MySignup(Guid Id, string Role, string Status, int? WaitingPosition, bool CheckedIn);

internal sealed record ActivityView(Guid Id, string Title, UnitRef Platform, UnitRef Unit, UnitRef? Team, UnitRef? Template, UnitRef? Project,
    string? Description, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Address, double? Latitude, double? Longitude, string Audience,
    DateTimeOffset SignupOpensAt, DateTimeOffset SignupClosesAt, string Status, IReadOnlyList<RoleView> Roles, MySignup? Mine, bool CanManage,
    string? LectureForm, string? VenueType, string? Topic, int? AudienceCount, int? Beneficiaries, string? Summary, IReadOnlyList<Guid> Photos);

/// <summary>The activity library and its gate, publishing, and reading activities as the caller may see them.</summary>
internal sealed class ActivityUseCases(AppDbContext db, AuditLog audit, TimeProvider clock, Infrastructure.Files.IFileStore files)
{
    private DataScope Scope => db.Scope;

    public static string TemplateStatusName(TemplateStatus s) => s switch
    {
        TemplateStatus.Proposed => "待审核",
        TemplateStatus.Approved => "已入库",
        TemplateStatus.Returned => "已退回",
        _ => s.ToString(),
    };

    public static string StatusName(string status) => Enum.TryParse<ActivityStatus>(status, out var s) ? s switch
    {
        ActivityStatus.Published => "已发布",
        ActivityStatus.Cancelled => "已取消",
        ActivityStatus.Finished => "已结束",
        _ => status,
    } : status;

    public async Task<ActivityRules> RulesAsync(CancellationToken ct)
    {
        var rules = await db.Set<ActivityRules>().FirstOrDefaultAsync(ct);
        if (rules is not null)
        {
            return rules;
        }

        var preset = await db.Districts.Where(d => d.Id == Scope.DistrictId).Select(d => d.WorkflowPreset).FirstOrDefaultAsync(ct);
        rules = new ActivityRules(Scope.DistrictId, preset == "kaizhou");
        db.Add(rules);
        await db.SaveChangesAsync(ct);
        return rules;
    }

    // ---- the library ----

    /// <summary>Approved entries usable by the caller's units, plus (for admins) proposals they may decide or made themselves.</summary>
    public async Task<IReadOnlyList<TemplateView>> LibraryAsync(string? status, Guid? platform, CancellationToken ct)
    {
        var query = db.Set<ActivityTemplate>().AsNoTracking();
        if (platform is { } p)
        {
            query = query.Where(t => t.PlatformId == p);
        }

        var isCenterAdmin = IsCenterAdmin();
        if (!string.IsNullOrEmpty(status) && Enum.TryParse<TemplateStatus>(status, true, out var st))
        {
            query = query.Where(t => t.Status == st);
        }

        var rows = await query.OrderBy(t => t.Status).ThenBy(t => t.Title).Take(500).ToListAsync(ct);
        var unitIds = rows.Select(r => r.ProposedByUnitId).Distinct().ToList();
        var units = await db.Units.Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => new { u.Name, u.Path }, ct);
        var platforms = await db.Platforms.ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        var visible = rows.Where(t => t.Status == TemplateStatus.Approved && UsableBy(t, Scope)
                                      || isCenterAdmin
                                      || Scope.CanAdminister(units[t.ProposedByUnitId].Path));
        return [.. visible.Select(t => ToView(t, platforms, units[t.ProposedByUnitId].Name))];
    }

    public async Task<ActivityTemplate> ProposeAsync(TemplateInput input, CancellationToken ct)
    {
        var details = await ValidateTemplateAsync(input, ct);
        var unitId = input.UnitId ?? Scope.Grants.FirstOrDefault(g => g.Role == Role.Admin)?.UnitId;
        var unit = unitId is null ? null : await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == unitId, ct);
        if (unit is null)
        {
            throw new NotVisibleException();
        }

        if (!Scope.CanAdminister(unit.Path))
        {
            throw new AccessDeniedException("只有中心、所、站管理员可以向活动库提交活动");
        }

        var template = new ActivityTemplate(Scope.DistrictId, unit.Id, Scope.UserId, details, clock.GetUtcNow());
        if (unit.ParentId is null)
        {
            template.Approve(Scope.UserId, clock.GetUtcNow()); // the center's own entries go straight in
        }

        db.Add(template);
        audit.Add("activity-template.proposed", "activity-template", template.Id.ToString(), unit.Path, template.Title);
        await db.SaveChangesAsync(ct);
        return template;
    }

    public async Task<ActivityTemplate> DecideAsync(Guid id, bool approve, string? reason, int? version, CancellationToken ct)
    {
        if (!IsCenterAdmin())
        {
            // Refused if they can see it (their own subtree's proposal, or a library entry); otherwise it does not exist for them.
            var seen = (await LibraryAsync(null, null, ct)).Any(t => t.Id == id);
            throw seen ? new AccessDeniedException("活动库由中心审核") : new NotVisibleException();
        }

        var template = await db.Set<ActivityTemplate>().FirstOrDefaultAsync(t => t.Id == id, ct) ?? throw new NotVisibleException();
        if (version is { } v && v != template.Version)
        {
            throw new DomainException("stale-version", "该活动已被他人处理，请刷新", 409);
        }

        if (approve)
        {
            template.Approve(Scope.UserId, clock.GetUtcNow());
        }
        else
        {
            if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
            {
                throw new InputException(new Dictionary<string, string[]> { ["reason"] = ["请写明退回理由（不超过 500 字）"] });
            }

            template.Return(reason.Trim(), Scope.UserId, clock.GetUtcNow());
        }

        audit.Add(approve ? "activity-template.approved" : "activity-template.returned", "activity-template", id.ToString(), null, template.Title);
        await db.SaveChangesAsync(ct);
        return template;
    }

    // ---- activities ----

    public async Task<Activity> PublishAsync(ActivityInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var now = clock.GetUtcNow();
        var rules = await RulesAsync(ct);
        ActivityTemplate? template = null;
        if (input.TemplateId is { } templateId)
        {
            template = await db.Set<ActivityTemplate>().FirstOrDefaultAsync(t => t.Id == templateId, ct);
            if (template is null)
            {
                errors["templateId"] = ["活动库中没有这个活动"];
            }
        }

        var title = (input.Title ?? template?.Title)?.Trim();
        if (string.IsNullOrWhiteSpace(title) || title.Length > 100)
        {
            errors["title"] = ["请填写活动名称（不超过 100 字）"];
        }

        var platformId = input.PlatformId ?? template?.PlatformId;
        if (platformId is null)
        {
            errors["platformId"] = ["请选择服务平台"];
        }

        if (input.StartsAt is not { } starts || input.EndsAt is not { } ends || ends <= starts || ends - starts > TimeSpan.FromDays(3))
        {
            errors["startsAt"] = ["请填写开始和结束时间，结束晚于开始，且不超过 3 天"];
        }

        if (input.Capacity is < 0 or > 100_000 || input.Roles is { Length: > 10 } || input.Roles?.Any(r => r is null || string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 30
                || r.Name == Activity.Participant || r.Count is < 1 or > 10_000) == true || input.Roles?.Select(r => r.Name).Distinct().Count() < input.Roles?.Length)
        {
            errors["roles"] = ["名额应在 0 到 100000 之间；志愿者岗位不超过 10 个，各有名称和 1 到 10000 个名额，名称不重复"];
        }

        if (input.Description is { Length: > 2000 } || input.Address is { Length: > 200 })
        {
            errors["description"] = ["活动介绍不超过 2000 字，地址不超过 200 字"];
        }

        if (!Enum.TryParse<ActivityAudience>(input.Audience ?? nameof(ActivityAudience.Everyone), true, out var audience) || !Enum.IsDefined(audience)
            || audience == ActivityAudience.Team && input.TeamId is null)
        {
            errors["audience"] = ["报名范围应为 Everyone（所有人）、Subtree（本单位辖区）或 Team（指定队伍，需选择队伍）"];
        }

        if (input.LectureForm is not null && (!rules.LectureForms.Contains(input.LectureForm) || input.VenueType is null || !rules.VenueTypes.Contains(input.VenueType)))
        {
            errors["lectureForm"] = [$"宣讲形式应为 {string.Join("、", rules.LectureForms)} 之一，并选择宣讲场所（{string.Join("、", rules.VenueTypes)}）"];
        }

        var point = Geo.ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var unitId = input.UnitId ?? Scope.Grants.FirstOrDefault(g => g.Role == Role.Admin)?.UnitId ?? (Scope.Grants.Count > 0 ? Scope.Grants[0].UnitId : null);
        var unit = unitId is null ? null : await db.Units.VisibleTo(Scope).FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw new NotVisibleException();
        var team = input.TeamId is { } teamId ? await db.Set<Team>().Include(t => t.Unit).FirstOrDefaultAsync(t => t.Id == teamId, ct) : null;
        if (unit is null || input.TeamId is not null && team is null)
        {
            throw new NotVisibleException();
        }

        var leadsTeam = team is not null && await LeadsAsync(team.Id, ct);
        if (!Scope.CanAdminister(unit.Path) && !leadsTeam)
        {
            throw new AccessDeniedException("只有管理员或本队队长可以发布活动");
        }

        // The rules the district set: only for the future, and (Kaizhou) only from the library.
        if (rules.FutureOnly && input.StartsAt <= now)
        {
            throw new DomainException("activity-in-past", "活动只能发布在将来的时间", 422);
        }

        if (rules.LibraryGate && (template is null || template.Status != TemplateStatus.Approved || !UsableAt(template, unit.Path)))
        {
            throw new DomainException("activity-not-in-library", ActivityRules.LibraryRuleWords + "：请从活动库中选择已入库的活动发布", 422);
        }

        if (template is not null && template.Status != TemplateStatus.Approved)
        {
            throw new DomainException("template-not-approved", "这个活动还没有通过中心审核入库", 422);
        }

        await PlatformRules.EnsureKnownAsync(db, [platformId!.Value], ct, "platformId");
        if (input.ProjectId is { } projectId && !await db.Set<Project>().AnyAsync(p => p.Id == projectId, ct))
        {
            throw new InputException(new Dictionary<string, string[]> { ["projectId"] = ["没有这个项目"] });
        }

        var lecturers = input.LecturerIds ?? [];
        if (lecturers.Length > 0 && await db.Set<Volunteer>().CountAsync(v => lecturers.Contains(v.Id) && v.Status == VolunteerStatus.Active, ct) != lecturers.Distinct().Count())
        {
            throw new InputException(new Dictionary<string, string[]> { ["lecturerIds"] = ["宣讲人须是本区在册志愿者"] });
        }

        var activity = new Activity(Scope.DistrictId, unit.Id, new ActivityDetails(title!, platformId.Value, template?.Id, input.ProjectId, team?.Id,
            input.Description?.Trim(), input.StartsAt!.Value.ToUniversalTime(), input.EndsAt!.Value.ToUniversalTime(), input.Address?.Trim(),
            point?.Lat ?? unit.Latitude, point?.Lng ?? unit.Longitude, input.Capacity ?? 0, input.Roles ?? [], input.SignupOpensAt?.ToUniversalTime(),
            input.SignupClosesAt?.ToUniversalTime(), audience, input.LectureForm, input.LectureForm is null ? null : input.VenueType, input.Topic?.Trim(),
            lecturers), Scope.UserId, now);
        db.Add(activity);
        audit.Add("activity.published", "activity", activity.Id.ToString(), unit.Path, activity.Title);
        await db.SaveChangesAsync(ct);
        return activity;
    }

    /// <summary>Activities listed to the caller: their units' and those above them, and below.</summary>
    public IQueryable<Activity> Listed() =>
        db.Set<Activity>().Include(a => a.Unit).VisibleOrAbove(Scope, a => a.UnitId, a => a.Unit!.Path);

    /// <summary>
    /// Activities the caller may open, join or check in to: those listed to them, any open to everyone in the district, and
    /// their teams' (a team's members live under many units).
    /// </summary>
    public IQueryable<Activity> Visible()
    {
        var uid = Scope.UserId ?? Guid.Empty;
        var teams = db.Set<TeamMember>().Where(m => m.Status == MembershipStatus.Member && m.Volunteer!.UserId == uid).Select(m => (Guid?)m.TeamId);
        return db.Set<Activity>().Include(a => a.Unit).Where(ScopeQueries.VisibleOrAboveFilter<Activity>(Scope, a => a.UnitId, a => a.Unit!.Path)
            .Or(a => a.Audience == ActivityAudience.Everyone && Scope.IsSignedIn)
            .Or(a => a.TeamId != null && teams.Contains(a.TeamId)));
    }

    public async Task<Paged<ActivityRow>> ListAsync(Guid? unit, Guid? platform, bool upcoming, bool lectures, int page, int pageSize, CancellationToken ct)
    {
        (page, pageSize) = UnitQueries.Paging(page, pageSize);
        var now = clock.GetUtcNow();
        var query = Listed().AsNoTracking().Where(a => a.Status != ActivityStatus.Cancelled);
        if (unit is { } u)
        {
            var path = await db.Units.Where(x => x.Id == u).Select(x => x.Path).FirstOrDefaultAsync(ct) ?? "\u0001";
            query = query.Where(a => a.Unit!.Path.StartsWith(path));
        }

        if (platform is { } p)
        {
            query = query.Where(a => a.PlatformId == p);
        }

        if (upcoming)
        {
            query = query.Where(a => a.EndsAt >= now);
        }

        if (lectures)
        {
            query = query.Where(a => a.LectureForm != null);
        }

        var total = await query.CountAsync(ct);
        var rows = await (upcoming ? query.OrderBy(a => a.StartsAt) : query.OrderByDescending(a => a.StartsAt)).ThenBy(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new
            {
                a.Id,
                a.Title,
                a.PlatformId,
                a.UnitId,
                UnitName = a.Unit!.Name,
                a.StartsAt,
                a.EndsAt,
                a.Address,
                a.Status,
                a.Capacity,
                a.LectureForm,
                Accepted = db.Set<ActivitySignup>().Count(s => s.ActivityId == a.Id && s.Role == Activity.Participant && s.Status == SignupStatus.Accepted),
            }).ToListAsync(ct);
        var platforms = await db.Platforms.ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        return new([.. rows.Select(r => new ActivityRow(r.Id, r.Title, platforms.GetValueOrDefault(r.PlatformId) ?? "", new UnitRef(r.UnitId, r.UnitName),
            r.StartsAt, r.EndsAt, r.Address, r.Status.ToString(), r.Capacity, r.Accepted, r.LectureForm is not null))], total, page, pageSize);
    }

    public async Task<ActivityView> ViewAsync(Guid id, CancellationToken ct)
    {
        var a = await Visible().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        var counts = await db.Set<ActivitySignup>().Where(s => s.ActivityId == id && s.Status != SignupStatus.Cancelled)
            .GroupBy(s => new { s.Role, s.Status }).Select(g => new { g.Key.Role, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var roles = new[] { new VolunteerRole(Activity.Participant, a.Capacity) }.Concat(a.Roles).Where(r => r.Count > 0)
            .Select(r => new RoleView(r.Name, r.Count, counts.Where(c => c.Role == r.Name && c.Status == SignupStatus.Accepted).Sum(c => c.Count),
                counts.Where(c => c.Role == r.Name && c.Status == SignupStatus.Waiting).Sum(c => c.Count))).ToList();
        MySignup? mine = null;
        if (Scope.UserId is { } uid
            && await db.Set<ActivitySignup>().AsNoTracking().Where(s => s.ActivityId == id && s.UserId == uid && s.Status != SignupStatus.Cancelled)
                .FirstOrDefaultAsync(ct) is { } signup)
        {
            int? position = signup.Status == SignupStatus.Waiting
                ? await db.Set<ActivitySignup>().CountAsync(s => s.ActivityId == id && s.Role == signup.Role && s.Status == SignupStatus.Waiting
                                                                 && s.CreatedAt <= signup.CreatedAt, ct)
                : null;
            var open = await db.Set<Attendance>().AnyAsync(x => x.SignupId == signup.Id && x.CheckOutAt == null, ct);
            mine = new MySignup(signup.Id, signup.Role, signup.Status.ToString(), position, open);
        }

        var platform = await db.Platforms.Where(p => p.Id == a.PlatformId).Select(p => p.Name).FirstOrDefaultAsync(ct) ?? "";
        var team = a.TeamId is { } t ? await db.Set<Team>().Where(x => x.Id == t).Select(x => new UnitRef(x.Id, x.Name)).FirstOrDefaultAsync(ct) : null;
        var template = a.TemplateId is { } tid ? await db.Set<ActivityTemplate>().Where(x => x.Id == tid).Select(x => new UnitRef(x.Id, x.Title)).FirstOrDefaultAsync(ct) : null;
        var project = a.ProjectId is { } pid ? await db.Set<Project>().Where(x => x.Id == pid).Select(x => new UnitRef(x.Id, x.Name)).FirstOrDefaultAsync(ct) : null;
        return new ActivityView(a.Id, a.Title, new UnitRef(a.PlatformId, platform), new UnitRef(a.UnitId, a.Unit!.Name), team, template, project, a.Description,
            a.StartsAt, a.EndsAt, a.Address, a.Latitude, a.Longitude, a.Audience.ToString(), a.SignupOpensAt, a.SignupClosesAt, a.Status.ToString(), roles,
            mine, await CanManageAsync(a, ct), a.LectureForm, a.VenueType, a.Topic, a.AudienceCount, a.Beneficiaries, a.Summary,
            await db.Set<ActivityPhoto>().Where(p => p.ActivityId == id).OrderBy(p => p.UploadedAt).Select(p => p.Id).ToListAsync(ct));
    }

    public async Task ReportAsync(Guid id, string? summary, int? beneficiaries, int? audienceCount, CancellationToken ct)
    {
        var a = await Visible().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        if (!await CanManageAsync(a, ct))
        {
            throw new AccessDeniedException("只有活动的组织者可以填写总结");
        }

        if (summary is { Length: > 2000 } || beneficiaries is < 0 or > 1_000_000 || audienceCount is < 0 or > 1_000_000)
        {
            throw new InputException(new Dictionary<string, string[]> { ["summary"] = ["总结不超过 2000 字，人数应在 0 到 1000000 之间"] });
        }

        a.Report(summary?.Trim(), beneficiaries, audienceCount, clock.GetUtcNow());
        audit.Add("activity.reported", "activity", a.Id.ToString(), a.Unit!.Path, a.Title);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A photo of the activity from its organisers: checked by content and size, at most 30.</summary>
    public async Task<ActivityPhoto> AddPhotoAsync(Guid id, IFormFile? file, CancellationToken ct)
    {
        var activity = await Visible().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        if (!await CanManageAsync(activity, ct))
        {
            throw new AccessDeniedException("只有活动的组织者可以上传照片");
        }

        if (await db.Set<ActivityPhoto>().CountAsync(p => p.ActivityId == id, ct) >= 30)
        {
            throw new DomainException("activity-photo-limit", "每个活动最多 30 张照片", 422);
        }

        var (content, type) = await Infrastructure.Files.Images.ReadUploadAsync(file, ct);
        var photo = new ActivityPhoto(activity.DistrictId, id, $"activities/{id:N}/{Ids.New():N}", type, Scope.UserId, clock.GetUtcNow());
        await files.SaveAsync(photo.FileName, content, ct);
        db.Add(photo);
        await db.SaveChangesAsync(ct);
        return photo;
    }

    /// <summary>Admins over the organising unit, and the leader of the organising team.</summary>
    public async Task<bool> CanManageAsync(Activity a, CancellationToken ct) =>
        Scope.CanAdminister(a.Unit!.Path) || a.TeamId is { } t && await LeadsAsync(t, ct);

    private async Task<bool> LeadsAsync(Guid teamId, CancellationToken ct) =>
        Scope.UserId is { } uid && await db.Set<TeamMember>().AnyAsync(m => m.TeamId == teamId && m.IsLeader && m.Status == MembershipStatus.Member
                                                                            && m.Volunteer!.UserId == uid && m.Volunteer.Status == VolunteerStatus.Active, ct);

    private bool IsCenterAdmin() => Scope.IsCenterAdmin;

    private static bool UsableBy(ActivityTemplate t, DataScope scope) =>
        t.AllowedUnitIds.Count == 0 || scope.Grants.Any(g => t.AllowedUnitIds.Any(id => g.UnitPath.Contains(id.ToString("N"), StringComparison.Ordinal)));

    private static bool UsableAt(ActivityTemplate t, string unitPath) =>
        t.AllowedUnitIds.Count == 0 || t.AllowedUnitIds.Any(id => unitPath.Contains(id.ToString("N"), StringComparison.Ordinal));

    private async Task<TemplateDetails> ValidateTemplateAsync(TemplateInput input, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Title) || input.Title.Trim().Length > 100)
        {
            errors["title"] = ["请填写活动名称（不超过 100 字）"];
        }

        if (input.PlatformId is null)
        {
            errors["platformId"] = ["请选择服务平台"];
        }

        if (input.SuggestedMinutes is < 10 or > 24 * 60 || input.SuggestedSize is < 1 or > 100_000)
        {
            errors["suggestedMinutes"] = ["建议时长应在 10 分钟到 24 小时之间，建议规模 1 到 100000 人"];
        }

        if (input.Description is { Length: > 2000 } || input.Materials is { Length: > 500 } || input.Format is { Length: > 50 } || input.Audience is { Length: > 100 })
        {
            errors["description"] = ["介绍不超过 2000 字，所需物资不超过 500 字，形式不超过 50 字，对象不超过 100 字"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        await PlatformRules.EnsureKnownAsync(db, [input.PlatformId!.Value], ct, "platformId");
        var allowed = input.AllowedUnitIds ?? [];
        if (allowed.Length > 0 && await db.Units.CountAsync(u => allowed.Contains(u.Id), ct) != allowed.Distinct().Count())
        {
            throw new InputException(new Dictionary<string, string[]> { ["allowedUnitIds"] = ["适用单位中有本区不存在的单位"] });
        }

        return new TemplateDetails(input.Title!.Trim(), input.PlatformId.Value, input.Description?.Trim(), input.Format?.Trim(), input.SuggestedMinutes ?? 90,
            input.SuggestedSize ?? 30, input.Audience?.Trim(), input.Materials?.Trim(), allowed);
    }

    private static TemplateView ToView(ActivityTemplate t, IReadOnlyDictionary<Guid, string> platforms, string unitName) =>
        new(t.Id, t.Title, new UnitRef(t.PlatformId, platforms.GetValueOrDefault(t.PlatformId) ?? ""), t.Description, t.Format, t.SuggestedMinutes,
            t.SuggestedSize, t.Audience, t.Materials, t.AllowedUnitIds, new UnitRef(t.ProposedByUnitId, unitName), t.Status.ToString(),
            TemplateStatusName(t.Status), t.ReturnReason, t.Version);
}
