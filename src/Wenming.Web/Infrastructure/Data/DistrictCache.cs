using System.Collections.Concurrent;

namespace Wenming.Web.Infrastructure.Data;

/// <summary>
/// A district's reference data that every order reads and admins seldom change (its platforms, its current workflow),
/// kept for <see cref="Lifetime"/> per app instance. A save in this instance forgets the entry at once; other instances
/// see the change within <see cref="Lifetime"/>. Values must be immutable or copied by the caller before use.
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

    public void Forget(string kind, Guid districtId) => _entries.TryRemove((kind, districtId), out _);
}
