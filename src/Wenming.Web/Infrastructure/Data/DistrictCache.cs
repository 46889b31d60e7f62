using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// A district's reference data that every order reads and admins seldom change (its platforms, its current workflow, its
/// places and teams for matching), kept for 30 to 40 s per app instance. A save through this instance that
/// touches any of them forgets the district's entries at once (<see cref="Invalidation"/>); other instances see the
/// change within <see cref="Longest"/>. Values must be immutable or copied by the caller before use.
/// </summary>
internal sealed class DistrictCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>The longest a value is kept: other instances see a change within this (and one read).</summary>
    public static readonly TimeSpan Longest = Lifetime + Lifetime / 3;

    private readonly ConcurrentDictionary<(string Kind, Guid District), Entry> _entries = new();

    /// <summary>Counts each district's forgetting: a read that started before one is not kept.</summary>
    private readonly ConcurrentDictionary<Guid, int> _generations = new();

    /// <summary>
    /// The cached value, or <paramref name="load"/>'s (cached unless null). When a value has outlived its lifetime, the
    /// first caller to notice reads it again while the others go on with the old one for that moment: a busy instance
    /// never has every request reading the same thing at once. Lifetimes vary by up to a third, so that a district's
    /// entries do not all run out in the same second.
    /// </summary>
    public async Task<T?> GetAsync<T>(string kind, Guid districtId, Func<CancellationToken, Task<T?>> load, CancellationToken ct) where T : class
    {
        var now = clock.GetUtcNow();
        var generation = _generations.GetValueOrDefault(districtId);
        if (_entries.TryGetValue((kind, districtId), out var entry) && entry.Value is T value)
        {
            if (entry.Until > now || Interlocked.CompareExchange(ref entry.Refreshing, 1, 0) != 0)
            {
                return value;
            }

            try
            {
                return Store(kind, districtId, generation, await load(ct), now);
            }
            finally
            {
                entry.Refreshing = 0;
            }
        }

        return Store(kind, districtId, generation, await load(ct), now);
    }

    /// <summary>Keeps what was read, unless the district was forgotten meanwhile: then it may predate the save.</summary>
    private T? Store<T>(string kind, Guid districtId, int generation, T? loaded, DateTimeOffset now) where T : class
    {
        if (loaded is null)
        {
            _entries.TryRemove((kind, districtId), out _);
        }
        else if (_generations.GetValueOrDefault(districtId) == generation)
        {
            _entries[(kind, districtId)] = new Entry(loaded, now + Lifetime + Lifetime / 3 * Random.Shared.NextDouble());
        }

        return loaded;
    }

    /// <summary>At once: the next read of any of the district's entries reads the database.</summary>
    public void Forget(Guid districtId)
    {
        _generations.AddOrUpdate(districtId, 1, (_, g) => g + 1);
        foreach (var key in _entries.Keys.Where(k => k.District == districtId))
        {
            _entries.TryRemove(key, out _);
        }
    }

    private sealed class Entry(object value, DateTimeOffset until)
    {
        public int Refreshing;

        public object Value { get; } = value;
        public DateTimeOffset Until { get; } = until;
    }

    /// <summary>
    /// Forgets a district's entries when a save changes one of <paramref name="watched"/> in it: before the save and
    /// again after it (and after the commit of a request's deferred transaction), so that a read during the save does not
    /// keep the old state.
    /// </summary>
    internal sealed class Invalidation(DistrictCache cache, params Type[] watched) : SaveHooks
    {
        private readonly ConditionalWeakTable<DbContext, HashSet<Guid>> _pending = [];

        /// <summary>Whether a save of this type forgets a district's cached entries (its rows are never written past SaveChanges).</summary>
        public bool Watches(Type type) => watched.Contains(type);

        protected override void Saving(DbContext? context)
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

        protected override void Saved(DbContext? context)
        {
            if (context is not null && _pending.TryGetValue(context, out var districts))
            {
                _pending.Remove(context);
                Forget(districts);
                if (context is AppDbContext { Deferred: { } deferred } db && db.Database.CurrentTransaction is not null)
                {
                    // The save commits later, with the request's idempotency record (docs/adr/0008): a read until then sees
                    // the old state, so the entries are forgotten once more after that commit.
                    deferred.Add(() =>
                    {
                        Forget(districts);
                        return Task.CompletedTask;
                    });
                }
            }
        }

        private void Forget(HashSet<Guid> districts)
        {
            foreach (var d in districts)
            {
                cache.Forget(d);
            }
        }
    }
}
