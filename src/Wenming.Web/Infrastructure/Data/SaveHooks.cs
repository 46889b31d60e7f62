using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// A SaveChanges interceptor that only needs to know when a save begins, succeeds or fails, whether it runs synchronously
/// or not (the district cache's invalidation, the outbox's staging).
/// </summary>
internal abstract class SaveHooks : SaveChangesInterceptor
{
    protected abstract void Saving(DbContext? context);

    protected abstract void Saved(DbContext? context);

    protected virtual void Failed(DbContext? context)
    {
    }

    public sealed override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public sealed override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public sealed override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public sealed override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public sealed override void SaveChangesFailed(DbContextErrorEventData eventData) => Failed(eventData.Context);

    public sealed override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return Task.CompletedTask;
    }
}
