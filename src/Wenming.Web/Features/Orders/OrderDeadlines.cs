using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>
/// Acts on orders whose step deadline has passed, as the step says: escalate to the unit above, warn, or close. Each
/// order is moved under its version token, so with two app instances scanning at once one moves it and the other's
/// save fails and is skipped: an order escalates once.
/// </summary>
internal sealed class OrderDeadlines(IServiceScopeFactory scopes, ILogger<OrderDeadlines> logger)
{
    public const int Batch = 200;

    /// <summary>Handles every order overdue at <paramref name="now"/>; returns how many this call moved.</summary>
    public async Task<int> RunOnceAsync(DateTimeOffset now, CancellationToken ct)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = Enter(scope);
            due = await db.Set<Order>()
                .Where(o => o.StepDueAt != null && o.StepDueAt < now && o.OverdueNotifiedAt == null
                            && (o.State == OrderState.AwaitingConfirmation || o.State == OrderState.Open || o.State == OrderState.InService
                                || o.State == OrderState.Delivered || o.State == OrderState.UnderReview))
                .OrderBy(o => o.StepDueAt).Select(o => o.Id).Take(Batch).ToListAsync(ct);
        }

        var moved = 0;
        foreach (var id in due)
        {
            try
            {
                moved += await HandleAsync(id, now, ct) ? 1 : 0;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another instance (or a person) moved it first.
            }
            catch (DbUpdateException e)
            {
                logger.LogWarning(e, "Deadline handling for order {Order} failed; it is retried on the next scan", id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One order the rules cannot move must not hold up every order due after it: warn once and go on.
                logger.LogError(e, "Deadline handling for order {Order} failed; it is marked overdue and left for people", id);
                await MarkOverdueAsync(id, now, ct);
            }
        }

        return moved;
    }

    private async Task<bool> HandleAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = Enter(scope);
        var access = scope.ServiceProvider.GetRequiredService<OrderAccess>();
        var notifier = scope.ServiceProvider.GetRequiredService<OrderNotifier>();
        var order = await access.LoadAsync(id, ct);
        if (order.StepDueAt is not { } dueAt || dueAt >= now || order.OverdueNotifiedAt is not null || order.IsFinished)
        {
            return false;
        }

        string action;
        if (order.State == OrderState.UnderReview)
        {
            order.MarkOverdue(now);
            action = "overdue";
        }
        else
        {
            switch (order.Step.OnTimeout)
            {
                case TimeoutAction.Escalate when order.HolderUnit!.ParentId is { } parentId:
                    var parent = await db.Units.SingleAsync(u => u.Id == parentId, ct);
                    order.Escalate(OrderActor.System, parent, automatic: true, null, now);
                    action = "escalate-timeout";
                    break;
                case TimeoutAction.Close:
                    order.CloseOnTimeout(now);
                    action = "close-timeout";
                    break;
                default:
                    order.MarkOverdue(now);
                    action = "overdue";
                    break;
            }
        }

        scope.ServiceProvider.GetRequiredService<AuditLog>().Add("order." + action, "order", order.Id.ToString(), order.HolderUnit?.Path, order.Number);
        notifier.Stage(order, action);
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(order, action, null, ct);
        return true;
    }

    private async Task MarkOverdueAsync(Guid id, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = Enter(scope);
            var order = await scope.ServiceProvider.GetRequiredService<OrderAccess>().LoadAsync(id, ct);
            order.MarkOverdue(now);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not mark order {Order} overdue either", id);
        }
    }

    private static AppDbContext Enter(AsyncServiceScope scope)
    {
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        return scope.ServiceProvider.GetRequiredService<AppDbContext>();
    }

    /// <summary>The scan loop of each app instance.</summary>
    internal sealed class Scanner(OrderDeadlines deadlines, TimeProvider clock, IConfiguration config, ILogger<Scanner> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var every = TimeSpan.FromSeconds(Math.Max(5, config.GetValue("Orders:DeadlineScanSeconds", 60)));
            using var timer = new PeriodicTimer(every, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var moved = await deadlines.RunOnceAsync(clock.GetUtcNow(), stoppingToken);
                    if (moved > 0)
                    {
                        logger.LogInformation("Deadline scan moved {Count} overdue orders", moved);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Deadline scan failed; retrying on the next tick");
                }
            }
        }
    }
}
