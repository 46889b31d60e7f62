using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
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
        var stored = await host.WithDbAsync(db => db.Set<Wenming.Web.Infrastructure.Idempotency.IdempotencyRecord>().SingleAsync(r => r.Key == key));
        Assert.Empty(stored.Body ?? []);
    }
}
