using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Accounts;

public sealed partial class SignInTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_password_login_returns_a_token_that_reads_me_with_roles_on_units(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();

        using var login = await client.PostJsonAsync("/api/v1/auth/login", new { phone = "138 0400 0002", password = "Demo#2026" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.JsonAsync();
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.EndsWith("+08:00", body.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        var me = await client.GetJsonAsync("/api/v1/me");
        Assert.Equal("13804000002", me.GetProperty("phone").GetString());
        Assert.Equal(HongtaCode, me.GetProperty("district").GetProperty("code").GetString());
        var role = Assert.Single(me.GetProperty("roles").EnumerateArray());
        Assert.Equal("站管理员", role.GetProperty("roleName").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_wrong_password_is_401_and_audited_and_no_token_means_401(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();

        using var wrong = await client.PostJsonAsync("/api/v1/auth/login", new { phone = TestHost.Phone(5, "20"), password = "wrong-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("手机号或密码错误", (await wrong.JsonAsync()).GetProperty("detail").GetString());
        Assert.True(await host.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "login.failed" && a.ActorPhone == "138****0020")));

        using var anonymous = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_sms_code_signs_in_once_and_only_once(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var phone = TestHost.Phone(3, "11");

        using var sent = await client.PostJsonAsync("/api/v1/auth/sms-code", new { phone });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var text = host.Sms.Sent.Last(s => s.Phone == phone).Text;
        var code = SixDigits().Match(text).Value;

        using var again = await client.PostJsonAsync("/api/v1/auth/sms-code", new { phone });
        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);

        using var wrong = await client.PostJsonAsync("/api/v1/auth/login-sms", new { phone, code = code == "000000" ? "111111" : "000000" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var ok = await client.PostJsonAsync("/api/v1/auth/login-sms", new { phone, code });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var replay = await client.PostJsonAsync("/api/v1/auth/login-sms", new { phone, code });
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_unknown_phone_gets_the_same_sms_answer_and_no_message(string provider)
    {
        var host = TestHosts.Get(provider);
        using var client = host.CreateClient();
        var before = host.Sms.Sent.Count;

        using var response = await client.PostJsonAsync("/api/v1/auth/sms-code", new { phone = "13999999999" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before, host.Sms.Sent.Count);
    }

    [GeneratedRegex("[0-9]{6}")]
    private static partial Regex SixDigits();
}
