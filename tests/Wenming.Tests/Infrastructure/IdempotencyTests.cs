using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Idempotency;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Infrastructure;

public sealed class IdempotencyTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static HttpRequestMessage Post(string url, string json, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_retried_create_with_the_same_key_happens_once_and_replays_the_first_answer(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var code = UniqueCode("idem");
        var json = $$"""{"parentId":"{{station}}","kind":"Point","name":"重试测试点","code":"{{code}}"}""";
        var key = Guid.NewGuid().ToString();

        using var first = await admin.SendAsync(Post("/api/v1/units", json, key));
        using var retry = await admin.SendAsync(Post("/api/v1/units", json, key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await host.WithDbAsync(db => db.Units.CountAsync(u => u.Code == code)));

        using var reused = await admin.SendAsync(Post("/api/v1/units", json.Replace("重试测试点", "另一个点", StringComparison.Ordinal), key));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("urn:wenming:problem:idempotency-key-reused", (await reused.JsonAsync()).GetProperty("type").GetString());

        // Without a key, the same body is a new request: the code is taken now.
        using var again = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/units") { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_refused_request_frees_its_key_and_keys_are_per_person(string provider)
    {
        var host = TestHosts.Get(provider);
        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "40"));
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var center = await host.UnitIdAsync(HongtaCode);
        var key = Guid.NewGuid().ToString();
        var json = $$"""{"parentId":"{{center}}","kind":"Point","name":"共用键测试","code":"{{UniqueCode("key")}}"}""";

        using var refused = await leader.SendAsync(Post("/api/v1/units", json, key));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var refusedAgain = await leader.SendAsync(Post("/api/v1/units", json, key));
        Assert.Equal(HttpStatusCode.Forbidden, refusedAgain.StatusCode);

        using var someoneElse = await admin.SendAsync(Post("/api/v1/units", json, key));
        Assert.Equal(HttpStatusCode.Created, someoneElse.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_replayed_reveal_gives_back_no_personal_data(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var id = (await admin.GetJsonAsync("/api/v1/volunteers?status=Active&pageSize=1")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var key = Guid.NewGuid().ToString();
        const string json = """{"field":"phone","reason":"核对联系方式"}""";

        using var first = await admin.SendAsync(Post($"/api/v1/volunteers/{id}/reveal", json, key));
        using var replay = await admin.SendAsync(Post($"/api/v1/volunteers/{id}/reveal", json, key));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("value", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("", await replay.Content.ReadAsStringAsync());
        var stored = await host.WithDbAsync(db => db.Set<IdempotencyRecord>().SingleAsync(r => r.Key == key));
        Assert.Empty(stored.Body ?? []);
    }

    /// <summary>
    /// A claim as a process killed in the middle of the request leaves it: no answer, and none of its writes (they rolled
    /// back with the answer they would have committed with). Within its lease a retry is told to wait; after it, the retry
    /// takes the key over and runs, once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_claim_left_without_an_answer_holds_for_its_lease_and_then_a_retry_takes_the_key_over(string provider)
    {
        var host = TestHosts.Get(provider);
        var phone = TestHost.Phone(Hongta, "20");
        var resident = await host.ClientAsAsync(phone);
        var platform = (await resident.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        var title = "租约测试" + Guid.NewGuid().ToString("N")[..8];
        var json = $$"""{"title":"{{title}}","platformId":"{{platform}}"}""";
        var key = Guid.NewGuid().ToString();
        var userId = await host.WithDbAsync(db => db.Users.Where(u => u.UserName == phone).Select(u => u.Id).SingleAsync());
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Task LeaveClaimAsync(DateTimeOffset lockedUntil) => host.WithDbAsync(async db =>
        {
            await db.Set<IdempotencyRecord>().Where(r => r.UserId == userId && r.Key == key).ExecuteDeleteAsync();
            db.Add(new IdempotencyRecord(Guid.NewGuid(), userId, key, "POST /api/v1/orders", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
                now.AddMinutes(-1), lockedUntil));
            return await db.SaveChangesAsync();
        });

        await LeaveClaimAsync(now.AddMinutes(1));
        using (var held = await resident.SendAsync(Post("/api/v1/orders", json, key)))
        {
            Assert.Equal(HttpStatusCode.Conflict, held.StatusCode);
            Assert.Equal("urn:wenming:problem:idempotency-in-progress", (await held.JsonAsync()).GetProperty("type").GetString());
        }

        await LeaveClaimAsync(now.AddSeconds(-1));
        using var taken = await resident.SendAsync(Post("/api/v1/orders", json, key));
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        Assert.False(taken.Headers.Contains("Idempotent-Replayed"));
        using var replayed = await resident.SendAsync(Post("/api/v1/orders", json, key));
        Assert.True(replayed.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await taken.Content.ReadAsStringAsync(), await replayed.Content.ReadAsStringAsync());
        Assert.Equal(1, await host.WithDbAsync(db => db.Set<Order>().CountAsync(o => o.Title == title)));
    }

    /// <summary>
    /// A request that outlives its lease (here 0 s) while a retry takes its key over: the retry's run is the one that
    /// counts, and the first one's writes roll back with the answer its claim no longer takes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_request_whose_key_a_retry_took_over_keeps_nothing_of_what_it_wrote(string provider)
    {
        var host = TestHosts.Get(provider);
        using var shortLease = host.WithWebHostBuilder(b => b.UseSetting("Idempotency:LeaseSeconds", "0"));
        var signedIn = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        using var resident = shortLease.CreateClient();
        resident.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        var platform = (await resident.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        var districtId = await host.WithDbAsync(db => db.Districts.Where(d => d.Code == HongtaCode).Select(d => d.Id).SingleAsync());
        var title = "接手测试" + Guid.NewGuid().ToString("N")[..8];
        var json = $$"""{"title":"{{title}}","platformId":"{{platform}}"}""";
        var key = Guid.NewGuid().ToString();

        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.OrderNumbers.HoldNext(districtId, reached, letGo.Task);
        var first = resident.SendAsync(Post("/api/v1/orders", json, key));
        HttpResponseMessage retry;
        try
        {
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            retry = await resident.SendAsync(Post("/api/v1/orders", json, key));
        }
        finally
        {
            letGo.TrySetResult();
        }

        using (retry)
        using (var firstAnswer = await first)
        {
            Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, firstAnswer.StatusCode);
            Assert.Equal("urn:wenming:problem:idempotency-in-progress", (await firstAnswer.JsonAsync()).GetProperty("type").GetString());
            Assert.Null(firstAnswer.Headers.Location);
            var placed = (await retry.JsonAsync()).GetProperty("id").GetGuid();
            Assert.Equal([placed], await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Title == title).Select(o => o.Id).ToListAsync()));
        }
    }

    /// <summary>
    /// The messages about a keyed order (the board, the resident's SMS) go out after its writes and its answer commit:
    /// none tells of an order that rolls back, and none is awaited while the database's locks are held.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_keyed_order_is_committed_with_its_answer_before_the_resident_is_texted(string provider)
    {
        var host = TestHosts.Get(provider);
        var sms = new HoldingSmsSender();
        using var holding = host.WithOneOrderAtATime(sms);
        var signedIn = await host.ClientAsAsync(TestHost.Phone(Hongta, "30"));
        using var gridWorker = holding.CreateClient();
        gridWorker.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        var platform = (await gridWorker.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        var title = "短信在提交后" + Guid.NewGuid().ToString("N")[..8];
        var json = $$"""{"title":"{{title}}","platformId":"{{platform}}","contactName":"李大爷","contactPhone":"139{{Random.Shared.Next(10_000_000, 99_999_999)}}"}""";
        var key = Guid.NewGuid().ToString();

        var placing = gridWorker.SendAsync(Post("/api/v1/orders", json, key));
        try
        {
            await sms.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(201, await host.WithDbAsync(db => db.Set<IdempotencyRecord>().Where(r => r.Key == key).Select(r => r.StatusCode).SingleAsync()));
            Assert.Equal(1, await host.WithDbAsync(db => db.Set<Order>().CountAsync(o => o.Title == title)));
        }
        finally
        {
            sms.LetGo.TrySetResult();
        }

        using var placed = await placing;
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
    }
}
