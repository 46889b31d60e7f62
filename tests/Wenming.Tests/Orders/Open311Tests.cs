using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Json.Schema;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Orders;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Orders.OrderFlow;

namespace Wenming.Tests.Orders;

/// <summary>
/// Open311 GeoReport v2 as a partner's client sees it: every answer in XML and JSON, both checked against JSON schemas
/// written from the spec and against each other (XML read by the spec's Spark convention); a FixMyStreet-style report
/// filed into Hongta's workflow and followed to its end; and each refusal in the spec's error format.
/// </summary>
public sealed class Open311Tests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private const string Base = "/open311/v2";
    private const string Hongta4 = $"jurisdiction_id={HongtaCode}";
    private static readonly string HongtaKey = $"demo-open311-{HongtaCode}";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Discovery_services_and_definitions_validate_and_agree_in_xml_and_json(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();

        var discovery = await GetBothAsync(client, "discovery", "", "discovery");
        var endpoint = discovery.GetProperty("endpoints")[0];
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", endpoint.GetProperty("specification").GetString());
        Assert.EndsWith("/open311/v2", endpoint.GetProperty("url").GetString(), StringComparison.Ordinal);
        Assert.Equal(["text/xml", "application/json"], endpoint.GetProperty("formats").EnumerateArray().Select(f => f.GetString()!));

        var services = await GetBothAsync(client, "services", Hongta4, "services");
        var list = services.EnumerateArray().ToList();
        var platforms = await host.WithDbAsync(db => db.Platforms.IgnoreQueryFilters()
            .Where(p => p.IsActive && db.Districts.IgnoreQueryFilters().Any(d => d.Id == p.DistrictId && d.Code == HongtaCode)).Select(p => new { p.Id, p.Name })
            .ToListAsync());
        foreach (var p in platforms)
        {
            // One free-text service per platform, grouped under it.
            var free = Assert.Single(list, s => s.GetProperty("service_code").GetString() == $"platform-{p.Id}");
            Assert.Equal(p.Name, free.GetProperty("group").GetString());
        }

        var menuServices = list.Where(s => Guid.TryParse(s.GetProperty("service_code").GetString(), out _)).ToList();
        Assert.NotEmpty(menuServices);
        Assert.All(list, s =>
        {
            Assert.Equal("realtime", s.GetProperty("type").GetString());
            Assert.True(s.GetProperty("metadata").GetBoolean());
            Assert.Contains(s.GetProperty("group").GetString()!, platforms.Select(p => p.Name));
            Assert.False(string.IsNullOrEmpty(s.GetProperty("keywords").GetString()));
        });
        Assert.Equal(list.Count, list.Select(s => s.GetProperty("service_code").GetString()).Distinct().Count());

        var menuCode = menuServices[0].GetProperty("service_code").GetString()!;
        var definition = await GetBothAsync(client, $"services/{menuCode}", Hongta4, "service-definition");
        Assert.Equal(menuCode, definition.GetProperty("service_code").GetString());
        var wanted = Assert.Single(definition.GetProperty("attributes").EnumerateArray());
        Assert.Equal("wanted_time", wanted.GetProperty("code").GetString());
        Assert.Equal("datetime", wanted.GetProperty("datatype").GetString());
        Assert.False(wanted.GetProperty("required").GetBoolean());

        var freeDefinition = await GetBothAsync(client, $"services/platform-{platforms[0].Id}", Hongta4, "service-definition");
        Assert.Equal(["title", "wanted_time"], freeDefinition.GetProperty("attributes").EnumerateArray().Select(a => a.GetProperty("code").GetString()!));
        Assert.Equal([1, 2], freeDefinition.GetProperty("attributes").EnumerateArray().Select(a => a.GetProperty("order").GetInt32()));

        // Another district's services are its own.
        var jiulongpo = await GetBothAsync(client, "services", $"jurisdiction_id={JiulongpoCode}", "services");
        Assert.DoesNotContain(jiulongpo.EnumerateArray(), s => s.GetProperty("service_code").GetString() == menuCode);
        await ErrorBothAsync(client, HttpMethod.Get, $"services/{menuCode}", $"jurisdiction_id={JiulongpoCode}", HttpStatusCode.NotFound, "service_code");

        // Listed in the API reference under its own tag.
        var openApi = await client.GetJsonAsync("/openapi/v1.json");
        var post = openApi.GetProperty("paths").GetProperty("/open311/v2/requests.{format}").GetProperty("post");
        Assert.Equal("Open311", post.GetProperty("tags")[0].GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_FixMyStreet_report_becomes_an_order_in_the_Hongta_workflow_and_reads_back_open_then_closed(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var station = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01-001")
            .Select(u => new { u.Id, u.Name, Lat = u.Latitude!.Value, Lng = u.Longitude!.Value }).SingleAsync());

        // FixMyStreet reads the service list as XML (services/service) and picks a category.
        using var servicesResponse = await client.GetAsync($"{Base}/services.xml?{Hongta4}");
        var services = XDocument.Parse(await servicesResponse.Content.ReadAsStringAsync()).Root!;
        var category = services.Elements("service").First(s => Guid.TryParse(s.Element("service_code")!.Value, out _));
        var serviceCode = category.Element("service_code")!.Value;

        // What Open311.pm's send_service_request posts: jurisdiction_id and api_key, the extended description, the name split
        // by its split_name (a Chinese name has no space: all of it is the first name), the coordinates truncated to six places,
        // the photo's URL and the report's extra fields as attribute[...] (some of them unknown to the service).
        var phone = NewPhone();
        var inThreeDays = DateTimeOffset.UtcNow.AddDays(3);
        var wantedAt = inThreeDays.AddTicks(-(inThreeDays.Ticks % TimeSpan.TicksPerSecond)).ToOffset(TimeSpan.FromHours(8));
        var fields = new List<(string, string)>
        {
            ("jurisdiction_id", HongtaCode), ("api_key", HongtaKey),
            ("description", "楼道灯坏了\n\n三单元楼道灯坏了一周，老人晚上上下楼不便\n\nhttps://fms.example.org/report/123\n"),
            ("service_code", serviceCode), ("first_name", "王小明"), ("last_name", ""), ("phone", phone), ("email", "wangxm@example.org"),
            ("lat", Truncate(station.Lat + 0.0003)), ("long", Truncate(station.Lng - 0.0002)),
            ("media_url", "https://fms.example.org/photo/123.0.full.jpeg"),
            ("attribute[fixmystreet_id]", "123"), ("attribute[title]", "楼道灯坏了"), ("attribute[closest_address]", "红塔区聂耳路 12 号"),
            ("attribute[wanted_time]", wantedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)),
        };
        using var posted = await PostFormAsync(client, "xml", fields);
        var postedText = await posted.Content.ReadAsStringAsync();
        Assert.True(posted.StatusCode == HttpStatusCode.OK, postedText);
        Assert.Equal("text/xml", posted.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", postedText, StringComparison.Ordinal);
        var request = XDocument.Parse(postedText).Root!;
        Assert.Equal("service_requests", request.Name.LocalName);
        var number = request.Element("request")!.Element("service_request_id")!.Value;
        Assert.False(string.IsNullOrEmpty(request.Element("request")!.Element("service_notice")!.Value));
        Assert.Equal("", request.Element("request")!.Element("account_id")!.Value);

        // The same order, in the district's workflow, at the nearest station.
        var orderId = await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Number == number && o.ContactPhone == phone).Select(o => o.Id).SingleAsync());
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var order = await admin.GetJsonAsync($"/api/v1/orders/{orderId}");
        Assert.Equal("所站集单", Step(order));
        Assert.Equal(station.Id, HolderUnit(order));
        Assert.Equal("Open311", order.GetProperty("channel").GetString());
        Assert.Equal("王小明", order.GetProperty("contactName").GetString());
        Assert.StartsWith(order.GetProperty("title").GetString() + "（", category.Element("service_name")!.Value, StringComparison.Ordinal);
        Assert.Contains("三单元楼道灯坏了一周", order.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("https://fms.example.org/photo/123.0.full.jpeg", order.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(wantedAt, order.GetProperty("wantedAt").GetDateTimeOffset());
        Assert.Contains("Open311", order.GetProperty("timeline")[0].GetProperty("note").GetString(), StringComparison.Ordinal);

        var gets = new List<string>();
        var open = await GetBothAsync(client, $"requests/{number}", Hongta4, "requests", gets);
        var read = Assert.Single(open.EnumerateArray());
        Assert.Equal(number, read.GetProperty("service_request_id").GetString());
        Assert.Equal("open", read.GetProperty("status").GetString());
        Assert.Contains("所站集单", read.GetProperty("status_notes").GetString(), StringComparison.Ordinal);
        Assert.Equal(serviceCode, read.GetProperty("service_code").GetString());
        Assert.Equal(category.Element("service_name")!.Value, read.GetProperty("service_name").GetString());
        Assert.Equal(station.Name, read.GetProperty("agency_responsible").GetString());
        Assert.Contains("所站集单", read.GetProperty("service_notice").GetString(), StringComparison.Ordinal);
        Assert.Equal(station.Lat + 0.0003, read.GetProperty("lat").GetDouble(), 5);
        Assert.Equal(station.Lng - 0.0002, read.GetProperty("long").GetDouble(), 5);
        Assert.Contains("三单元楼道灯坏了一周", read.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(wantedAt, DateTimeOffset.Parse(read.GetProperty("expected_datetime").GetString()!, CultureInfo.InvariantCulture));
        Assert.EndsWith("+08:00", read.GetProperty("requested_datetime").GetString(), StringComparison.Ordinal);

        // The list finds it by id, by service, by status and in the default 90 days.
        Assert.Single((await GetBothAsync(client, "requests", $"{Hongta4}&service_request_id={number},NOSUCHNUMBER", "requests", gets)).EnumerateArray());
        Assert.Contains((await GetBothAsync(client, "requests", Hongta4, "requests", gets)).EnumerateArray(), r => r.GetProperty("service_request_id").GetString() == number);
        Assert.Contains((await GetBothAsync(client, "requests", $"{Hongta4}&service_code={serviceCode}&status=open", "requests", gets)).EnumerateArray(),
            r => r.GetProperty("service_request_id").GetString() == number);
        var today = DateTimeOffset.UtcNow;
        var window = $"start_date={Uri.EscapeDataString(today.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))}"
                     + $"&end_date={Uri.EscapeDataString(today.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))}";
        Assert.Contains((await GetBothAsync(client, "requests", $"{Hongta4}&{window}", "requests", gets)).EnumerateArray(), r => r.GetProperty("service_request_id").GetString() == number);
        Assert.DoesNotContain((await GetBothAsync(client, "requests", $"{Hongta4}&status=closed", "requests", gets)).EnumerateArray(),
            r => r.GetProperty("service_request_id").GetString() == number);
        Assert.Empty((await GetBothAsync(client, "requests", $"jurisdiction_id={JiulongpoCode}&service_request_id={number}", "requests", gets)).EnumerateArray());

        // The station sends it back: closed, with the reason the partner's user should read.
        await ActAsync(admin, order, "reject", new { reason = "不属于志愿服务范围，请王小明拨打物业电话" });
        var closed = Assert.Single((await GetBothAsync(client, $"requests/{number}", Hongta4, "requests", gets)).EnumerateArray());
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Contains("不属于志愿服务范围", closed.GetProperty("status_notes").GetString(), StringComparison.Ordinal);
        Assert.Contains((await GetBothAsync(client, "requests", $"{Hongta4}&status=closed", "requests", gets)).EnumerateArray(),
            r => r.GetProperty("service_request_id").GetString() == number);

        // FixMyStreet's poll for updates: each step of the timeline, the last one closing it with the station's reason.
        var updates = (await GetBothAsync(client, "servicerequestupdates", $"{Hongta4}&api_key={HongtaKey}&{window}", "service-request-updates", gets))
            .EnumerateArray().Where(u => u.GetProperty("service_request_id").GetString() == number).ToList();
        Assert.True(updates.Count >= 2, $"{updates.Count} updates");
        Assert.All(updates[..^1], u => Assert.Equal("open", u.GetProperty("status").GetString()));
        Assert.Equal("closed", updates[^1].GetProperty("status").GetString());
        Assert.Contains("不属于志愿服务范围", updates[^1].GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(updates.Count, updates.Select(u => u.GetProperty("update_id").GetString()).Distinct().Count());
        await ErrorBothAsync(client, HttpMethod.Get, "servicerequestupdates", Hongta4, HttpStatusCode.Forbidden, "api_key");

        Assert.All(gets, body =>
        {
            Assert.DoesNotContain(phone, body, StringComparison.Ordinal);
            Assert.DoesNotContain("王小明", body, StringComparison.Ordinal);
            Assert.DoesNotContain("wangxm@example.org", body, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_free_text_request_by_a_residents_phone_is_theirs_to_cancel_and_then_reads_closed(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var platform = await host.WithDbAsync(db => db.Platforms.IgnoreQueryFilters()
            .Where(p => p.IsActive && db.Districts.IgnoreQueryFilters().Any(d => d.Id == p.DistrictId && d.Code == HongtaCode))
            .OrderBy(p => p.SortOrder).Select(p => p.Id).FirstAsync());
        var residentPhone = TestHost.Phone(Hongta, "20");

        // JSON this time, an address and no point, no jurisdiction_id: the key decides the district.
        using var posted = await PostFormAsync(client, "json",
        [
            ("api_key", HongtaKey), ("service_code", $"platform-{platform}"), ("address_string", "红塔区聂耳路 12 号 3 单元"),
            ("description", "想请志愿者来小区讲讲防诈骗"), ("first_name", "桂兰"), ("last_name", "赵"), ("phone", "+86 " + residentPhone),
            ("attribute[title]", "小区防诈骗宣讲"),
        ]);
        var created = await posted.JsonAsync();
        Assert.True(posted.StatusCode == HttpStatusCode.OK, created.ToString());
        Assert.Equal("application/json", posted.Content.Headers.ContentType?.MediaType);
        AssertValid("request-created", created);
        var number = created[0].GetProperty("service_request_id").GetString()!;
        Assert.Equal(JsonValueKind.Null, created[0].GetProperty("account_id").ValueKind);

        var resident = await host.ClientAsAsync(residentPhone);
        var orderId = await host.WithDbAsync(db => db.Set<Order>().Where(o => o.Number == number && o.Channel == OrderChannel.Open311).Select(o => o.Id).SingleAsync());
        var order = await resident.GetJsonAsync($"/api/v1/orders/{orderId}");
        Assert.Equal("小区防诈骗宣讲", order.GetProperty("title").GetString());
        Assert.Equal("赵桂兰", order.GetProperty("contactName").GetString());
        Assert.Equal(await host.UnitIdAsync(HongtaCode), HolderUnit(order)); // no point: the center takes it
        Assert.Equal("所站集单", Step(order));

        var gets = new List<string>();
        var read = Assert.Single((await GetBothAsync(client, $"requests/{number}", Hongta4, "requests", gets)).EnumerateArray());
        Assert.Equal("open", read.GetProperty("status").GetString());
        Assert.Equal($"platform-{platform}", read.GetProperty("service_code").GetString());
        Assert.Equal("红塔区聂耳路 12 号 3 单元", read.GetProperty("address").GetString());

        await ActAsync(resident, order, "cancel", new { reason = "已经请社区安排了" });
        read = Assert.Single((await GetBothAsync(client, $"requests/{number}", Hongta4, "requests", gets)).EnumerateArray());
        Assert.Equal("closed", read.GetProperty("status").GetString());
        Assert.Equal("已取消", read.GetProperty("status_notes").GetString());

        // The district's feed lists residents' own orders too, at their station's place and without what they wrote.
        var resident2 = await ResidentOrdersAsync(host, Hongta, "帮忙读报给老人听");
        var residentsOwn = Assert.Single((await GetBothAsync(client, $"requests/{resident2.GetProperty("number").GetString()}", Hongta4, "requests", gets)).EnumerateArray());
        Assert.Equal(JsonValueKind.Null, residentsOwn.GetProperty("description").ValueKind);
        Assert.Equal(resident2.GetProperty("place").GetProperty("name").GetString(), residentsOwn.GetProperty("address").GetString());
        Assert.All(gets, body =>
        {
            Assert.DoesNotContain(residentPhone, body, StringComparison.Ordinal);
            Assert.DoesNotContain("赵桂兰", body, StringComparison.Ordinal);
            Assert.DoesNotContain("老人行动不便", body, StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_center_admin_issues_a_partner_a_key_that_files_orders_without_a_phone_until_it_is_revoked(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var station = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01-001")
            .Select(u => new { Lat = u.Latitude!.Value, Lng = u.Longitude!.Value }).SingleAsync());
        var code = (await GetBothAsync(client, "services", Hongta4, "services"))[0].GetProperty("service_code").GetString()!;

        // Only the center admin manages keys; a station admin is refused, and a nameless key is not issued.
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        using (var refused = await stationAdmin.PostJsonAsync("/api/v1/open311/keys", new { name = "城市服务平台" }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var nameless = await center.PostJsonAsync("/api/v1/open311/keys", new { name = " " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        }

        var partner = "玉溪市民服务平台" + Random.Shared.Next(1000, 9999);
        using var issue = new HttpRequestMessage(HttpMethod.Post, "/api/v1/open311/keys") { Content = JsonContent.Create(new { name = partner }) };
        issue.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var issued = await center.SendAsync(issue);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var paths = (await client.GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/open311/keys", out _) && paths.TryGetProperty("/api/v1/open311/keys/{keyId}/revoke", out _));
        var body = await issued.JsonAsync();
        var apiKey = body.GetProperty("apiKey").GetString()!;
        var keyId = body.GetProperty("key").GetProperty("id").GetGuid();
        Assert.StartsWith("wm311-", apiKey, StringComparison.Ordinal);
        Assert.True(apiKey.Length >= 38);
        // Listed by name, never with the key itself; stored only as its hash.
        var listed = await center.GetStringAsync("/api/v1/open311/keys");
        Assert.Contains(partner, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, listed, StringComparison.Ordinal);
        Assert.Equal(0, await host.WithDbAsync(db => db.Set<Open311Key>().IgnoreQueryFilters().CountAsync(k => k.KeyHash == apiKey)));
        // Not even the idempotency store keeps the answer that held it.
        var kept = await host.WithDbAsync(db => db.Set<Wenming.Web.Infrastructure.Idempotency.IdempotencyRecord>().Where(r => r.Body != null).Select(r => r.Body!).ToListAsync());
        Assert.DoesNotContain(kept, b => System.Text.Encoding.UTF8.GetString(b).Contains(apiKey, StringComparison.Ordinal));
        // Another district's center admin does not see it, and cannot revoke it.
        var jiulongpo = await host.ClientAsAsync(TestHost.Phone(1, "00"));
        Assert.DoesNotContain(partner, await jiulongpo.GetStringAsync("/api/v1/open311/keys"), StringComparison.Ordinal);
        using (var foreign = await jiulongpo.PostJsonAsync($"/api/v1/open311/keys/{keyId}/revoke", new { }))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        // A FixMyStreet user who gave no phone: the order is placed in Hongta's workflow with no phone and no SMS, and the
        // partner follows it by its number.
        var title = "小区路灯不亮" + Random.Shared.Next(1000, 9999);
        var sentBefore = host.Sms.Sent.Count;
        List<(string, string)> fields =
        [
            ("jurisdiction_id", HongtaCode), ("api_key", apiKey), ("service_code", code), ("description", title), ("first_name", "Alex"),
            ("last_name", "Smith"), ("email", "alex@example.org"), ("lat", Truncate(station.Lat)), ("long", Truncate(station.Lng)),
        ];
        // A refused request leaves its Idempotency-Key free for the corrected one; the partner then retries that with the same
        // key (its first answer was lost): one order, the same answer.
        var idempotencyKey = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> PostOnceAsync(params (string, string)[] extra)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/requests.json")
            {
                Content = new FormUrlEncodedContent(fields.Concat(extra).Select(f => KeyValuePair.Create(f.Item1, f.Item2))),
            };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return await client.SendAsync(request);
        }

        using (var badPhone = await PostOnceAsync(("phone", "12345")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badPhone.StatusCode);
        }

        using var posted = await PostOnceAsync();
        Assert.True(posted.StatusCode == HttpStatusCode.OK, await posted.Content.ReadAsStringAsync());
        var number = (await posted.JsonAsync())[0].GetProperty("service_request_id").GetString()!;
        using (var retried = await PostOnceAsync())
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
            Assert.True(retried.Headers.Contains("Idempotent-Replayed"));
            Assert.Equal(number, (await retried.JsonAsync())[0].GetProperty("service_request_id").GetString());
        }

        var order = await host.WithDbAsync(db => db.Set<Order>().IgnoreQueryFilters().SingleAsync(o => o.Number == number));
        Assert.Equal(("", "Alex Smith", OrderChannel.Open311), (order.ContactPhone, order.ContactName, order.Channel));
        Assert.Equal(sentBefore, host.Sms.Sent.Count);
        Assert.Equal("open", Assert.Single((await GetBothAsync(client, $"requests/{number}", Hongta4, "requests")).EnumerateArray()).GetProperty("status").GetString());

        // Revoked: the next request with it is refused and files nothing; revoking again changes nothing.
        using (var revoked = await center.PostJsonAsync($"/api/v1/open311/keys/{keyId}/revoke", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            Assert.NotEqual(JsonValueKind.Null, (await revoked.JsonAsync()).GetProperty("revokedAt").ValueKind);
        }

        await PostErrorAsync(client, fields, HttpStatusCode.Forbidden, "api_key");
        Assert.Equal(1, await host.WithDbAsync(db => db.Set<Order>().IgnoreQueryFilters().CountAsync(o => o.Description == title)));
        using (var again = await center.PostJsonAsync($"/api/v1/open311/keys/{keyId}/revoke", new { }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(2, await host.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().CountAsync(e => e.TargetId == keyId.ToString())));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_path_the_platform_does_not_serve_gets_the_specs_404_never_a_redirect_with_the_key(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.ClientWithoutRedirects();
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete })
        {
            foreach (var resource in new[] { "no-such-resource", "requests/1/updates", "services/a/b" })
            {
                await ErrorBothAsync(client, method, resource, $"{Hongta4}&api_key={HongtaKey}", HttpStatusCode.NotFound, "本接口没有");
            }
        }

        using var bare = await client.GetAsync($"{Base}/?api_key={HongtaKey}");
        Assert.Equal(HttpStatusCode.NotFound, bare.StatusCode);
        Assert.Null(bare.Headers.Location);
        Assert.Equal("errors", XDocument.Parse(await bare.Content.ReadAsStringAsync()).Root!.Name.LocalName);
        Assert.DoesNotContain(HongtaKey, await bare.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bad_calls_get_the_specs_errors_in_both_formats_and_never_a_500(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var station = await host.WithDbAsync(db => db.Units.Where(u => u.Code == $"{HongtaCode}-01-001")
            .Select(u => new { Lat = u.Latitude!.Value, Lng = u.Longitude!.Value }).SingleAsync());
        var code = (await GetBothAsync(client, "services", Hongta4, "services"))[0].GetProperty("service_code").GetString()!;
        var phone = NewPhone();
        List<(string, string)> Good(params (string Key, string? Value)[] changes)
        {
            var fields = new Dictionary<string, string?>
            {
                ["jurisdiction_id"] = HongtaCode,
                ["api_key"] = HongtaKey,
                ["service_code"] = code,
                ["lat"] = Truncate(station.Lat),
                ["long"] = Truncate(station.Lng),
                ["description"] = "测试",
                ["first_name"] = "测试",
                ["phone"] = phone,
            };
            foreach (var (key, value) in changes)
            {
                fields[key] = value;
            }

            return [.. fields.Where(f => f.Value is not null).Select(f => (f.Key, f.Value!))];
        }

        await PostErrorAsync(client, Good(("api_key", "not-a-key")), HttpStatusCode.Forbidden, "api_key");
        await PostErrorAsync(client, Good(("api_key", null)), HttpStatusCode.Forbidden, "api_key");
        // Jiulongpo's key is real, but not Hongta's.
        await PostErrorAsync(client, Good(("api_key", $"demo-open311-{JiulongpoCode}")), HttpStatusCode.Forbidden, "api_key");
        await PostErrorAsync(client, Good(("jurisdiction_id", "999999")), HttpStatusCode.NotFound, "jurisdiction_id");
        await PostErrorAsync(client, Good(("lat", null), ("long", null)), HttpStatusCode.BadRequest, "lat");
        await PostErrorAsync(client, Good(("long", null)), HttpStatusCode.BadRequest, "lat");
        await PostErrorAsync(client, Good(("lat", "north"), ("long", "east")), HttpStatusCode.BadRequest, "lat");
        await PostErrorAsync(client, Good(("lat", null), ("long", null), ("address_id", "545483")), HttpStatusCode.BadRequest, "address_id");
        await PostErrorAsync(client, Good(("lat", "51.5074"), ("long", "-0.1278")), HttpStatusCode.BadRequest, "lat"); // London: not Hongta
        await PostErrorAsync(client, Good(("phone", "12345")), HttpStatusCode.BadRequest, "phone");
        await PostErrorAsync(client, Good(("service_code", "no-such-service")), HttpStatusCode.NotFound, "service_code");
        await PostErrorAsync(client, Good(("service_code", null)), HttpStatusCode.BadRequest, "service_code");
        await PostErrorAsync(client, Good(("attribute[wanted_time]", "next tuesday")), HttpStatusCode.BadRequest, "attribute[wanted_time]");
        await PostErrorAsync(client, Good(("attribute[wanted_time]", "2020-01-01T09:00:00+08:00")), HttpStatusCode.BadRequest, "attribute[wanted_time]");
        await PostErrorAsync(client, Good(("description", new string('长', 4001))), HttpStatusCode.BadRequest, "description");
        // Several problems at once: each is named.
        var several = await PostErrorAsync(client, Good(("phone", "12345"), ("lat", null), ("long", null)), HttpStatusCode.BadRequest, "lat");
        Assert.Contains(several, d => d.StartsWith("phone", StringComparison.Ordinal));
        using (var json = await client.PostAsync($"{Base}/requests.json", new StringContent("{\"api_key\":\"x\"}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
            AssertValid("errors", await json.JsonAsync());
        }

        Assert.Equal(0, await host.WithDbAsync(db => db.Set<Order>().IgnoreQueryFilters().CountAsync(o => o.ContactPhone == phone)));

        // Beyond the intake queue (here one request at a time and none waiting), a partner's request is refused with the
        // spec's error document and Retry-After, in the format it asked for; nothing of it is saved. The first request holds
        // the one place while its confirmation SMS is held, so the others arrive while it is taken.
        var sms = new HoldingSmsSender();
        using (var strict = host.WithOneOrderAtATime(sms))
        {
            using var partner = strict.CreateClient();
            var busyPhone = NewPhone();
            var first = PostFormAsync(partner, "json", Good(("phone", busyPhone)));
            HttpResponseMessage[] refused;
            try
            {
                await sms.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
                refused = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => PostFormAsync(partner, i % 2 == 0 ? "json" : "xml", Good(("phone", busyPhone)))));
            }
            finally
            {
                sms.LetGo.TrySetResult();
            }

            using (var placed = await first)
            {
                Assert.Equal(HttpStatusCode.OK, placed.StatusCode);
            }

            Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
            foreach (var (r, i) in refused.Select((r, i) => (r, i)))
            {
                Assert.True(r.Headers.Contains("Retry-After"));
                if (i % 2 == 0)
                {
                    AssertValid("errors", await r.JsonAsync());
                }
                else
                {
                    Assert.Equal("errors", XDocument.Parse(await r.Content.ReadAsStringAsync()).Root!.Name.LocalName);
                }

                r.Dispose();
            }

            Assert.Equal(1, await host.WithDbAsync(db => db.Set<Order>().IgnoreQueryFilters().CountAsync(o => o.ContactPhone == busyPhone)));
        }

        // A good call with the same fields does go through: the refusals above were for what each one changed.
        using (var good = await PostFormAsync(client, "json", Good()))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        await ErrorBothAsync(client, HttpMethod.Get, "services", "", HttpStatusCode.BadRequest, "jurisdiction_id"); // five districts: which one?
        await ErrorBothAsync(client, HttpMethod.Get, "services", "jurisdiction_id=999999", HttpStatusCode.NotFound, "jurisdiction_id");
        await ErrorBothAsync(client, HttpMethod.Get, "services", $"{Hongta4}&api_key=demo-open311-{JiulongpoCode}", HttpStatusCode.Forbidden, "api_key");
        await ErrorBothAsync(client, HttpMethod.Get, "services/platform-00000000-0000-0000-0000-000000000000", Hongta4, HttpStatusCode.NotFound, "service_code");
        await ErrorBothAsync(client, HttpMethod.Get, "requests/NOSUCHNUMBER", Hongta4, HttpStatusCode.NotFound, "service_request_id");
        await ErrorBothAsync(client, HttpMethod.Get, "requests", $"{Hongta4}&status=pending", HttpStatusCode.BadRequest, "status");
        await ErrorBothAsync(client, HttpMethod.Get, "requests", $"{Hongta4}&start_date=yesterday", HttpStatusCode.BadRequest, "start_date");
        await ErrorBothAsync(client, HttpMethod.Get, "requests", $"{Hongta4}&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            HttpStatusCode.BadRequest, "start_date");
        await ErrorBothAsync(client, HttpMethod.Get, "requests", $"{Hongta4}&start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z",
            HttpStatusCode.BadRequest, "end_date");
        using var html = await client.GetAsync($"{Base}/services.html?{Hongta4}");
        Assert.Equal(HttpStatusCode.NotFound, html.StatusCode);
        Assert.Equal("errors", XDocument.Parse(await html.Content.ReadAsStringAsync()).Root!.Name.LocalName);
    }

    private static string NewPhone() => $"139{Random.Shared.Next(10_000_000, 99_999_999)}";

    /// <summary>Open311.pm's Utils::truncate_coordinate: six decimal places.</summary>
    private static string Truncate(double coordinate) => coordinate.ToString("0.######", CultureInfo.InvariantCulture);

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string format, IEnumerable<(string Key, string Value)> fields)
    {
        var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        return await client.PostAsync($"{Base}/requests.{format}", content);
    }

    /// <summary>The same refused POST as XML and as JSON: the status, the error document, the field named first.</summary>
    private static async Task<IReadOnlyList<string>> PostErrorAsync(HttpClient client, List<(string, string)> fields, HttpStatusCode status, string field)
    {
        using var xml = await PostFormAsync(client, "xml", fields);
        var fromXml = await AssertErrorAsync(xml, "xml", status, field);
        using var json = await PostFormAsync(client, "json", fields);
        var fromJson = await AssertErrorAsync(json, "json", status, field);
        Assert.Equal(fromXml, fromJson);
        return fromJson;
    }

    private static async Task ErrorBothAsync(HttpClient client, HttpMethod method, string resource, string query, HttpStatusCode status, string field)
    {
        using var xml = await client.SendAsync(new HttpRequestMessage(method, $"{Base}/{resource}.xml?{query}"));
        var fromXml = await AssertErrorAsync(xml, "xml", status, field);
        using var json = await client.SendAsync(new HttpRequestMessage(method, $"{Base}/{resource}.json?{query}"));
        Assert.Equal(fromXml, await AssertErrorAsync(json, "json", status, field));
    }

    private static async Task<IReadOnlyList<string>> AssertErrorAsync(HttpResponseMessage response, string format, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.DoesNotContain("General service error", text, StringComparison.Ordinal);
        List<(int Code, string Description)> errors;
        if (format == "xml")
        {
            Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
            var root = XDocument.Parse(text).Root!;
            Assert.Equal("errors", root.Name.LocalName);
            errors = [.. root.Elements("error").Select(e => (int.Parse(e.Element("code")!.Value, CultureInfo.InvariantCulture), e.Element("description")!.Value))];
        }
        else
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            var json = JsonDocument.Parse(text).RootElement.Clone();
            AssertValid("errors", json);
            errors = [.. json.EnumerateArray().Select(e => (e.GetProperty("code").GetInt32(), e.GetProperty("description").GetString()!))];
        }

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal((int)status, e.Code));
        Assert.True(errors[0].Description.StartsWith(field, StringComparison.Ordinal), $"the first error should name {field}: {text}");
        return [.. errors.Select(e => e.Description)];
    }

    /// <summary>
    /// GETs a resource as .json and as .xml: the JSON must satisfy its schema, the XML must read (by the Spark convention) as
    /// the same JSON, field for field and in the same order. Returns the JSON; keeps both bodies in <paramref name="bodies"/>.
    /// </summary>
    private static async Task<JsonElement> GetBothAsync(HttpClient client, string resource, string query, string schema, List<string>? bodies = null)
    {
        using var json = await client.GetAsync($"{Base}/{resource}.json?{query}");
        var jsonText = await json.Content.ReadAsStringAsync();
        Assert.True(json.StatusCode == HttpStatusCode.OK, $"{resource}.json: {(int)json.StatusCode} {jsonText}");
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", json.Content.Headers.ContentType?.CharSet);
        var parsed = JsonDocument.Parse(jsonText).RootElement.Clone();
        AssertValid(schema, parsed);

        using var xml = await client.GetAsync($"{Base}/{resource}.xml?{query}");
        var xmlText = await xml.Content.ReadAsStringAsync();
        Assert.True(xml.StatusCode == HttpStatusCode.OK, $"{resource}.xml: {(int)xml.StatusCode} {xmlText}");
        Assert.Equal("text/xml", xml.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", xml.Content.Headers.ContentType?.CharSet);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", xmlText, StringComparison.Ordinal);
        AssertSame(Spark(XDocument.Parse(xmlText).Root!), parsed, resource);
        bodies?.AddRange([jsonText, xmlText]);
        return parsed;
    }

    /// <summary>Containers that may be empty: Spark cannot tell an empty list from an empty value, the spec's structure can.</summary>
    private static readonly HashSet<string> Lists = ["services", "attributes", "values", "service_requests", "service_request_updates", "endpoints", "formats", "errors"];

    /// <summary>The Spark convention: an element whose children are all of one name is an array; of several names, an object.</summary>
    private static JsonNode? Spark(XElement element)
    {
        var children = element.Elements().ToList();
        if (children.Count == 0)
        {
            return Lists.Contains(element.Name.LocalName) ? new JsonArray() : element.Value.Length == 0 ? null : JsonValue.Create(element.Value);
        }

        if (children.Select(c => c.Name).Distinct().Count() == 1)
        {
            return new JsonArray([.. children.Select(Spark)]);
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj.Add(child.Name.LocalName, Spark(child));
        }

        return obj;
    }

    private static void AssertSame(JsonNode? fromXml, JsonElement json, string path)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Array:
                var array = Assert.IsType<JsonArray>(fromXml, exactMatch: false);
                Assert.True(array.Count == json.GetArrayLength(), $"{path}: {array.Count} in XML, {json.GetArrayLength()} in JSON");
                for (var i = 0; i < array.Count; i++)
                {
                    AssertSame(array[i], json[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Object:
                var obj = Assert.IsType<JsonObject>(fromXml, exactMatch: false);
                Assert.Equal(json.EnumerateObject().Select(p => p.Name), obj.Select(p => p.Key));
                foreach (var p in json.EnumerateObject())
                {
                    AssertSame(obj[p.Name], p.Value, $"{path}.{p.Name}");
                }

                break;
            case JsonValueKind.Null:
                Assert.True(fromXml is null, $"{path}: null in JSON, '{fromXml}' in XML");
                break;
            case JsonValueKind.Number:
                Assert.True(fromXml is not null, $"{path}: a number in JSON, empty in XML");
                Assert.Equal(json.GetDouble(), double.Parse(fromXml.GetValue<string>(), CultureInfo.InvariantCulture));
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.Equal(json.GetBoolean() ? "true" : "false", fromXml?.GetValue<string>());
                break;
            default:
                // An empty string and an empty element are the same to XML.
                Assert.Equal(json.GetString(), fromXml?.GetValue<string>() ?? "");
                break;
        }
    }

    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new();

    private static void AssertValid(string name, JsonElement json)
    {
        var schema = Schemas.GetOrAdd(name, n => JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Orders", "Open311Schemas", n + ".json"))));
        var result = schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{name}.json schema: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))) + "\n" + json);
    }
}
