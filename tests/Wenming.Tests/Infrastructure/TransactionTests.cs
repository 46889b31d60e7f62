using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Tests.Infrastructure;

/// <summary>The request's deferred transaction (docs/adr/0008) and the use cases' transactions that join it.</summary>
public sealed class TransactionTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_deferred_commit_begins_at_the_first_write_and_holds_every_write_until_its_owner_commits(string provider)
    {
        var host = TestHosts.Get(provider);
        var districtId = await host.WithDbAsync(db => db.Districts.Where(d => d.Code == TestData.HongtaCode).Select(d => d.Id).SingleAsync());
        var name = "延迟提交" + Guid.NewGuid().ToString("N")[..8];
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var deferred = new DeferredCommit();
        db.Deferred = deferred;
        try
        {
            // Reads begin nothing (on SQLite, no write lock is taken for them).
            await db.Platforms.CountAsync();
            Assert.Null(db.Database.CurrentTransaction);

            // A write outside SaveChanges begins it as well as SaveChanges does.
            await db.Platforms.Where(p => p.Name == name).ExecuteDeleteAsync();
            Assert.NotNull(db.Database.CurrentTransaction);
            await db.Database.RollbackTransactionAsync();

            db.Add(new Platform(Guid.NewGuid(), districtId, name, 97));
            await db.SaveChangesAsync();
            var transaction = db.Database.CurrentTransaction;
            Assert.NotNull(transaction);

            // Meanwhile another request reads the district's platforms, which the cache keeps: the committed list.
            var cache = host.Services.GetRequiredService<DistrictCache>();
            Task<string[]> CachedNamesAsync() => host.WithDbAsync(async other =>
                (await PlatformDirectory.AllAsync(other, cache, districtId, CancellationToken.None)).Select(p => p.Name).ToArray());
            Assert.DoesNotContain(name, await CachedNamesAsync());

            // A use case's own transaction joins the request's: what it rolls back is its part alone.
            await using (var joined = await db.BeginOrJoinTransactionAsync(CancellationToken.None))
            {
                db.Add(new Platform(Guid.NewGuid(), districtId, name + "二", 98));
                await db.SaveChangesAsync();
                await joined.RollbackAsync(CancellationToken.None);
            }

            await using (var joined = await db.BeginOrJoinTransactionAsync(CancellationToken.None))
            {
                db.ChangeTracker.Clear();
                db.Add(new Platform(Guid.NewGuid(), districtId, name + "三", 99));
                await db.SaveChangesAsync();
                await joined.CommitAsync(CancellationToken.None);
            }

            Assert.Same(transaction, db.Database.CurrentTransaction);
            Assert.Equal([name, name + "三"], await db.Platforms.Where(p => p.Name.StartsWith(name)).Select(p => p.Name).OrderBy(n => n).ToListAsync());

            // Messages about the writes wait for the commit.
            var told = false;
            var waiting = deferred.AfterCommit.Count;
            await db.AfterCommitAsync(() =>
            {
                told = true;
                return Task.CompletedTask;
            });
            Assert.False(told);
            Assert.Equal(waiting + 1, deferred.AfterCommit.Count);

            // Nothing is visible to anyone else until the owner commits; then the cache forgets what it kept meanwhile.
            Assert.Equal(0, await host.WithDbAsync(other => other.Platforms.CountAsync(p => p.Name.StartsWith(name))));
            await db.Database.CommitTransactionAsync();
            foreach (var work in deferred.AfterCommit)
            {
                await work();
            }

            Assert.True(told);
            Assert.Equal(2, await host.WithDbAsync(other => other.Platforms.CountAsync(p => p.Name.StartsWith(name))));
            Assert.Contains(name, await CachedNamesAsync());
        }
        finally
        {
            db.Deferred = null;
            await host.WithDbAsync(other => other.Platforms.Where(p => p.Name.StartsWith(name)).ExecuteDeleteAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_failed_save_inside_a_transaction_undoes_itself_alone_and_the_transaction_goes_on(string provider)
    {
        var host = TestHosts.Get(provider);
        var (districtId, takenHash) = await host.WithDbAsync(async db =>
            await db.Set<Open311Key>().Select(k => new { k.DistrictId, k.KeyHash }).FirstAsync() is var k ? (k.DistrictId, k.KeyHash) : default);
        var name = "事务中失败" + Guid.NewGuid().ToString("N")[..8];
        var notice = Guid.Empty;
        await host.WithDbAsync(async db =>
        {
            await using var transaction = await db.BeginOrJoinTransactionAsync(CancellationToken.None);
            db.Add(new Platform(Guid.NewGuid(), districtId, name, 99));
            await db.SaveChangesAsync();

            // New rows only: on PostgreSQL one batch under a savepoint of its own, which the refused key rolls back.
            var added = new OrderNotice(districtId, Guid.NewGuid(), null, null, null, name, DateTimeOffset.UtcNow);
            notice = added.Id;
            db.Add(added);
            db.Add(new Open311Key(districtId, "重复的密钥", takenHash, null, DateTimeOffset.UtcNow));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveInOneTripAsync(CancellationToken.None));
            db.ChangeTracker.Clear();

            // As placing an order does after a failed save: a query, then the next save, in the same transaction.
            Assert.True(await db.Platforms.AnyAsync(p => p.Name == name));
            db.Add(new Platform(Guid.NewGuid(), districtId, name + "二", 100));
            await db.SaveInOneTripAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            return true;
        });

        Assert.Equal(2, await host.WithDbAsync(db => db.Platforms.CountAsync(p => p.Name.StartsWith(name))));
        Assert.False(await host.WithDbAsync(db => db.Set<OrderNotice>().AnyAsync(n => n.Id == notice)));
        await host.WithDbAsync(db => db.Platforms.Where(p => p.Name.StartsWith(name)).ExecuteDeleteAsync());
    }

    /// <summary>
    /// A transaction begun with Database.BeginTransactionAsync would commit a request's writes without its idempotency
    /// record (or fail on the deferred transaction already open): use cases begin theirs with BeginOrJoinTransactionAsync.
    /// </summary>
    [Fact]
    public void Use_cases_begin_their_transactions_so_that_they_join_the_requests()
    {
        var source = Path.Combine(PlatformProcess.RepositoryRoot(), "src", "Wenming.Web");
        var own = Path.Combine("Infrastructure", "Data", "Transactions.cs");
        var offenders = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(source, f).Split(Path.DirectorySeparatorChar).Any(d => d is "bin" or "obj" or "Migrations"))
            .Where(f => !f.EndsWith(own, StringComparison.Ordinal) && File.ReadAllText(f).Contains("Database.BeginTransaction", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(source, f));
        Assert.Empty(offenders);
    }
}
