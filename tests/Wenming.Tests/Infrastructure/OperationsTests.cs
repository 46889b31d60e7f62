using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Operations;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Infrastructure;

/// <summary>What an operator and a load balancer rely on: the health endpoints, the security headers, the content root.</summary>
public sealed class OperationsTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Health_answers_anyone_with_a_status_word_and_nothing_else(string provider)
    {
        using var anonymous = TestHosts.Get(provider).CreateClient();
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }
    }

    [Fact]
    public async Task Readiness_fails_when_the_database_cannot_be_reached()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"wenming-missing-{Guid.NewGuid():N}", "wenming.db");
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={missing};Mode=ReadWrite").Options;
        await using var db = new SqliteAppDbContext(options);

        var result = await new DatabaseReachable(db).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task A_page_an_API_answer_a_refusal_and_a_static_file_carry_the_security_headers()
    {
        var host = TestHosts.Get("Sqlite");
        using var anonymous = host.CreateClient();
        using var signedIn = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var answers = new (string What, HttpResponseMessage Response)[]
        {
            ("page", await anonymous.GetAsync("/Accounts/Login")),
            ("API answer", await signedIn.GetAsync("/api/v1/me")),
            ("API refusal", await anonymous.GetAsync("/api/v1/me")),
            ("not found", await signedIn.GetAsync($"/api/v1/units/{Guid.NewGuid()}")),
            ("static file", await anonymous.GetAsync("/css/site.css")),
            ("health", await anonymous.GetAsync("/health/ready")),
        };

        foreach (var (what, response) in answers)
        {
            using (response)
            {
                string Header(string name) => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : $"({name} missing on the {what})";
                Assert.Equal("nosniff", Header("X-Content-Type-Options"));
                Assert.Equal("DENY", Header("X-Frame-Options"));
                Assert.Equal("same-origin", Header("Referrer-Policy"));
                var policy = Header("Content-Security-Policy");
                Assert.Equal(SecurityHeaders.Policy, policy);
                Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
                Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
                Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void The_content_root_is_the_app_s_folder_unless_set_or_started_in_the_project()
    {
        var elsewhere = Directory.CreateTempSubdirectory("wenming-cwd-");
        try
        {
            Assert.Equal(AppContext.BaseDirectory, ContentRoot.For([], elsewhere.FullName));
            Assert.Null(ContentRoot.For(["--contentRoot", "/srv/wenming"], elsewhere.FullName));
            Assert.Null(ContentRoot.For(["--contentroot=/srv/wenming"], elsewhere.FullName));

            File.WriteAllText(Path.Combine(elsewhere.FullName, "Wenming.Web.csproj"), "<Project />");
            Assert.Null(ContentRoot.For([], elsewhere.FullName));
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }
}
