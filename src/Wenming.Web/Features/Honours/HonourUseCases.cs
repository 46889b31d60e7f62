using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Records;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Honours;

internal sealed record TitleView(Guid Id, string Name, string Recipient, string Method, string MethodName, int SortOrder, bool Active);

internal sealed record TitleInput(Guid? Id, string? Name, string? Recipient, string? Method, bool Active = true);

internal sealed record AwardInput(Guid? TitleId, Guid? UnitId, string? RecipientName, Guid? VolunteerId, string? Period, string? Evidence);

internal sealed record AwardView(Guid Id, string Title, string Recipient, string RecipientName, UnitRef Unit, string Period, string Evidence, string Method,
    DateTimeOffset AwardedAt, bool Withdrawn, string? WithdrawReason);

internal sealed record WithdrawInput(string? Reason);

internal sealed record RoundInput(Guid? TitleId, Guid? UnitId, string? Name, DateTimeOffset? OpensAt, DateTimeOffset? ClosesAt, int Winners = 1);

internal sealed record NomineeInput(string? Name, Guid? VolunteerId, string? Evidence);

internal sealed record VoteInput(Guid? NomineeId);

internal sealed record NomineeView(Guid Id, string Name, string Evidence, int Votes, bool Won);

internal sealed record RoundView(Guid Id, string Name, string Title, UnitRef Unit, DateTimeOffset OpensAt, DateTimeOffset ClosesAt, int Winners, string State,
    string StateName, IReadOnlyList<NomineeView> Nominees, Guid? MyVote, bool CanManage);

internal sealed record MonthlyInput(string? Month, Guid? UnitId);

internal sealed record MonthlyStars(string Month, int Stations, IReadOnlyList<AwardView> Awarded);

internal sealed record HonourRulesView(int StarsPerUnit, int MinHours, decimal RatingWeight, int Version);

internal sealed record HonourRulesInput(int StarsPerUnit, int MinHours, decimal RatingWeight, int Version);

/// <summary>
/// 嘉许激励: the district's honour titles, honours given by decision, public votes with one vote an account, the monthly
/// 志愿者之星 computed from the month's service records and ratings, and each unit's 善行义举榜.
/// </summary>
internal sealed class HonourUseCases(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    /// <summary>An average rating that neither adds nor takes away (no rating counts as this).</summary>
    private const decimal NeutralRating = 3;

    public static string MethodName(AwardMethod m) => m switch
    {
        AwardMethod.Vote => "投票评选",
        AwardMethod.Monthly => "每月评定",
        _ => "单位评定",
    };

    // ---- titles ----

    /// <summary>The district's titles; a district without a list of its own gets the seeds' list, written once.</summary>
    public async Task<IReadOnlyList<HonourTitle>> TitlesAsync(CancellationToken ct)
    {
        var titles = await db.Set<HonourTitle>().OrderBy(t => t.SortOrder).ThenBy(t => t.Name).ToListAsync(ct);
        if (titles.Count > 0 || !Scope.IsSignedIn)
        {
            return titles;
        }

        var i = 0;
        titles = [.. HonourTitle.Defaults.Select(d => new HonourTitle(Scope.DistrictId, d.Name, d.Recipient, d.Method, ++i))];
        db.AddRange(titles);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // Another request wrote the list first: theirs stands.
            db.ChangeTracker.Clear();
            titles = await db.Set<HonourTitle>().OrderBy(t => t.SortOrder).ThenBy(t => t.Name).ToListAsync(ct);
        }

        return titles;
    }

    public static TitleView View(HonourTitle t) =>
        new(t.Id, t.Name, t.Recipient.ToString(), t.Method.ToString(), MethodName(t.Method), t.SortOrder, t.IsActive);

    /// <summary>The center writes the district's list: names added, recipients and methods changed, titles retired (never deleted).</summary>
    public async Task<IReadOnlyList<HonourTitle>> SaveTitlesAsync(IReadOnlyList<TitleInput> input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以修改荣誉名录");
        }

        if (input.Count is 0 or > 50)
        {
            throw new InputException(new Dictionary<string, string[]> { ["titles"] = ["荣誉名录为 1 到 50 项"] });
        }

        var current = (await TitlesAsync(ct)).ToDictionary(t => t.Id);
        var names = new HashSet<string>();
        for (var i = 0; i < input.Count; i++)
        {
            var x = input[i] ?? throw new InputException(new Dictionary<string, string[]> { ["titles"] = ["荣誉名录中有空项"] });
            var name = HonourTitle.Check(x.Name);
            if (!names.Add(name))
            {
                throw new InputException(new Dictionary<string, string[]> { ["name"] = [$"荣誉名称“{name}”重复"] });
            }

            if (!Enum.TryParse<RecipientKind>(x.Recipient, true, out var recipient) || !Enum.IsDefined(recipient)
                || !Enum.TryParse<AwardMethod>(x.Method, true, out var method) || !Enum.IsDefined(method))
            {
                throw new InputException(new Dictionary<string, string[]> { ["method"] = ["请为每项荣誉选择授予对象（个人/家庭）和方式（评定/投票/每月）"] });
            }

            if (x.Id is { } id)
            {
                var title = current.GetValueOrDefault(id) ?? throw new InputException(new Dictionary<string, string[]> { ["id"] = ["荣誉不存在，请刷新后再改"] });
                if (title.Name != name)
                {
                    throw new InputException(new Dictionary<string, string[]> { ["name"] = ["已有荣誉不能改名：停用它并新增一项"] });
                }

                title.Change(recipient, method, i + 1, x.Active);
            }
            else if (current.Values.Any(t => t.Name == name))
            {
                throw new InputException(new Dictionary<string, string[]> { ["name"] = [$"荣誉“{name}”已在名录中"] });
            }
            else
            {
                db.Add(new HonourTitle(Scope.DistrictId, name, recipient, method, i + 1));
            }
        }

        audit.Add("honours.titles-changed", "honour-title", null, null, string.Join("、", names));
        await db.SaveChangesAsync(ct);
        return await db.Set<HonourTitle>().OrderBy(t => t.SortOrder).ThenBy(t => t.Name).ToListAsync(ct);
    }

    // ---- awards by decision ----

    public async Task<HonourAward> AwardAsync(AwardInput input, CancellationToken ct)
    {
        var unit = await AdministeredUnitAsync(input.UnitId, "只有本单位管理员可以授予荣誉", ct);
        var title = await ActiveTitleAsync(input.TitleId, ct);
        var errors = new Dictionary<string, string[]>();
        string? name = null;
        if (input.VolunteerId is { } volunteerId)
        {
            name = await db.Set<Volunteer>().Where(v => v.Id == volunteerId && v.HomeUnit!.Path.StartsWith(unit.Path)).Select(v => v.Name).FirstOrDefaultAsync(ct);
            if (name is null)
            {
                errors["volunteerId"] = ["这位志愿者不在本单位及下级"];
            }
        }
        else if (input.RecipientName?.Trim() is { Length: >= 2 and <= 50 } n && !n.Any(char.IsControl))
        {
            name = n;
        }
        else
        {
            errors["recipientName"] = [title.Recipient == RecipientKind.Household ? "请填写获奖家庭（如“张三家庭”）" : "请填写获奖人姓名"];
        }

        var period = input.Period?.Trim() is { Length: >= 4 and <= 50 } p ? p : null;
        if (period is null)
        {
            errors["period"] = ["请填写评定期间（如 2026 年度）"];
        }

        var evidence = input.Evidence?.Trim() is { Length: >= 5 and <= 1000 } e ? e : null;
        if (evidence is null)
        {
            errors["evidence"] = ["请写明事迹（5 到 1000 字）"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var award = new HonourAward(Scope.DistrictId, title, unit.Id, name!, input.VolunteerId, period!, evidence!, AwardMethod.Decision, null, Scope.UserId,
            clock.GetUtcNow());
        db.Add(award);
        audit.Add("honours.awarded", "honour-award", award.Id.ToString(), unit.Path, $"{title.Name} {name}");
        await SaveOnceAsync("这个荣誉已经授予过同一人（同一单位、同一期间）", ct);
        return award;
    }

    public async Task WithdrawAsync(Guid awardId, WithdrawInput input, CancellationToken ct)
    {
        var award = await db.Set<HonourAward>().Include(a => a.Unit).FirstOrDefaultAsync(a => a.Id == awardId, ct);
        if (award is null || !Scope.CanRead(award.Unit!.Path))
        {
            throw new NotVisibleException();
        }

        if (!Scope.CanAdminister(award.Unit.Path))
        {
            throw new AccessDeniedException("只有本单位管理员可以撤销荣誉");
        }

        var reason = input.Reason?.Trim() is { Length: >= 2 and <= 500 } r ? r : throw new InputException(new Dictionary<string, string[]> { ["reason"] = ["请写明撤销理由"] });
        award.Withdraw(reason, clock.GetUtcNow());
        audit.Add("honours.withdrawn", "honour-award", award.Id.ToString(), award.Unit.Path, reason);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The 善行义举榜 of a unit: the honours given at it and below, newest first (withdrawn ones off the board).</summary>
    public async Task<IReadOnlyList<AwardView>> BoardAsync(Unit unit, int take, CancellationToken ct)
    {
        var awards = await db.Set<HonourAward>().AsNoTracking().Include(a => a.Unit)
            .Where(a => a.Unit!.Path.StartsWith(unit.Path) && a.WithdrawnAt == null)
            .OrderByDescending(a => a.AwardedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
        return [.. awards.Select(View)];
    }

    public static AwardView View(HonourAward a) =>
        new(a.Id, a.TitleName, a.Recipient.ToString(), a.RecipientName, new UnitRef(a.UnitId, a.Unit?.Name ?? ""), a.Period, a.Evidence, MethodName(a.Method),
            a.AwardedAt, a.WithdrawnAt is not null, a.WithdrawReason);

    // ---- public votes ----

    public async Task<VoteRound> OpenRoundAsync(RoundInput input, CancellationToken ct)
    {
        var unit = await AdministeredUnitAsync(input.UnitId, "只有本单位管理员可以发起评选", ct);
        var title = await ActiveTitleAsync(input.TitleId, ct);
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var name = input.Name?.Trim() is { Length: >= 2 and <= 50 } n ? n : null;
        if (name is null)
        {
            errors["name"] = ["请填写评选名称（如“2026 年第四季度最美志愿者”）"];
        }

        if (input.OpensAt is not { } opens || input.ClosesAt is not { } closes || closes <= opens || closes <= now || closes - opens > TimeSpan.FromDays(90))
        {
            errors["closesAt"] = ["请填写投票开始和截止时间：截止晚于开始和现在，最长 90 天"];
        }

        if (input.Winners is < 1 or > 20)
        {
            errors["winners"] = ["当选名额为 1 到 20"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var round = new VoteRound(Scope.DistrictId, title, unit.Id, name!, input.OpensAt!.Value.ToUniversalTime(), input.ClosesAt!.Value.ToUniversalTime(), input.Winners,
            Scope.UserId!.Value, now);
        db.Add(round);
        audit.Add("honours.round-opened", "honour-round", round.Id.ToString(), unit.Path, name);
        await db.SaveChangesAsync(ct);
        return round;
    }

    public async Task<Nominee> NominateAsync(Guid roundId, NomineeInput input, CancellationToken ct)
    {
        var round = await ManagedRoundAsync(roundId, "候选人由发起评选的单位提名", ct);

        var now = clock.GetUtcNow();
        if (round.ClosedAt is not null || now >= round.ClosesAt)
        {
            throw new DomainException("round-closed", "投票已经截止，不能再提名");
        }

        var errors = new Dictionary<string, string[]>();
        string? name = null;
        if (input.VolunteerId is { } volunteerId)
        {
            name = await db.Set<Volunteer>().Where(v => v.Id == volunteerId && v.HomeUnit!.Path.StartsWith(round.Unit!.Path)).Select(v => v.Name).FirstOrDefaultAsync(ct);
            if (name is null)
            {
                errors["volunteerId"] = ["这位志愿者不在发起评选的单位及下级"];
            }
        }
        else if (input.Name?.Trim() is { Length: >= 2 and <= 50 } n && !n.Any(char.IsControl))
        {
            name = n;
        }
        else
        {
            errors["name"] = ["请填写候选人姓名"];
        }

        var evidence = input.Evidence?.Trim() is { Length: >= 5 and <= 1000 } e ? e : null;
        if (evidence is null)
        {
            errors["evidence"] = ["请写明候选人的事迹（5 到 1000 字）"];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var nominee = new Nominee(Scope.DistrictId, round.Id, name!, input.VolunteerId, evidence!, Scope.UserId!.Value, now);
        db.Add(nominee);
        await SaveOnceAsync("这位候选人已经提名", ct);
        return nominee;
    }

    /// <summary>One vote an account a round, in its window: the database's unique index holds it even for two votes at once.</summary>
    public async Task VoteAsync(Guid roundId, VoteInput input, CancellationToken ct)
    {
        var round = await RoundAsync(roundId, ct);
        var now = clock.GetUtcNow();
        if (!round.IsOpen(now))
        {
            throw new DomainException("round-not-open", now < round.OpensAt ? "投票还没有开始" : "投票已经截止");
        }

        if (input.NomineeId is not { } nomineeId || !await db.Set<Nominee>().AnyAsync(n => n.Id == nomineeId && n.RoundId == round.Id, ct))
        {
            throw new InputException(new Dictionary<string, string[]> { ["nomineeId"] = ["请选择这轮评选的一位候选人"] });
        }

        db.Add(new HonourVote(Scope.DistrictId, round.Id, nomineeId, Scope.UserId!.Value, now));
        await SaveOnceAsync("您已在这轮评选中投过票，每人一票", ct);
    }

    /// <summary>After the window, the most-voted nominees are awarded the title (ties at the last place by who was nominated first).</summary>
    public async Task<IReadOnlyList<HonourAward>> CloseRoundAsync(Guid roundId, CancellationToken ct)
    {
        var round = await ManagedRoundAsync(roundId, "只有发起评选的单位可以公布结果", ct);

        var now = clock.GetUtcNow();
        round.Close(now);
        var nominees = await CountAsync(round.Id, ct);
        var awards = nominees.Where(n => n.Votes > 0).Take(round.Winners)
            .Select(n => new HonourAward(Scope.DistrictId, round.Title!, round.UnitId, n.Nominee.Name, n.Nominee.VolunteerId, round.Name,
                $"{n.Nominee.Evidence}（得票 {n.Votes}）", AwardMethod.Vote, round.Id, Scope.UserId, now)).ToList();
        db.AddRange(awards);
        audit.Add("honours.round-closed", "honour-round", round.Id.ToString(), round.Unit!.Path, string.Join("、", awards.Select(a => a.RecipientName)));
        await SaveOnceAsync("结果已经公布", ct);
        return awards;
    }

    /// <summary>The rounds of the district (a vote is public to all its accounts), running and upcoming first, then the latest results.</summary>
    public async Task<IReadOnlyList<RoundView>> RoundsAsync(int take, CancellationToken ct)
    {
        var rounds = await db.Set<VoteRound>().AsNoTracking().Include(r => r.Unit).Include(r => r.Title)
            .OrderBy(r => r.ClosedAt == null ? 0 : 1).ThenByDescending(r => r.ClosesAt).Take(Math.Clamp(take, 1, 100)).ToListAsync(ct);
        var views = new List<RoundView>();
        foreach (var r in rounds)
        {
            views.Add(await ViewAsync(r, ct));
        }

        return views;
    }

    public async Task<RoundView> RoundViewAsync(Guid id, CancellationToken ct) => await ViewAsync(await RoundAsync(id, ct), ct);

    private async Task<RoundView> ViewAsync(VoteRound r, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var counted = await CountAsync(r.Id, ct);
        var winners = r.ClosedAt is null ? [] : counted.Where(n => n.Votes > 0).Take(r.Winners).Select(n => n.Nominee.Id).ToHashSet();
        var uid = Scope.UserId ?? Guid.Empty;
        var mine = await db.Set<HonourVote>().Where(v => v.RoundId == r.Id && v.UserId == uid).Select(v => (Guid?)v.NomineeId).FirstOrDefaultAsync(ct);
        var (state, stateName) = r.ClosedAt is not null ? ("closed", "已公布结果")
            : now < r.OpensAt ? ("upcoming", "未开始")
            : now < r.ClosesAt ? ("open", "投票中")
            : ("counting", "已截止，待公布");
        return new RoundView(r.Id, r.Name, r.Title!.Name, new UnitRef(r.UnitId, r.Unit!.Name), r.OpensAt, r.ClosesAt, r.Winners, state, stateName,
            [.. counted.Select(n => new NomineeView(n.Nominee.Id, n.Nominee.Name, n.Nominee.Evidence, n.Votes, winners.Contains(n.Nominee.Id)))], mine,
            Scope.CanAdminister(r.Unit.Path));
    }

    private async Task<List<(Nominee Nominee, int Votes)>> CountAsync(Guid roundId, CancellationToken ct)
    {
        var nominees = await db.Set<Nominee>().AsNoTracking().Where(n => n.RoundId == roundId).ToListAsync(ct);
        var votes = await db.Set<HonourVote>().Where(v => v.RoundId == roundId).GroupBy(v => v.NomineeId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return [.. nominees.Select(n => (n, votes.GetValueOrDefault(n.Id))).OrderByDescending(x => x.Item2).ThenBy(x => x.n.NominatedAt).ThenBy(x => x.n.Id)];
    }

    /// <summary>A round to run: anyone in the district sees and votes in it, but outside the unit's subtree running it does not exist.</summary>
    private async Task<VoteRound> ManagedRoundAsync(Guid id, string refusal, CancellationToken ct)
    {
        var round = await RoundAsync(id, ct);
        if (!Scope.CanRead(round.Unit!.Path))
        {
            throw new NotVisibleException();
        }

        return Scope.CanAdminister(round.Unit.Path) ? round : throw new AccessDeniedException(refusal);
    }

    private async Task<VoteRound> RoundAsync(Guid id, CancellationToken ct) =>
        await db.Set<VoteRound>().Include(r => r.Unit).Include(r => r.Title).FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotVisibleException();

    // ---- monthly 志愿者之星 ----

    public async Task<HonourRules> RulesAsync(CancellationToken ct) =>
        await db.Set<HonourRules>().FirstOrDefaultAsync(ct) ?? new HonourRules(Scope.DistrictId);

    public async Task<HonourRules> SaveRulesAsync(HonourRulesInput input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以修改志愿者之星的评定规则");
        }

        var rules = await db.Set<HonourRules>().FirstOrDefaultAsync(ct);
        if (rules is null)
        {
            rules = new HonourRules(Scope.DistrictId);
            db.Add(rules);
        }
        else if (rules.Version != input.Version)
        {
            throw new DomainException("stale-version", "规则已被他人修改，请刷新后再改", 409);
        }

        rules.Change(input.StarsPerUnit, input.MinHours, input.RatingWeight);
        audit.Add("honours.rules-changed", "honour-rules", null, null, $"{input.StarsPerUnit} a station, {input.MinHours} h, rating weight {input.RatingWeight}");
        await db.SaveChangesAsync(ct);
        return rules;
    }

    /// <summary>
    /// The 志愿者之星 of a finished month for every station the admin administers (or those under <see cref="MonthlyInput.UnitId"/>):
    /// per station, its own volunteers scored by the month's confirmed hours plus the rating weight for each star of
    /// their orders' average rating. A station already given its stars for that month is left as it is.
    /// </summary>
    public async Task<MonthlyStars> MonthlyStarsAsync(MonthlyInput input, CancellationToken ct)
    {
        var root = await AdministeredUnitAsync(input.UnitId, "只有管理员可以评定志愿者之星", ct);
        var today = DistrictTime.Today(clock.GetUtcNow());
        var thisMonth = new DateOnly(today.Year, today.Month, 1);
        DateOnly month;
        if (input.Month is null)
        {
            month = thisMonth.AddMonths(-1);
        }
        else if (!DateOnly.TryParseExact(input.Month + "-01", "yyyy-MM-dd", out month) || month >= thisMonth || month.Year < 2000)
        {
            throw new InputException(new Dictionary<string, string[]> { ["month"] = ["请选择已经结束的月份（如 2026-11）"] });
        }

        var period = $"{month:yyyy-MM}";
        var title = (await TitlesAsync(ct)).FirstOrDefault(t => t.IsActive && t.Method == AwardMethod.Monthly)
                    ?? throw new DomainException("no-monthly-title", "荣誉名录中没有“每月评定”的荣誉，请中心管理员先设置");
        var rules = await RulesAsync(ct);
        var stations = await db.Units.AsNoTracking().Where(u => u.Path.StartsWith(root.Path) && u.Kind == UnitKind.Station && u.ClosedAt == null)
            .Select(u => new { u.Id, u.Path, u.Name }).ToListAsync(ct);
        stations = [.. stations.Where(s => Scope.CanAdminister(s.Path))];
        var done = (await db.Set<HonourAward>().Where(a => a.TitleId == title.Id && a.Period == period && a.Unit!.Path.StartsWith(root.Path))
            .Select(a => a.UnitId).Distinct().ToListAsync(ct)).ToHashSet();

        var (lower, upper) = (DistrictTime.StartOf(month), DistrictTime.StartOf(month.AddMonths(1)));
        var served = await db.Set<ServiceRecord>().AsNoTracking().Where(r => r.StartedAt >= lower && r.StartedAt < upper)
            .Join(db.Set<Volunteer>().Where(v => v.HomeUnit!.Path.StartsWith(root.Path) && v.Status == VolunteerStatus.Active), r => r.VolunteerId, v => v.Id,
                (r, v) => new { r.VolunteerId, v.Name, HomePath = v.HomeUnit!.Path, r.Minutes })
            .GroupBy(x => new { x.VolunteerId, x.Name, x.HomePath })
            .Select(g => new { g.Key.VolunteerId, g.Key.Name, g.Key.HomePath, Minutes = g.Sum(x => x.Minutes) }).ToListAsync(ct);
        var ratings = await db.Set<ServiceRecord>().AsNoTracking()
            .Where(r => r.StartedAt >= lower && r.StartedAt < upper && r.Source == RecordSource.Order && r.CorrectsId == null)
            .Join(db.Set<Order>().Where(o => o.Rating != null), r => r.SourceId, o => o.Id, (r, o) => new { r.VolunteerId, o.Rating })
            .GroupBy(x => x.VolunteerId).Select(g => new { g.Key, Average = g.Average(x => (double)x.Rating!.Value) }).ToDictionaryAsync(g => g.Key, g => g.Average, ct);

        var now = clock.GetUtcNow();
        var awards = new List<HonourAward>();
        foreach (var station in stations.Where(s => !done.Contains(s.Id)))
        {
            // The station's own volunteers and those of the points below it.
            var best = served.Where(s => s.HomePath.StartsWith(station.Path, StringComparison.Ordinal) && s.Minutes >= rules.MinHours * 60)
                .Select(s => (s.VolunteerId, s.Name, Hours: RecordRules.Hours(s.Minutes), Rating: ratings.TryGetValue(s.VolunteerId, out var a) ? (decimal?)Math.Round((decimal)a, 1) : null))
                .Select(s => (s.VolunteerId, s.Name, s.Hours, s.Rating, Score: s.Hours + rules.RatingWeight * ((s.Rating ?? NeutralRating) - NeutralRating)))
                .OrderByDescending(s => s.Score).ThenByDescending(s => s.Hours).ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.VolunteerId)
                .Take(rules.StarsPerUnit);
            awards.AddRange(best.Select(s => new HonourAward(Scope.DistrictId, title, station.Id, s.Name, s.VolunteerId, period,
                $"{month:yyyy 年 M 月}服务 {s.Hours:0.#} 小时" + (s.Rating is { } r ? $"，服务对象平均评价 {r:0.0} 星" : ""), AwardMethod.Monthly, null, Scope.UserId, now)));
        }

        db.AddRange(awards);
        audit.Add("honours.monthly-stars", "honour-award", null, root.Path, $"{period}: {awards.Count}");
        await SaveOnceAsync("这个月的志愿者之星刚刚已经评定", ct);
        var names = stations.ToDictionary(s => s.Id, s => s.Name);
        return new MonthlyStars(period, stations.Count, [.. awards.Select(a => View(a) with { Unit = new UnitRef(a.UnitId, names[a.UnitId]) })]);
    }

    // ---- shared ----

    /// <summary>The unit named (or the caller's own first administered unit), when the caller administers it.</summary>
    private async Task<Unit> AdministeredUnitAsync(Guid? unitId, string refusal, CancellationToken ct)
    {
        var id = unitId ?? Scope.Grants.FirstOrDefault(g => g.Role == Role.Admin)?.UnitId ?? throw new AccessDeniedException(refusal);
        var unit = await db.Units.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (unit is null || !Scope.CanRead(unit.Path))
        {
            throw new NotVisibleException();
        }

        return Scope.CanAdminister(unit.Path) ? unit : throw new AccessDeniedException(refusal);
    }

    private async Task<HonourTitle> ActiveTitleAsync(Guid? titleId, CancellationToken ct) =>
        (await TitlesAsync(ct)).FirstOrDefault(t => t.Id == titleId && t.IsActive)
        ?? throw new InputException(new Dictionary<string, string[]> { ["titleId"] = ["请从本区荣誉名录中选择一项荣誉"] });

    /// <summary>Saves; a unique index that refuses (the same thing done twice at once) is said in words, as a 409.</summary>
    private async Task SaveOnceAsync(string twice, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            db.ChangeTracker.Clear();
            throw new DomainException("already-done", twice, 409);
        }
    }
}
