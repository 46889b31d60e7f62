using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Events;

/// <summary>
/// Something that follows an event: records, points, notices, dashboards. Registered with
/// <see cref="OutboxSetup.AddOutboxSubscriber{T}"/>; see docs/adr/0009-events-through-an-outbox.md.
/// </summary>
internal interface IOutboxSubscriber
{
    /// <summary>Stable for ever: the receipts that make a redelivery a no-op are kept under it.</summary>
    string Name { get; }

    bool Wants(string kind);

    /// <summary>
    /// Handles one message. <paramref name="db"/> is a unit of work of its own, with the system's scope; what the subscriber
    /// writes through it commits together with the receipt, so a message handled once is never handled again. A message
    /// may come again after a crash before the receipt committed, so a subscriber must not act outside the database
    /// without making that safe to repeat.
    /// </summary>
    Task HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct);
}

/// <summary>Wakes the dispatcher when a save has staged events, so they go out at once rather than at the next poll.</summary>
internal sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _poked = new(0, 1);

    public void Poke()
    {
        if (_poked.CurrentCount == 0)
        {
            try
            {
                _poked.Release();
            }
            catch (SemaphoreFullException)
            {
                // Poked already: once is enough.
            }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct) => await _poked.WaitAsync(timeout, ct);

    public void Dispose() => _poked.Dispose();
}

/// <summary>
/// Stages the events of the entities being saved as outbox rows in the same SaveChanges, hence the same transaction: the
/// change and its events are written together or not at all.
/// </summary>
internal sealed class OutboxStaging(OutboxSignal signal, TimeProvider clock) : SaveHooks
{
    private static readonly ConditionalWeakTable<DbContext, object> Staged = [];

    /// <summary>Events taken from their entities become outbox rows, tracked as new: a retried SaveChanges writes them once.</summary>
    public static bool Stage(DbContext? context, DateTimeOffset now)
    {
        if (context is null)
        {
            return false;
        }

        var staged = false;
        foreach (var entry in context.ChangeTracker.Entries<IRaisesEvents>().ToList())
        {
            if (!entry.Entity.HasEvents)
            {
                continue;
            }

            foreach (var e in entry.Entity.TakeEvents())
            {
                context.Add(new OutboxMessage(e, now));
                staged = true;
            }
        }

        return staged;
    }

    protected override void Saving(DbContext? context)
    {
        if (Stage(context, clock.GetUtcNow()))
        {
            Staged.AddOrUpdate(context!, true);
        }
    }

    protected override void Saved(DbContext? context)
    {
        if (context is AppDbContext db && Staged.Remove(db))
        {
            // After the commit, when the request's writes wait for one (ADR 0008): woken earlier, the dispatcher would not
            // see the messages yet and wait for its next poll. The poke itself completes at once.
            _ = db.AfterCommitAsync(() =>
            {
                signal.Poke();
                return Task.CompletedTask;
            });
        }
    }

    protected override void Failed(DbContext? context)
    {
        if (context is not null)
        {
            Staged.Remove(context);
        }
    }
}

/// <summary>
/// Hands each outbox message to every subscriber that wants it, at least once, in the order they happened: woken by a
/// save that staged events, and every <c>Events:PollSeconds</c> for what another instance wrote or a crash left behind.
/// A subscriber that fails is tried again later (backing off), without holding up the others.
/// </summary>
internal sealed class OutboxDispatcher(IServiceScopeFactory scopes, OutboxSignal signal, IConfiguration config, TimeProvider clock,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromSeconds(config.GetValue("Events:PollSeconds", 5.0));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchPendingAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Dispatching outbox messages failed; trying again at the next poll");
            }

            try
            {
                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Delivers the messages due now (at most one batch); returns how many were read.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken ct)
    {
        List<OutboxMessage> due;
        string[] subscribers;
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = clock.GetUtcNow().UtcTicks;
            due = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.ProcessedAt == null && m.NextAttemptTicks <= now)
                .OrderBy(m => m.Sequence).Take(Batch).ToListAsync(ct);
            subscribers = [.. scope.ServiceProvider.GetServices<IOutboxSubscriber>().Select(s => s.Name)];
        }

        foreach (var message in due)
        {
            string? error = null;
            foreach (var name in subscribers)
            {
                try
                {
                    await DeliverAsync(message, name, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Subscriber {Subscriber} failed on outbox message {Message} ({Kind})", name, message.Id, message.Kind);
                    error = $"{name}: {e.Message}";
                }
            }

            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = clock.GetUtcNow();
            var messages = db.Set<OutboxMessage>().Where(m => m.Id == message.Id);
            if (error is null)
            {
                await messages.ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, now), ct);
            }
            else
            {
                // 10 s, 20 s, 40 s … at most an hour between tries.
                var wait = TimeSpan.FromSeconds(Math.Min(3600, 10 * Math.Pow(2, Math.Min(message.Attempts, 12))));
                var text = error.Length > 500 ? error[..500] : error;
                await messages.ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, m => m.Attempts + 1)
                    .SetProperty(m => m.NextAttemptTicks, (now + wait).UtcTicks).SetProperty(m => m.LastError, text), ct);
            }
        }

        return due.Count;
    }

    /// <summary>One subscriber, one message: its work and its receipt in one transaction, skipped when the receipt exists.</summary>
    private async Task DeliverAsync(OutboxMessage message, string name, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var subscriber = scope.ServiceProvider.GetServices<IOutboxSubscriber>().Single(s => s.Name == name);
        if (!subscriber.Wants(message.Kind))
        {
            return;
        }

        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (await db.Set<OutboxReceipt>().AnyAsync(r => r.MessageId == message.Id && r.Subscriber == name, ct))
        {
            return;
        }

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        await subscriber.HandleAsync(message, db, ct);
        db.Add(new OutboxReceipt(message.Id, name, clock.GetUtcNow()));
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            if (!await ReceivedElsewhereAsync(message.Id, name, ct))
            {
                throw;
            }

            // Another instance handled it first; its work stands, this one's rolls back.
        }
    }

    private async Task<bool> ReceivedElsewhereAsync(Guid messageId, string name, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<OutboxReceipt>()
            .AnyAsync(r => r.MessageId == messageId && r.Subscriber == name, ct);
    }
}

internal static class OutboxSetup
{
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>().AddSingleton<OutboxStaging>().AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }

    /// <summary>Adds a subscriber: it is handed every message it <see cref="IOutboxSubscriber.Wants"/> from now on.</summary>
    public static IServiceCollection AddOutboxSubscriber<T>(this IServiceCollection services) where T : class, IOutboxSubscriber =>
        services.AddScoped<IOutboxSubscriber, T>();
}
