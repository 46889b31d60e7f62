using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

/// <summary>
/// 积分年度清零: in a district whose rules say so, the points a volunteer held at the end of 31 December (district time),
/// less what they have spent since, go back to the issuing account by an expiry transfer each, never by deleting anything.
/// Each account lapses once a year (the transfer's idempotency key is the year and the account), so a run cut short or
/// repeated is safe.
/// </summary>
internal sealed class ExpirePoints(AppDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Lets <paramref name="year"/>'s points lapse in the district (only for <paramref name="volunteers"/> when given); returns
    /// how many accounts had some.
    /// </summary>
    public async Task<int> RunAsync(Guid districtId, int year, CancellationToken ct, IReadOnlyCollection<Guid>? volunteers = null)
    {
        var cutoff = DistrictTime.StartOf(new DateOnly(year + 1, 1, 1));
        var accounts = await db.Set<PointsAccount>().AsNoTracking()
            .Where(a => a.DistrictId == districtId && a.Kind == AccountKind.Volunteer && a.Balance > 0 && (volunteers == null || volunteers.Contains(a.OwnerId)))
            .Select(a => new { a.Id, a.OwnerId }).ToListAsync(ct);
        var lapsed = 0;
        foreach (var account in accounts)
        {
            var key = $"expire:{year}:{account.Id:N}";
            if (await db.Set<PointsTransfer>().AnyAsync(t => t.DistrictId == districtId && t.IdempotencyKey == key, ct))
            {
                continue;
            }

            var id = account.Id;
            var entries = db.Set<PointsTransfer>().Where(t => t.CreditAccountId == id || t.DebitAccountId == id);
            var heldAtCutoff = await entries.Where(t => t.CreatedAt < cutoff).SumAsync(t => t.CreditAccountId == id ? t.Amount : -t.Amount, ct);
            var spentSince = await entries.Where(t => t.CreatedAt >= cutoff && t.DebitAccountId == id).SumAsync(t => (long?)t.Amount, ct) ?? 0;
            await using var tx = await db.BeginOrJoinTransactionAsync(ct);
            var balance = await db.Set<PointsAccount>().Where(a => a.Id == id).Select(a => a.Balance).FirstAsync(ct);
            var amount = Math.Min(balance, heldAtCutoff - spentSince);
            if (amount <= 0)
            {
                continue;
            }

            var mine = await db.Set<PointsAccount>().FirstAsync(a => a.Id == id, ct);
            var issuing = await Ledger.AccountAsync(db, districtId, AccountKind.Issuing, districtId, ct);
            var path = await db.Set<Volunteers.Volunteer>().Where(v => v.Id == account.OwnerId).Select(v => v.HomeUnit!.Path).FirstOrDefaultAsync(ct) ?? "";
            await Ledger.TransferAsync(db, mine, issuing, amount, TransferKind.Expire, $"{year} 年度积分到期清零（按本区积分规则）", null, "系统",
                $"expiry:{year}", key, null, path, clock.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
            lapsed++;
        }

        return lapsed;
    }
}

/// <summary>
/// Every <c>Points:ExpiryCheckMinutes</c> (60 by default): cancels the redemptions not collected within
/// <c>Points:RedemptionHoldDays</c> (14 by default; the points and the item return), and lets last year's points lapse in
/// each district whose rules say so and that has not had it done yet.
/// </summary>
internal sealed class PointsExpiryJob(IServiceScopeFactory scopes, IConfiguration config, TimeProvider clock, ILogger<PointsExpiryJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromMinutes(config.GetValue("Points:ExpiryCheckMinutes", 60.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Letting points lapse failed; trying again at the next check");
            }

            try
            {
                await Task.Delay(every, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var hold = TimeSpan.FromDays(config.GetValue("Points:RedemptionHoldDays", 14.0));
            var cancelled = await scope.ServiceProvider.GetRequiredService<Redeem>().CancelUncollectedAsync(clock.GetUtcNow() - hold, ct);
            if (cancelled > 0)
            {
                logger.LogInformation("{Count} redemptions not collected within {Days} days were cancelled", cancelled, hold.TotalDays);
            }
        }

        var lastYear = DistrictTime.Today(clock.GetUtcNow()).Year - 1;
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            due = await db.Set<PointsRules>().Where(r => r.ExpiresYearly && (r.ExpiredThroughYear == null || r.ExpiredThroughYear < lastYear))
                .Select(r => r.DistrictId).ToListAsync(ct);
        }

        foreach (var districtId in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var lapsed = await scope.ServiceProvider.GetRequiredService<ExpirePoints>().RunAsync(districtId, lastYear, ct);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var rules = await db.Set<PointsRules>().FirstAsync(r => r.DistrictId == districtId, ct);
            rules.Expired(lastYear);
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Points of {Year} lapsed in district {District}: {Accounts} accounts", lastYear, districtId, lapsed);
        }
    }
}
