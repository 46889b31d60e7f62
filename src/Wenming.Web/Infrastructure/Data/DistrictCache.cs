using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// A district's reference data that every order reads and admins seldom change (its platforms, its current workflow, its
/// places and teams for matching), kept for <see cref="Lifetime"/> per app instance. A save through this instance that
/// touches any of them forgets the district's entries at once (<see cref="Invalidation"/>); other instances see the
/// change within <see cref="Lifetime"/>. Values must be immutable or copied by the caller before use.
/// </summary>
internal sealed class DistrictCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Kind, Guid District), (object Value, DateTimeOffset Until)> _entries = new();

    /// <summary>The cached value, or <paramref name="load"/>'s (cached unless null).</summary>
    public async Task<T?> GetAsync<T>(string kind, Guid districtId, Func<CancellationToken, Task<T?>> load, CancellationToken ct) where T : class
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue((kind, districtId), out var entry) && entry.Until > now && entry.Value is T value)
        {
            return value;
        }

        var loaded = await load(ct);
        if (loaded is not null)
        {
            _entries[(kind, districtId)] = (loaded, now + Lifetime);
        }

        return loaded;
    }

    public void Forget(Guid districtId)
    {
        foreach (var key in _entries.Keys.Where(k => k.District == districtId))
        {
            _entries.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Forgets a district's entries when a save changes one of <paramref name="watched"/> in it: before the save and
    /// again after it, so that a read during the save does not keep the old state.
    /// </summary>
    internal sealed class Invalidation(DistrictCache cache, params Type[] watched) : SaveChangesInterceptor
    {
        private readonly ConditionalWeakTable<DbContext, HashSet<Guid>> _pending = [];

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Saving(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Saving(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            Saved(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            Saved(eventData.Context);
            return result;
        }

        private void Saving(DbContext? context)
        {
            if (context is null)
            {
                return;
            }

            var districts = context.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && watched.Contains(e.Metadata.ClrType))
                .Select(e => ((IDistrictOwned)e.Entity).DistrictId).ToHashSet();
            if (districts.Count == 0)
            {
                return;
            }

            foreach (var d in districts)
            {
                cache.Forget(d);
            }

            _pending.AddOrUpdate(context, districts);
        }

        private void Saved(DbContext? context)
        {
            if (context is not null && _pending.TryGetValue(context, out var districts))
            {
                _pending.Remove(context);
                foreach (var d in districts)
                {
                    cache.Forget(d);
                }
            }
        }
    }
}
