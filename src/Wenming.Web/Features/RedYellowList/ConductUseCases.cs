using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Points;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Files;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.RedYellowList;

internal sealed record ConductItemView(Guid Id, string Colour, string Title, int Points, int SortOrder, bool Active);

internal sealed record ConductItemInput(Guid? Id, string? Colour, string? Title, int? Points, bool Active = true);

internal sealed record BenefitView(Guid Id, string Name, int Threshold, bool Active);

internal sealed record BenefitInput(Guid? Id, string? Name, int? Threshold, bool Active = true);

internal sealed record ConductRulesView(int WindowMonths, string Board, IReadOnlyList<BenefitView> Benefits, int Version);

internal sealed record ConductRulesInput(int? WindowMonths, string? Board, List<BenefitInput>? Benefits, int? Version);

/// <param name="Phone">The resident's mobile number (their sign-in name), or <paramref name="ResidentId"/>.</param>
internal sealed record RecordConductInput(string? Phone, Guid? ResidentId, Guid? ItemId, string? Evidence, DateOnly? OccurredOn);

internal sealed record ConductEventView(Guid Id, string Colour, string Item, int Points, long Moved, Guid ResidentId, string Resident, Guid UnitId, string Unit,
    DateOnly OccurredOn, string Evidence, bool HasPhoto, string RecordedBy, DateTimeOffset RecordedAt, string Status, string StatusName, string? AppealReason,
    DateTimeOffset? AppealedAt, string? DecidedBy, string? DecisionNote, DateTimeOffset? DecidedAt);

/// <param name="Paused">Whether the benefit is paused now.</param>
/// <param name="ByRule">Whether that follows the rule (false: an admin's decision stands).</param>
internal sealed record BenefitStateView(Guid Id, string Name, int Threshold, bool Paused, bool ByRule, string Reason, string? DecidedBy, DateTimeOffset? DecidedAt);

internal sealed record ResidentConductView(Guid ResidentId, string Name, string Unit, long Balance, long RedTotal, long YellowTotal, int WindowMonths,
    IReadOnlyList<BenefitStateView> Benefits, IReadOnlyList<ConductEventView> Events);

internal sealed record AppealInput(string? Reason);

internal sealed record DecideInput(bool? Grant, string? Note);

internal sealed record OverrideInput(string? Mode, string? Reason);

internal sealed record PausedView(Guid ResidentId, string Resident, string Unit, long YellowTotal, IReadOnlyList<BenefitStateView> Benefits);

internal sealed record BoardEntry(string Colour, string Name, string Item, int Points, DateOnly OccurredOn, string Unit);

/// <summary>
/// 红黄榜 (Kaizhou's 红黄双十条): the district's red and yellow items, events recorded for residents by grid workers and
/// admins of their place with evidence, the resident's points (red points move into a ledger account they spend in the
/// shops; yellow points move out of it as far as it goes), appeals the institute decides, and the benefits (惠民政策)
/// paused while a resident's yellow points within the window reach a threshold: lifted by itself when they fall back, and
/// overridable by an admin with a reason.
/// </summary>
internal sealed class ConductUseCases(AppDbContext db, AuditLog audit, IFileStore files, TimeProvider clock)
{
    /// <summary>How far back an event may be dated when it is recorded.</summary>
    public const int MaxDaysBack = 90;

    private static readonly (string Name, int Threshold)[] DefaultBenefits =
    [
        ("评先评优资格", 10),
        ("村（社区）集体福利", 20),
        ("非保障性惠民补贴", 30),
    ];

    private DataScope Scope => db.Scope;

    public static string ColourName(Colour c) => c == Colour.Red ? "红榜" : "黄榜";

    // ---- the district's list and rules ----

    /// <summary>The district's items; a district without a list of its own gets Kaizhou's, written once.</summary>
    public async Task<IReadOnlyList<ConductItem>> ItemsAsync(CancellationToken ct)
    {
        var items = await ItemQuery().ToListAsync(ct);
        if (items.Count > 0 || !Scope.IsSignedIn)
        {
            return items;
        }

        var i = 0;
        db.AddRange(ConductItem.Defaults.Select(d => new ConductItem(Scope.DistrictId, d.Colour, d.Title, d.Points, ++i)));
        await SaveFirstAsync(ct);
        return await ItemQuery().ToListAsync(ct);
    }

    public static ConductItemView View(ConductItem i) => new(i.Id, i.Colour.ToString(), i.Title, i.Points, i.SortOrder, i.IsActive);

    /// <summary>The center writes the district's list in order: items added, points changed, items retired (never deleted).</summary>
    public async Task<IReadOnlyList<ConductItem>> SaveItemsAsync(IReadOnlyList<ConductItemInput> input, CancellationToken ct)
    {
        RequireCenter("只有中心管理员可以修改红黄榜条目");
        if (input.Count is 0 or > 60)
        {
            throw Invalid("items", "红黄榜条目为 1 到 60 项");
        }

        var current = (await ItemsAsync(ct)).ToDictionary(i => i.Id);
        var seen = new HashSet<(Colour, string)>();
        for (var n = 0; n < input.Count; n++)
        {
            var x = input[n] ?? throw Invalid("items", "红黄榜条目中有空项");
            var title = ConductItem.Check(x.Title);
            if (!Enum.TryParse<Colour>(x.Colour, true, out var colour) || !Enum.IsDefined(colour))
            {
                throw Invalid("colour", "每项请选择红榜（Red）或黄榜（Yellow）");
            }

            if (!seen.Add((colour, title)))
            {
                throw Invalid("title", $"“{title}”重复");
            }

            var points = x.Points ?? throw Invalid("points", "每项请填写分值");
            if (x.Id is { } id)
            {
                var item = current.GetValueOrDefault(id) ?? throw Invalid("id", "条目不存在，请刷新后再改");
                if (item.Title != title || item.Colour != colour)
                {
                    throw Invalid("title", "已有条目不能改名或换榜：停用它并新增一项");
                }

                item.Change(points, n + 1, x.Active);
            }
            else if (current.Values.Any(i => i.Title == title && i.Colour == colour))
            {
                throw Invalid("title", $"“{title}”已在名录中");
            }
            else
            {
                db.Add(new ConductItem(Scope.DistrictId, colour, title, points, n + 1));
            }
        }

        audit.Add("conduct.items-changed", "conduct-item", null, null, $"{input.Count} items");
        await db.SaveChangesAsync(ct);
        return await ItemQuery().ToListAsync(ct);
    }

    public async Task<(ConductRules Rules, IReadOnlyList<ConductBenefit> Benefits)> RulesAsync(CancellationToken ct)
    {
        var rules = await db.Set<ConductRules>().AsNoTracking().FirstOrDefaultAsync(ct) ?? new ConductRules(Scope.DistrictId);
        var benefits = await BenefitQuery().ToListAsync(ct);
        if (benefits.Count == 0 && Scope.IsSignedIn)
        {
            var i = 0;
            db.AddRange(DefaultBenefits.Select(b => new ConductBenefit(Scope.DistrictId, b.Name, b.Threshold, ++i)));
            await SaveFirstAsync(ct);
            benefits = await BenefitQuery().ToListAsync(ct);
        }

        return (rules, benefits);
    }

    public static ConductRulesView View(ConductRules r, IReadOnlyList<ConductBenefit> benefits) =>
        new(r.WindowMonths, r.Board.ToString(), [.. benefits.Select(b => new BenefitView(b.Id, b.Name, b.Threshold, b.IsActive))], r.Version);

    /// <summary>The center sets the window, the public board's display and the benefits with their thresholds.</summary>
    public async Task<ConductRulesView> SaveRulesAsync(ConductRulesInput input, CancellationToken ct)
    {
        RequireCenter("只有中心管理员可以修改红黄榜规则");
        if (!Enum.TryParse<BoardDisplay>(input.Board, true, out var board) || !Enum.IsDefined(board))
        {
            throw Invalid("board", "公示方式为 Hidden（不公示）、Masked（姓名打码）或 Named（实名）");
        }

        var (_, benefits) = await RulesAsync(ct);
        var rules = await db.Set<ConductRules>().FirstOrDefaultAsync(ct);
        if (rules is null)
        {
            rules = new ConductRules(Scope.DistrictId);
            db.Add(rules);
        }
        else if (input.Version is { } v && v != rules.Version)
        {
            throw new DomainException("stale-version", "规则已被他人修改，请刷新后再改", 409);
        }

        rules.Change(input.WindowMonths ?? rules.WindowMonths, board);
        if (input.Benefits is { } list)
        {
            if (list.Count > 30)
            {
                throw Invalid("benefits", "惠民政策最多 30 项");
            }

            var current = await db.Set<ConductBenefit>().ToDictionaryAsync(b => b.Id, ct);
            var names = new HashSet<string>();
            for (var n = 0; n < list.Count; n++)
            {
                var x = list[n] ?? throw Invalid("benefits", "惠民政策中有空项");
                var name = ConductBenefit.Check(x.Name);
                if (!names.Add(name))
                {
                    throw Invalid("name", $"“{name}”重复");
                }

                var threshold = x.Threshold ?? throw Invalid("threshold", "请填写暂停门槛");
                if (x.Id is { } id)
                {
                    var benefit = current.GetValueOrDefault(id) ?? throw Invalid("id", "惠民政策不存在，请刷新后再改");
                    if (benefit.Name != name)
                    {
                        throw Invalid("name", "已有政策不能改名：停用它并新增一项");
                    }

                    benefit.Change(threshold, n + 1, x.Active);
                }
                else if (current.Values.Any(b => b.Name == name))
                {
                    throw Invalid("name", $"“{name}”已在列表中");
                }
                else
                {
                    db.Add(new ConductBenefit(Scope.DistrictId, name, threshold, n + 1));
                }
            }
        }

        audit.Add("conduct.rules-changed", "conduct-rules", null, null, $"{rules.WindowMonths} months, board {board}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainException("stale-version", "规则已被他人修改，请刷新后再改", 409);
        }

        db.ChangeTracker.Clear();
        var (saved, savedBenefits) = await RulesAsync(ct);
        return View(saved, savedBenefits);
    }

    // ---- events ----

    /// <summary>
    /// A grid worker (for the residents of their grid's station) or an admin of the resident's place records a red or
    /// yellow event with its evidence; its points move through the ledger in the same transaction.
    /// </summary>
    public async Task<ConductEvent> RecordAsync(RecordConductInput input, CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Role.GridWorker))
        {
            throw new AccessDeniedException("只有网格员和管理员可以记录红黄榜");
        }

        var (userId, name, place) = await ResidentAsync(input.Phone, input.ResidentId, ct);
        if (!MayRecord(place))
        {
            throw Scope.CanRead(place.Path) ? new AccessDeniedException("只有该群众所在网格的网格员或所在单位的管理员可以记录") : new NotVisibleException();
        }

        if (userId == Scope.UserId)
        {
            throw new AccessDeniedException("不能为自己记录红黄榜");
        }

        var item = (await ItemsAsync(ct)).FirstOrDefault(i => i.Id == input.ItemId && i.IsActive) ?? throw Invalid("itemId", "请从本区红黄榜条目中选择一项");
        var evidence = input.Evidence?.Trim() ?? "";
        if (evidence.Length is < 4 or > 500)
        {
            throw Invalid("evidence", "请写明事实依据（4 到 500 字）");
        }

        var now = clock.GetUtcNow();
        var today = DistrictTime.Today(now);
        var on = input.OccurredOn ?? today;
        if (on > today || on < today.AddDays(-MaxDaysBack))
        {
            throw Invalid("occurredOn", $"事件日期应在今天及之前 {MaxDaysBack} 天内");
        }

        // The same form sent twice (a double tap on a slow phone) records once: the same recorder, resident, item, day and facts
        // within a minute is the event already recorded.
        var recorder = Scope.UserId!.Value;
        var itemId = item.Id;
        var recent = now.AddMinutes(-1);
        if (await db.Set<ConductEvent>().FirstOrDefaultAsync(x => x.RecordedById == recorder && x.ResidentUserId == userId && x.ItemId == itemId
                                                                  && x.OccurredOn == on && x.Evidence == evidence && x.RecordedAt >= recent, ct) is { } twice)
        {
            return twice;
        }

        var e = new ConductEvent(Scope.DistrictId, item, userId, name, place.Id, place.Path, on, evidence, recorder, Scope.DisplayName ?? "", now);
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        db.Add(e);
        await db.SaveChangesAsync(ct);
        var issuing = await Ledger.AccountAsync(db, Scope.DistrictId, AccountKind.Issuing, Scope.DistrictId, ct);
        var mine = await Ledger.AccountAsync(db, Scope.DistrictId, AccountKind.Resident, userId, ct);
        var source = $"conduct:{e.Id:N}";
        if (item.Colour == Colour.Red)
        {
            await Ledger.TransferAsync(db, issuing, mine, item.Points, TransferKind.Earn, $"红榜：{item.Title}", Scope.UserId, e.RecordedByName, source,
                $"{source}:add", null, place.Path, now, ct);
            e.MovedPoints(item.Points);
        }
        else
        {
            // As far as the balance goes. A redemption at the same instant can lower it between the read and the deduction: the
            // ledger then refuses, the whole record rolls back, and the recorder is asked to send it again.
            var take = Math.Min(item.Points, await BalanceAsync(mine.Id, ct));
            if (take > 0)
            {
                try
                {
                    await Ledger.TransferAsync(db, mine, issuing, take, TransferKind.Deduct, $"黄榜：{item.Title}" + (take < item.Points ? $"（余额仅 {take} 分）" : ""),
                        Scope.UserId, e.RecordedByName, source, $"{source}:deduct", null, place.Path, now, ct);
                }
                catch (DomainException x) when (x.Code == "insufficient-points")
                {
                    throw new DomainException("conduct-balance-changed", "该群众的积分刚刚发生变动，请重新提交", 409);
                }
            }

            e.MovedPoints(take);
        }

        audit.Add("conduct.recorded", "conduct-event", e.Id.ToString(), place.Path, $"{ColourName(item.Colour)} {item.Title} {item.Points}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return e;
    }

    /// <summary>A photo as evidence, by whoever may record for the resident.</summary>
    public async Task<ConductEvent> AttachPhotoAsync(Guid id, IFormFile? file, CancellationToken ct)
    {
        var e = await db.Set<ConductEvent>().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        var place = await db.Units.AsNoTracking().FirstAsync(u => u.Id == e.UnitId, ct);
        if (!MayRecord(place))
        {
            throw Scope.CanRead(place.Path) ? new AccessDeniedException("只有记录人所在网格的网格员或管理员可以上传证据照片") : new NotVisibleException();
        }

        if (e.Status != ConductStatus.Standing || e.PhotoName is not null)
        {
            throw new DomainException("conduct-photo-fixed", "证据照片只能在记录后、申诉前上传一次", 409);
        }

        var (content, type) = await Images.ReadUploadAsync(file, ct);
        var name = $"conduct/{e.Id:N}/{Ids.New():N}";
        e.AttachPhoto(name, type);
        await files.SaveAsync(name, content, ct);
        audit.Add("conduct.photo-added", "conduct-event", e.Id.ToString(), place.Path);
        await SaveVersionedAsync(ct);
        return e;
    }

    /// <summary>The evidence photo, for the resident and for those who see the event.</summary>
    public async Task<(byte[] Content, string Type)?> PhotoAsync(Guid id, CancellationToken ct)
    {
        var e = await VisibleEventAsync(id, ct);
        return e.PhotoName is { } name && await files.ReadAsync(name, ct) is { } bytes ? (bytes, e.PhotoType ?? "image/jpeg") : null;
    }

    /// <summary>The resident appeals an event of theirs with a reason; the institute decides.</summary>
    public async Task<ConductEvent> AppealAsync(Guid id, AppealInput input, CancellationToken ct)
    {
        var e = await db.Set<ConductEvent>().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        var path = await PathOfAsync(e.UnitId, ct);
        if (e.ResidentUserId != Scope.UserId)
        {
            throw Scope.CanRead(path) ? new AccessDeniedException("只有本人可以申诉") : new NotVisibleException();
        }

        var reason = input.Reason?.Trim() ?? "";
        if (reason.Length is < 4 or > 500)
        {
            throw Invalid("reason", "请写明申诉理由（4 到 500 字）");
        }

        e.Appeal(reason, clock.GetUtcNow());
        audit.Add("conduct.appealed", "conduct-event", e.Id.ToString(), path);
        await SaveVersionedAsync(ct);
        return e;
    }

    /// <summary>
    /// The institute (an admin of the institute or above) decides an appeal with a note: granted, the event stops counting
    /// and its points move back; refused, it stands.
    /// </summary>
    public async Task<ConductEvent> DecideAsync(Guid id, DecideInput input, CancellationToken ct)
    {
        var e = await db.Set<ConductEvent>().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        var path = await PathOfAsync(e.UnitId, ct);
        if (!Scope.CanRead(path))
        {
            throw new NotVisibleException();
        }

        if (!Scope.Grants.Any(g => g.Role == Role.Admin && g.UnitKind is UnitKind.Center or UnitKind.SubCenter or UnitKind.Institute
                                   && path.StartsWith(g.UnitPath, StringComparison.Ordinal)))
        {
            throw new AccessDeniedException("申诉由实践所（或中心）的管理员处理");
        }

        if (e.RecordedById == Scope.UserId)
        {
            throw new AccessDeniedException("记录人不能处理针对自己记录的申诉，请由实践所的其他管理员处理");
        }

        var note = input.Note?.Trim() ?? "";
        if (input.Grant is not { } grant || note.Length is < 2 or > 500)
        {
            throw Invalid("note", "请选择是否采纳申诉，并写明处理意见（2 到 500 字）");
        }

        var now = clock.GetUtcNow();
        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        e.Decide(grant, note, Scope.UserId!.Value, Scope.DisplayName ?? "", now);
        await SaveVersionedAsync(ct);
        if (grant && e.Moved > 0)
        {
            var issuing = await Ledger.AccountAsync(db, e.DistrictId, AccountKind.Issuing, e.DistrictId, ct);
            var mine = await Ledger.AccountAsync(db, e.DistrictId, AccountKind.Resident, e.ResidentUserId, ct);
            var source = $"conduct:{e.Id:N}";
            if (e.Colour == Colour.Yellow)
            {
                await Ledger.TransferAsync(db, issuing, mine, e.Moved, TransferKind.Reverse, $"申诉成立，退回黄榜扣分：{e.ItemTitle}", Scope.UserId, e.DecidedByName!,
                    source, $"{source}:reverse", null, path, now, ct);
            }
            else
            {
                var back = Math.Min(e.Moved, await BalanceAsync(mine.Id, ct));
                if (back > 0)
                {
                    await Ledger.TransferAsync(db, mine, issuing, back, TransferKind.Reverse,
                        $"红榜记录撤销：{e.ItemTitle}" + (back < e.Moved ? $"（积分已使用，仅冲回 {back} 分）" : ""), Scope.UserId, e.DecidedByName!, source,
                        $"{source}:reverse", null, path, now, ct);
                }
            }
        }

        audit.Add(grant ? "conduct.appeal-granted" : "conduct.appeal-refused", "conduct-event", e.Id.ToString(), path, note);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return e;
    }

    /// <summary>Events in the caller's reach (admins, leaders and grid workers), newest first; by unit, colour and status.</summary>
    public async Task<Paged<ConductEventView>> EventsAsync(Guid? unitId, string? colour, string? status, int page, int pageSize, CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Role.Leader) && !Scope.Has(Role.GridWorker))
        {
            throw new AccessDeniedException("只有管理员、领导和网格员可以查看红黄榜记录");
        }

        var units = db.Units.VisibleTo(Scope, Role.Admin, Role.Leader, Role.GridWorker);
        if (unitId is { } id)
        {
            var path = await db.Units.Where(u => u.Id == id).Select(u => u.Path).FirstOrDefaultAsync(ct);
            if (path is null || !Scope.CanRead(path))
            {
                throw new NotVisibleException();
            }

            units = units.Where(u => u.Path.StartsWith(path));
        }

        var query = db.Set<ConductEvent>().Where(e => units.Any(u => u.Id == e.UnitId));

        if (colour is { Length: > 0 })
        {
            var c = Enum.TryParse<Colour>(colour, true, out var parsed) && Enum.IsDefined(parsed) ? parsed : throw Invalid("colour", "colour 为 Red 或 Yellow");
            query = query.Where(e => e.Colour == c);
        }

        if (status is { Length: > 0 })
        {
            var s = Enum.TryParse<ConductStatus>(status, true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                : throw Invalid("status", "status 为 Standing、Appealed、Upheld 或 Withdrawn");
            query = query.Where(e => e.Status == s);
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var total = await query.CountAsync(ct);
        var rows = await query.AsNoTracking().OrderByDescending(e => e.RecordedAt).ThenByDescending(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return new Paged<ConductEventView>(await ViewsAsync(rows, ct), total, page, pageSize);
    }

    // ---- a resident's points and benefits ----

    /// <summary>The caller's own red/yellow points, events and benefits.</summary>
    public Task<ResidentConductView> MineAsync(CancellationToken ct) =>
        Scope.UserId is { } me ? ResidentViewAsync(me, ct) : throw new NotVisibleException();

    /// <summary>A resident's points, events and benefits: theirs, and for those who may record for them or oversee their place.</summary>
    public async Task<ResidentConductView> ResidentViewAsync(Guid userId, CancellationToken ct)
    {
        var (_, name, place) = await ResidentAsync(null, userId, ct);
        if (userId != Scope.UserId && !Scope.CanOversee(place.Path) && !MayRecord(place))
        {
            throw new NotVisibleException();
        }

        var (rules, benefits) = await RulesAsync(ct);
        var account = await Ledger.FindAsync(db, Scope.DistrictId, AccountKind.Resident, userId, ct);
        var events = await db.Set<ConductEvent>().AsNoTracking().Where(e => e.ResidentUserId == userId).OrderByDescending(e => e.OccurredOn)
            .ThenByDescending(e => e.RecordedAt).Take(200).ToListAsync(ct);
        var red = await db.Set<ConductEvent>().Where(e => e.ResidentUserId == userId && e.Colour == Colour.Red && e.Status != ConductStatus.Withdrawn)
            .SumAsync(e => (long?)e.Points, ct) ?? 0;
        var yellow = (await YellowTotalsAsync([userId], rules, ct)).GetValueOrDefault(userId);
        var states = await BenefitStatesAsync(userId, yellow, rules, benefits, ct);
        return new ResidentConductView(userId, name, place.Name, account?.Balance ?? 0, red, yellow, rules.WindowMonths, states, await ViewsAsync(events, ct));
    }

    /// <summary>
    /// An admin of the resident's place decides one benefit for them with a reason: given despite the rule (Lift), paused
    /// despite it (Pause), or back to the rule (Rule). The decision and everyone before it stay on record.
    /// </summary>
    public async Task<ResidentConductView> OverrideAsync(Guid userId, Guid benefitId, OverrideInput input, CancellationToken ct)
    {
        var (_, _, place) = await ResidentAsync(null, userId, ct);
        if (!Scope.CanAdminister(place.Path))
        {
            throw Scope.CanRead(place.Path) ? new AccessDeniedException("只有该群众所在单位的管理员可以调整惠民政策") : new NotVisibleException();
        }

        if (!Enum.TryParse<OverrideMode>(input.Mode, true, out var mode) || !Enum.IsDefined(mode))
        {
            throw Invalid("mode", "请选择恢复（Lift）、暂停（Pause）或按规则（Rule）");
        }

        var reason = input.Reason?.Trim() ?? "";
        if (reason.Length is < 4 or > 500)
        {
            throw Invalid("reason", "请写明理由（4 到 500 字）");
        }

        var benefit = (await RulesAsync(ct)).Benefits.FirstOrDefault(b => b.Id == benefitId) ?? throw new NotVisibleException();
        db.Add(new BenefitOverride(Scope.DistrictId, userId, benefit.Id, mode, reason, Scope.UserId!.Value, Scope.DisplayName ?? "", clock.GetUtcNow()));
        audit.Add("conduct.benefit-overridden", "resident", userId.ToString(), place.Path, $"{benefit.Name}: {mode} {reason}");
        await db.SaveChangesAsync(ct);
        return await ResidentViewAsync(userId, ct);
    }

    /// <summary>Residents in the caller's subtree with a benefit paused now (by the rule or by an admin), most yellow points first.</summary>
    public async Task<IReadOnlyList<PausedView>> PausedAsync(CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看暂停惠民政策的名单");
        }

        var (rules, benefits) = await RulesAsync(ct);
        var since = WindowStart(rules);
        var units = db.Units.VisibleTo(Scope, Role.Admin, Role.Leader);
        var reach = db.Set<ConductEvent>().Where(e => units.Any(u => u.Id == e.UnitId));
        var candidates = await reach.Where(e => e.Colour == Colour.Yellow && e.Status != ConductStatus.Withdrawn && e.OccurredOn >= since)
            .Select(e => e.ResidentUserId).Distinct().ToListAsync(ct);
        // Paused by an admin's decision: residents with events in reach (their place is checked below).
        var pausedByHand = await db.Set<BenefitOverride>().Where(o => o.Mode == OverrideMode.Pause && reach.Any(e => e.ResidentUserId == o.ResidentUserId))
            .Select(o => o.ResidentUserId).Distinct().ToListAsync(ct);
        var result = new List<PausedView>();
        var totals = await YellowTotalsAsync([.. candidates.Union(pausedByHand)], rules, ct);
        foreach (var userId in candidates.Union(pausedByHand))
        {
            Unit place;
            string name;
            try
            {
                (_, name, place) = await ResidentAsync(null, userId, ct);
            }
            catch (NotVisibleException)
            {
                continue; // no longer a resident of a place
            }

            if (!Scope.CanOversee(place.Path))
            {
                continue;
            }

            var states = await BenefitStatesAsync(userId, totals.GetValueOrDefault(userId), rules, benefits, ct);
            if (states.Any(s => s.Paused))
            {
                result.Add(new PausedView(userId, name, place.Name, totals.GetValueOrDefault(userId), [.. states.Where(s => s.Paused)]));
            }
        }

        return [.. result.OrderByDescending(p => p.YellowTotal).ThenBy(p => p.Resident, StringComparer.Ordinal)];
    }

    /// <summary>
    /// A station's public board: the red and yellow events at the unit and below in the last 90 days, as the district
    /// shows them (not at all, names masked, or named). For anyone.
    /// </summary>
    public async Task<(BoardDisplay Display, IReadOnlyList<BoardEntry> Red, IReadOnlyList<BoardEntry> Yellow)> BoardAsync(Unit unit, CancellationToken ct)
    {
        var rules = await db.Set<ConductRules>().AsNoTracking().FirstOrDefaultAsync(r => r.DistrictId == unit.DistrictId, ct) ?? new ConductRules(unit.DistrictId);
        if (rules.Board == BoardDisplay.Hidden)
        {
            return (rules.Board, [], []);
        }

        var since = DistrictTime.Today(clock.GetUtcNow()).AddDays(-90);
        var path = unit.Path;
        var rows = await db.Set<ConductEvent>().AsNoTracking()
            .Where(e => e.DistrictId == unit.DistrictId && (e.Status == ConductStatus.Standing || e.Status == ConductStatus.Upheld) && e.OccurredOn >= since)
            .Join(db.Units.Where(u => u.Path.StartsWith(path)), e => e.UnitId, u => u.Id, (e, u) => new { e.Colour, e.ResidentName, e.ItemTitle, e.Points, e.OccurredOn, e.RecordedAt, Unit = u.Name })
            .OrderByDescending(e => e.OccurredOn).ThenByDescending(e => e.RecordedAt).Take(100)
            .ToListAsync(ct);
        var entries = rows.Select(r => new BoardEntry(r.Colour.ToString(), rules.Board == BoardDisplay.Named ? r.ResidentName : Masking.Name(r.ResidentName),
            r.ItemTitle, r.Points, r.OccurredOn, r.Unit)).ToList();
        return (rules.Board, [.. entries.Where(e => e.Colour == nameof(Colour.Red))], [.. entries.Where(e => e.Colour == nameof(Colour.Yellow))]);
    }

    // ---- shared ----

    private IQueryable<ConductItem> ItemQuery() => db.Set<ConductItem>().OrderBy(i => i.Colour).ThenBy(i => i.SortOrder).ThenBy(i => i.Title);

    private IQueryable<ConductBenefit> BenefitQuery() => db.Set<ConductBenefit>().OrderBy(b => b.SortOrder).ThenBy(b => b.Name);

    private DateOnly WindowStart(ConductRules rules) => DistrictTime.Today(clock.GetUtcNow()).AddMonths(-rules.WindowMonths);

    private async Task<Dictionary<Guid, long>> YellowTotalsAsync(IReadOnlyList<Guid> userIds, ConductRules rules, CancellationToken ct)
    {
        var since = WindowStart(rules);
        var ids = userIds.ToList();
        return await db.Set<ConductEvent>()
            .Where(e => ids.Contains(e.ResidentUserId) && e.Colour == Colour.Yellow && e.Status != ConductStatus.Withdrawn && e.OccurredOn >= since)
            .GroupBy(e => e.ResidentUserId).Select(g => new { g.Key, Total = g.Sum(e => (long)e.Points) }).ToDictionaryAsync(x => x.Key, x => x.Total, ct);
    }

    /// <summary>Each active benefit: paused by the rule while the yellow total reaches its threshold, unless an admin's newest decision says otherwise.</summary>
    private async Task<IReadOnlyList<BenefitStateView>> BenefitStatesAsync(Guid userId, long yellow, ConductRules rules, IReadOnlyList<ConductBenefit> benefits,
        CancellationToken ct)
    {
        var decisions = (await db.Set<BenefitOverride>().AsNoTracking().Where(o => o.ResidentUserId == userId).ToListAsync(ct))
            .GroupBy(o => o.BenefitId).ToDictionary(g => g.Key, g => g.OrderByDescending(o => o.At).ThenByDescending(o => o.Id).First());
        var states = new List<BenefitStateView>();
        foreach (var b in benefits.Where(b => b.IsActive))
        {
            var byRule = yellow >= b.Threshold;
            var ruleReason = byRule
                ? $"近 {rules.WindowMonths} 个月黄榜扣分 {yellow} 分，达到 {b.Threshold} 分，暂停"
                : $"近 {rules.WindowMonths} 个月黄榜扣分 {yellow} 分，未达到 {b.Threshold} 分";
            if (decisions.GetValueOrDefault(b.Id) is { Mode: not OverrideMode.Rule } d)
            {
                var paused = d.Mode == OverrideMode.Pause;
                states.Add(new BenefitStateView(b.Id, b.Name, b.Threshold, paused, false,
                    $"{d.ByName}{(paused ? "决定暂停" : "决定恢复")}：{d.Reason}（按规则：{ruleReason}）", d.ByName, d.At));
            }
            else
            {
                states.Add(new BenefitStateView(b.Id, b.Name, b.Threshold, byRule, true, ruleReason, null, null));
            }
        }

        return states;
    }

    /// <summary>The resident by phone or id, with their name and place (their resident role's unit, or their volunteer home station).</summary>
    private async Task<(Guid UserId, string Name, Unit Place)> ResidentAsync(string? phone, Guid? userId, CancellationToken ct)
    {
        Guid id;
        if (userId is { } given)
        {
            id = given;
        }
        else
        {
            var normalized = Phones.Normalize(phone) ?? throw Invalid("phone", "请填写群众的手机号");
            id = await db.Users.Where(u => u.UserName == normalized && u.DistrictId == Scope.DistrictId).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct)
                 ?? throw Invalid("phone", "本区没有这个手机号登记的群众");
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == id && u.DistrictId == Scope.DistrictId).Select(u => new { u.Id, u.DisplayName })
            .FirstOrDefaultAsync(ct) ?? throw new NotVisibleException();
        var place = await db.Set<RoleAssignment>().AsNoTracking().Where(r => r.UserId == id && r.RevokedAt == null && r.Role == Role.Resident)
                        .OrderBy(r => r.GrantedAt).Select(r => r.Unit!).FirstOrDefaultAsync(ct)
                    ?? await db.Set<Volunteers.Volunteer>().AsNoTracking().Where(v => v.UserId == id).Select(v => v.HomeUnit!).FirstOrDefaultAsync(ct);
        if (place is null)
        {
            throw userId is null ? Invalid("phone", "这个手机号没有登记所在的服务站或网格") : new NotVisibleException();
        }

        return (user.Id, user.DisplayName, place);
    }

    /// <summary>An admin of the place or above, or a grid worker of a grid in the place's station (or in the place itself).</summary>
    private bool MayRecord(Unit place)
    {
        if (Scope.CanAdminister(place.Path))
        {
            return true;
        }

        var grids = Scope.Grants.Where(g => g.Role == Role.GridWorker).Select(g => g.UnitPath).ToList();
        if (grids.Any(g => place.Path.StartsWith(g, StringComparison.Ordinal)))
        {
            return true;
        }

        // A resident registered at the station itself: the grid workers of the station's grids serve them.
        return place.Kind == UnitKind.Station && grids.Any(g => g.StartsWith(place.Path, StringComparison.Ordinal));
    }

    private async Task<ConductEvent> VisibleEventAsync(Guid id, CancellationToken ct)
    {
        var e = await db.Set<ConductEvent>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        var place = await db.Units.AsNoTracking().FirstAsync(u => u.Id == e.UnitId, ct);
        if (e.ResidentUserId == Scope.UserId || Scope.CanOversee(place.Path) || MayRecord(place))
        {
            return e;
        }

        throw new NotVisibleException();
    }

    /// <summary>The unit's path now (a unit moved with its subtree carries its events along).</summary>
    private async Task<string> PathOfAsync(Guid unitId, CancellationToken ct) =>
        await db.Units.Where(u => u.Id == unitId).Select(u => u.Path).FirstAsync(ct);

    private async Task<long> BalanceAsync(Guid accountId, CancellationToken ct) =>
        await db.Set<PointsAccount>().Where(a => a.Id == accountId).Select(a => a.Balance).FirstAsync(ct);

    public Task<IReadOnlyList<ConductEventView>> EventsViewAsync(IReadOnlyList<ConductEvent> rows, CancellationToken ct) => ViewsAsync(rows, ct);

    private async Task<IReadOnlyList<ConductEventView>> ViewsAsync(IReadOnlyList<ConductEvent> rows, CancellationToken ct)
    {
        var unitIds = rows.Select(r => r.UnitId).Distinct().ToList();
        var units = await db.Units.Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        return [.. rows.Select(e => new ConductEventView(e.Id, e.Colour.ToString(), e.ItemTitle, e.Points, e.Moved, e.ResidentUserId, e.ResidentName, e.UnitId,
            units.GetValueOrDefault(e.UnitId, ""), e.OccurredOn, e.Evidence, e.PhotoName is not null, e.RecordedByName, e.RecordedAt, e.Status.ToString(),
            ConductEvent.StatusName(e.Status), e.AppealReason, e.AppealedAt, e.DecidedByName, e.DecisionNote, e.DecidedAt))];
    }

    private void RequireCenter(string refusal)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException(refusal);
        }
    }

    /// <summary>Writes a district's first list; when another request wrote it first, theirs stands.</summary>
    private async Task SaveFirstAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            db.ChangeTracker.Clear();
        }
    }

    private async Task SaveVersionedAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new DomainException("conduct-changed", "这条记录刚被处理过，请刷新后再看", 409);
        }
    }

    private static InputException Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
