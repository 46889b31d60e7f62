using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <summary>One entry of an account: the amount signed for this account (+ in, − out), and why.</summary>
internal sealed record EntryView(Guid Id, DateTimeOffset At, long Amount, string Kind, string Reason, string By);

internal sealed record PointsAccountView(Guid VolunteerId, string Name, long Balance, long Reserved, long Earned, Paged<EntryView> Entries);

internal sealed record LedgerEntryView(Guid Id, DateTimeOffset At, string Kind, long Amount, string From, string To, string Reason, string By);

internal sealed record PointsRulesView(int PerHour, int PerOrder, int PerGoodRating, int GoodRating, int HonourBonus, bool ExpiresYearly, bool BackfillEarnsPoints,
    int Version);

/// <summary>The rules to save: a rule left out keeps its current value (the default for a district without rules of its own).</summary>
internal sealed record PointsRulesInput(int? PerHour, int? PerOrder, bool? ExpiresYearly, int? Version, int? PerGoodRating = null, int? HonourBonus = null);

/// <summary>Balances and entries, explained; the ledger of a subtree for its admins and leaders; the district's earning rules.</summary>
internal sealed class PointsQueries(AppDbContext db, TimeProvider clock)
{
    private DataScope Scope => db.Scope;

    public static string KindName(TransferKind kind) => kind switch
    {
        TransferKind.Earn => "获得",
        TransferKind.Reverse => "冲回",
        TransferKind.Reserve => "兑换冻结",
        TransferKind.Post => "兑换领取",
        TransferKind.Void => "兑换取消",
        TransferKind.Expire => "过期",
        TransferKind.Deduct => "扣分",
        _ => kind.ToString(),
    };

    /// <summary>The caller's own volunteer id, if they are a volunteer.</summary>
    public async Task<Guid?> MineAsync(CancellationToken ct) =>
        await db.Set<Volunteer>().Where(v => v.UserId == Scope.UserId).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);

    /// <summary>A volunteer's points: theirs, and for admins and leaders over their home unit.</summary>
    public async Task<PointsAccountView> AccountAsync(Guid volunteerId, int page, int pageSize, CancellationToken ct)
    {
        var volunteer = await db.Set<Volunteer>().AsNoTracking().Include(v => v.HomeUnit).FirstOrDefaultAsync(v => v.Id == volunteerId, ct);
        if (volunteer is null || volunteer.UserId != Scope.UserId && !Scope.CanOversee(volunteer.HomeUnit!.Path))
        {
            throw new NotVisibleException();
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var account = await Ledger.FindAsync(db, volunteer.DistrictId, AccountKind.Volunteer, volunteer.Id, ct);
        if (account is null)
        {
            return new PointsAccountView(volunteer.Id, volunteer.Name, 0, 0, 0, new Paged<EntryView>([], 0, page, pageSize));
        }

        var id = account.Id;
        var entries = db.Set<PointsTransfer>().Where(t => t.DebitAccountId == id || t.CreditAccountId == id);
        var total = await entries.CountAsync(ct);
        var rows = await entries.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        var earned = await db.Set<PointsTransfer>().Where(t => t.CreditAccountId == id && t.Kind == TransferKind.Earn).SumAsync(t => (long?)t.Amount, ct) ?? 0;
        var reserved = await db.Set<Redemption>().Where(r => r.VolunteerId == volunteer.Id && r.Status == RedemptionStatus.Reserved)
            .SumAsync(r => (long?)r.Price, ct) ?? 0;
        var views = rows.Select(t => new EntryView(t.Id, t.CreatedAt, t.CreditAccountId == id ? t.Amount : -t.Amount, KindName(t.Kind), t.Reason, t.ActorName))
            .ToList();
        return new PointsAccountView(volunteer.Id, volunteer.Name, account.Balance, reserved, earned, new Paged<EntryView>(views, total, page, pageSize));
    }

    /// <summary>Every transfer that concerns the caller's subtrees (a volunteer's home unit or a shop in it), newest first.</summary>
    public async Task<Paged<LedgerEntryView>> LedgerAsync(int page, int pageSize, CancellationToken ct)
    {
        if (!Scope.IsAdmin && !Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以查看积分总账");
        }

        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var query = db.Set<PointsTransfer>().VisibleTo(Scope, t => t.UnitPath, Role.Admin, Role.Leader);
        var total = await query.CountAsync(ct);
        var rows = await query.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(ct);
        var accountIds = rows.SelectMany(t => new[] { t.DebitAccountId, t.CreditAccountId }).Distinct().ToList();
        var accounts = await db.Set<PointsAccount>().AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToListAsync(ct);
        var owners = accounts.Select(a => a.OwnerId).ToList();
        var volunteers = await db.Set<Volunteer>().Where(v => owners.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Name, ct);
        var units = await db.Units.Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var residents = await db.Users.Where(u => owners.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var names = accounts.ToDictionary(a => a.Id, a => a.Kind switch
        {
            AccountKind.Resident => residents.GetValueOrDefault(a.OwnerId, "群众") + "（红榜积分）",
            AccountKind.Issuing => "积分发放账户",
            AccountKind.Volunteer => volunteers.GetValueOrDefault(a.OwnerId, "志愿者"),
            AccountKind.Shop => units.GetValueOrDefault(a.OwnerId, "") + " 爱心超市",
            _ => units.GetValueOrDefault(a.OwnerId, "") + " 待领取",
        });
        return new Paged<LedgerEntryView>([.. rows.Select(t => new LedgerEntryView(t.Id, t.CreatedAt, KindName(t.Kind), t.Amount,
            names.GetValueOrDefault(t.DebitAccountId, ""), names.GetValueOrDefault(t.CreditAccountId, ""), t.Reason, t.ActorName))], total, page, pageSize);
    }

    public async Task<PointsRulesView> RulesAsync(CancellationToken ct)
    {
        var rules = await db.Set<PointsRules>().AsNoTracking().FirstOrDefaultAsync(r => r.DistrictId == Scope.DistrictId, ct);
        var backfill = await db.Set<Records.RecordRules>().AnyAsync(r => r.DistrictId == Scope.DistrictId && r.BackfillEarnsPoints, ct);
        return new PointsRulesView(rules?.PerHour ?? PointsRules.DefaultPerHour, rules?.PerOrder ?? PointsRules.DefaultPerOrder,
            rules?.PerGoodRating ?? PointsRules.DefaultPerGoodRating, PointsRules.GoodRating, rules?.HonourBonus ?? PointsRules.DefaultHonourBonus,
            rules?.ExpiresYearly ?? false, backfill, rules?.Version ?? 0);
    }

    /// <summary>
    /// The center's admins set how many points an hour, an order, a good rating and an honour earn (services earned before
    /// keep their rates) and whether points lapse yearly.
    /// </summary>
    public async Task<PointsRulesView> SaveRulesAsync(PointsRulesInput input, CancellationToken ct)
    {
        if (!Scope.IsCenterAdmin)
        {
            throw new AccessDeniedException("只有中心管理员可以设置积分规则");
        }

        if (input.PerHour is not { } perHour || input.PerOrder is not { } perOrder)
        {
            throw new InputException(new Dictionary<string, string[]> { ["perHour"] = ["请填写每小时积分和每单积分"] });
        }

        var now = clock.GetUtcNow();
        var rules = await db.Set<PointsRules>().FirstOrDefaultAsync(r => r.DistrictId == Scope.DistrictId, ct);
        if (rules is null)
        {
            db.Add(new PointsRules(Scope.DistrictId, perHour, perOrder, input.PerGoodRating ?? PointsRules.DefaultPerGoodRating,
                input.HonourBonus ?? PointsRules.DefaultHonourBonus, input.ExpiresYearly ?? false, now));
        }
        else
        {
            if (input.Version is { } version && version != rules.Version)
            {
                throw new DomainException("stale-version", "积分规则已被他人修改，请刷新后重试", 409);
            }

            rules.Change(perHour, perOrder, input.PerGoodRating ?? rules.PerGoodRating, input.HonourBonus ?? rules.HonourBonus,
                input.ExpiresYearly ?? rules.ExpiresYearly, now);
        }

        await db.SaveChangesAsync(ct);
        return await RulesAsync(ct);
    }
}
