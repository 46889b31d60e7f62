using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// A request whose writes commit together with what its owner writes last: the idempotency middleware's stored answer
/// (docs/adr/0008). Set on the request's unit of work (<see cref="AppDbContext.Deferred"/>), it makes the first write
/// begin a transaction (<see cref="Transactions.BeginDeferredAsync"/>), which the owner commits once the answer is
/// written, and it keeps what must wait for that commit.
/// </summary>
internal sealed class DeferredCommit
{
    private List<Func<Task>>? _afterCommit;

    public IReadOnlyList<Func<Task>> AfterCommit => _afterCommit ?? [];

    public void Add(Func<Task> work) => (_afterCommit ??= []).Add(work);
}

internal static class Transactions
{
    /// <summary>
    /// Begins the request's deferred transaction before its first write: true if it began here (the caller rolls it back
    /// whole if that write fails), false if there is none to begin (no <see cref="AppDbContext.Deferred"/>, or a
    /// transaction is open already).
    /// </summary>
    public static async ValueTask<bool> BeginDeferredAsync(this AppDbContext db, CancellationToken ct)
    {
        if (db.Deferred is null || db.Database.CurrentTransaction is not null)
        {
            return false;
        }

        await db.Database.BeginTransactionAsync(ct);
        return true;
    }

    /// <summary>
    /// A transaction for a use case that needs one (several statements, all or none, or a lock held to the commit): its own
    /// when there is none to join, as BeginTransactionAsync gives; the request's deferred one, begun here, when the
    /// request's writes commit with its idempotency record; or a savepoint in the transaction already open. Use cases
    /// begin their transactions here, never with Database.BeginTransactionAsync, so that they work inside a request's.
    /// </summary>
    public static async Task<JoinedTransaction> BeginOrJoinTransactionAsync(this AppDbContext db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is { } open)
        {
            var name = "joined_" + Ids.New().ToString("N");
            await open.CreateSavepointAsync(name, ct);
            return new JoinedTransaction(db, open, name, owned: false);
        }

        var began = await db.BeginDeferredAsync(ct);
        return new JoinedTransaction(db, began ? db.Database.CurrentTransaction! : await db.Database.BeginTransactionAsync(ct), null, owned: !began);
    }

    /// <summary>
    /// Runs <paramref name="work"/> (a message about what was just saved) once the request's writes are committed: at once,
    /// unless they wait for the commit of a deferred transaction, whose owner runs it after that commit, and drops it if
    /// the writes roll back. So no message tells of a write that never became visible, and none waits while SQLite's
    /// write lock or PostgreSQL's row locks are held.
    /// </summary>
    public static Task AfterCommitAsync(this AppDbContext db, Func<Task> work)
    {
        if (db.Deferred is { } deferred && db.Database.CurrentTransaction is not null)
        {
            deferred.Add(work);
            return Task.CompletedTask;
        }

        return work();
    }

    /// <summary>
    /// Rolls back the transaction begun for a write that failed; a connection that broke meanwhile has rolled it back
    /// already, and the write's own exception is the one to report.
    /// </summary>
    public static async Task RollbackAfterFailureAsync(this AppDbContext db)
    {
        try
        {
            await db.Database.RollbackTransactionAsync(CancellationToken.None);
        }
        catch (DbException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>
    /// Begins the request's deferred transaction before a statement that writes outside SaveChanges (ExecuteUpdate,
    /// ExecuteDelete, raw SQL) on a unit of work whose writes wait for it: those statements commit with the rest too.
    /// </summary>
    internal sealed class DeferredWrites : DbCommandInterceptor
    {
        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            if (eventData.Context is AppDbContext { Deferred: not null } db && db.Database.CurrentTransaction is null)
            {
                db.Database.BeginTransaction();
                command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            }

            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is AppDbContext db && await db.BeginDeferredAsync(cancellationToken))
            {
                command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            }

            return result;
        }
    }
}

/// <summary>What <see cref="Transactions.BeginOrJoinTransactionAsync"/> gives: commit or roll back the use case's part.</summary>
internal sealed class JoinedTransaction(AppDbContext db, IDbContextTransaction transaction, string? savepoint, bool owned) : IAsyncDisposable
{
    private bool _done;

    /// <summary>Its own transaction: committed. The request's: left for its owner to commit. A savepoint: released.</summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        _done = true;
        if (owned)
        {
            await transaction.CommitAsync(ct);
        }
        else if (savepoint is not null)
        {
            await transaction.ReleaseSavepointAsync(savepoint, ct);
        }
    }

    /// <summary>Undoes what was written since it began, and only that.</summary>
    public async Task RollbackAsync(CancellationToken ct)
    {
        _done = true;
        if (savepoint is not null)
        {
            await transaction.RollbackToSavepointAsync(savepoint, ct);
        }
        else if (owned)
        {
            await transaction.RollbackAsync(ct);
        }
        else
        {
            // The request's transaction began with this use case: nothing else is in it yet.
            await db.Database.RollbackTransactionAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_done && db.Database.CurrentTransaction == transaction)
        {
            await RollbackAsync(CancellationToken.None);
        }

        if (owned)
        {
            await transaction.DisposeAsync();
        }
    }
}
