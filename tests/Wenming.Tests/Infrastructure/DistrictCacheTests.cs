using Microsoft.Extensions.Time.Testing;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.Infrastructure;

public sealed class DistrictCacheTests
{
    private static readonly Guid District = Guid.NewGuid();

    [Fact]
    public async Task A_value_is_read_once_per_lifetime_and_at_once_after_a_save_forgets_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new DistrictCache(clock);
        var reads = 0;
        Task<string?> Load(CancellationToken _) => Task.FromResult<string?>($"v{++reads}");

        Assert.Equal("v1", await cache.GetAsync("platforms", District, Load, CancellationToken.None));
        clock.Advance(DistrictCache.Lifetime / 2);
        Assert.Equal("v1", await cache.GetAsync("platforms", District, Load, CancellationToken.None));
        Assert.Equal("v2", await cache.GetAsync("platforms", Guid.NewGuid(), Load, CancellationToken.None)); // each district its own

        cache.Forget(District);
        Assert.Equal("v3", await cache.GetAsync("platforms", District, Load, CancellationToken.None));
        clock.Advance(DistrictCache.Longest + TimeSpan.FromSeconds(1));
        Assert.Equal("v4", await cache.GetAsync("platforms", District, Load, CancellationToken.None));
    }

    [Fact]
    public async Task When_a_value_runs_out_one_caller_reads_it_again_while_the_others_keep_the_old_one()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new DistrictCache(clock);
        await cache.GetAsync("units", District, _ => Task.FromResult<string?>("old"), CancellationToken.None);
        clock.Advance(DistrictCache.Longest + TimeSpan.FromSeconds(1));

        var reading = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reads = 0;
        var refresh = cache.GetAsync("units", District, _ =>
        {
            reads++;
            return reading.Task;
        }, CancellationToken.None);
        // Meanwhile a busy instance's other requests do not all read the database again.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("old", await cache.GetAsync("units", District, _ =>
            {
                reads++;
                return Task.FromResult<string?>("stampede");
            }, CancellationToken.None));
        }

        reading.SetResult("new");
        Assert.Equal("new", await refresh);
        Assert.Equal("new", await cache.GetAsync("units", District, _ => Task.FromResult<string?>("again"), CancellationToken.None));
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task A_read_under_way_when_a_save_forgets_the_district_is_not_kept()
    {
        var cache = new DistrictCache(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var reading = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = cache.GetAsync("workflow", District, _ => reading.Task, CancellationToken.None);
        cache.Forget(District); // a save lands while the read above is still on its way
        reading.SetResult("before the save");
        Assert.Equal("before the save", await before); // its caller uses what it read
        Assert.Equal("after the save", await cache.GetAsync("workflow", District, _ => Task.FromResult<string?>("after the save"), CancellationToken.None));
    }
}
