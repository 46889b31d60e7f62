using System.Net;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Pages;

public sealed class LanguageTests
{
    [Fact]
    public async Task Pages_are_Chinese_by_default_and_English_on_request()
    {
        var host = TestHosts.Get("Sqlite");
        var client = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));

        var chinese = await client.GetStringAsync("/");
        Assert.Contains("组织架构", chinese);
        Assert.Contains("lang=\"zh-CN\"", chinese);

        var english = await client.GetStringAsync("/?culture=en");
        Assert.Contains("lang=\"en\"", english);
        Assert.Contains("Organisation", english);
        Assert.DoesNotContain("待办事项", english);
    }

    [Fact]
    public async Task A_page_refused_to_a_role_is_audited()
    {
        var host = TestHosts.Get("Sqlite");
        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        var me = await resident.GetJsonAsync("/api/v1/me");

        using var response = await resident.GetAsync("/Audit");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var userId = me.GetProperty("id").GetGuid();
        Assert.True(await host.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "permission.refused" && a.ActorUserId == userId && a.Detail!.Contains("/Audit"))));
    }
}
