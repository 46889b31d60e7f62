using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Records;

/// <summary>Certificates for everyone who served in an activity, or for a team's members, issued in one go as a zip.</summary>
public sealed class BulkCertificateTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    /// <summary>A past demo activity of Hongta's first institute and the volunteers who hold records of it.</summary>
    internal static async Task<(Guid Activity, int Volunteers)> DemoActivityAsync(TestHost host)
    {
        await RecordTests.DispatchAsync(host);
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        return await host.WithDbAsync(async db =>
        {
            var best = await db.Set<ServiceRecord>().Where(r => r.Source == RecordSource.Activity && r.OrganizerUnitId == institute)
                .GroupBy(r => r.SourceId).Select(g => new { Id = g.Key, Volunteers = g.Select(r => r.VolunteerId).Distinct().Count() })
                .OrderByDescending(g => g.Volunteers).FirstAsync();
            return (best.Id, best.Volunteers);
        });
    }

    /// <summary>Polls the job the way the page does until it is done (a minute at most).</summary>
    internal static async Task<JsonElement> WaitAsync(HttpClient client, Uri location)
    {
        for (var i = 0; i < 600; i++)
        {
            var job = await client.GetJsonAsync(location.ToString());
            if (job.GetProperty("done").GetBoolean())
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{location} did not finish within a minute");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_issues_the_certificates_of_an_activitys_volunteers_as_one_zip_with_progress(string provider)
    {
        var host = TestHosts.Get(provider);
        var (activity, volunteers) = await DemoActivityAsync(host);
        Assert.True(volunteers >= 2, $"{volunteers} volunteers served in the demo activity");
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));

        using var started = await admin.PostJsonAsync("/api/v1/certificates/bulk", new { activityId = activity });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var first = await started.JsonAsync();
        Assert.Equal(volunteers, first.GetProperty("total").GetInt32());
        var job = await WaitAsync(admin, started.Headers.Location!);
        Assert.Equal(volunteers, job.GetProperty("processed").GetInt32());
        Assert.Equal(volunteers, job.GetProperty("issued").GetInt32());
        Assert.Empty(job.GetProperty("skipped").EnumerateArray());

        var zipUrl = job.GetProperty("zipUrl").GetString()!;
        using var download = await admin.GetAsync(zipUrl);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.Equal(volunteers, zip.Entries.Count);
        foreach (var entry in zip.Entries)
        {
            Assert.EndsWith(".pdf", entry.Name, StringComparison.Ordinal);
            await using var pdf = entry.Open();
            var head = new byte[5];
            await pdf.ReadExactlyAsync(head);
            Assert.Equal("%PDF-"u8.ToArray(), head);
            Assert.InRange(entry.Length, 1, 1024 * 1024);
        }

        // Each certificate is the one the volunteer's page would give: asking again issues nothing new.
        var served = await host.WithDbAsync(db => db.Set<ServiceRecord>().Where(r => r.SourceId == activity).Select(r => r.VolunteerId).Distinct().ToListAsync());
        var count = await host.WithDbAsync(db => db.Set<Certificate>().CountAsync(c => served.Contains(c.VolunteerId)));
        using (var again = await admin.PostJsonAsync("/api/v1/certificates/bulk", new { activityId = activity }))
        {
            await WaitAsync(admin, again.Headers.Location!);
        }

        Assert.Equal(count, await host.WithDbAsync(db => db.Set<Certificate>().CountAsync(c => served.Contains(c.VolunteerId))));

        // The job is the admin's own: another admin, even above, does not find it; a volunteer cannot start one.
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        using (var other = await center.GetAsync(zipUrl))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        using (var refused = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "11"))).PostJsonAsync("/api/v1/certificates/bulk", new { activityId = activity }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // To a station admin of another institute, and to another district, the activity does not exist.
        using (var sibling = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "03"))).PostJsonAsync("/api/v1/certificates/bulk", new { activityId = activity }))
        {
            Assert.Equal(HttpStatusCode.NotFound, sibling.StatusCode);
        }

        using (var elsewhere = await (await host.ClientAsAsync(TestHost.Phone(1, "00"))).PostJsonAsync("/api/v1/certificates/bulk", new { activityId = activity }))
        {
            Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        }

        using var nothing = await admin.PostJsonAsync("/api/v1/certificates/bulk", new { });
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Contains("请选择一项活动或一支队伍", await nothing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_teams_members_without_service_in_the_period_are_listed_with_the_reason(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var team = await host.WithDbAsync(db => db.Set<Wenming.Web.Features.Teams.Team>().Where(t => t.UnitId == station)
            .Where(t => db.Set<Wenming.Web.Features.Teams.TeamMember>().Any(m => m.TeamId == t.Id && m.Status == Wenming.Web.Features.Teams.MembershipStatus.Member))
            .Select(t => t.Id).FirstAsync());

        // A period long ago: nobody served then, so every member is listed as skipped and no zip is made.
        using var started = await admin.PostJsonAsync("/api/v1/certificates/bulk", new { teamId = team, from = "2001-01-01", to = "2001-12-31" });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = await WaitAsync(admin, started.Headers.Location!);
        var total = job.GetProperty("total").GetInt32();
        Assert.True(total >= 1);
        Assert.Equal(total, job.GetProperty("processed").GetInt32());
        Assert.Equal(0, job.GetProperty("issued").GetInt32());
        Assert.Equal(total, job.GetProperty("skipped").GetArrayLength());
        // Members from elsewhere (other tests add some) are listed as not in the admin's charge.
        Assert.All(job.GetProperty("skipped").EnumerateArray(), s => Assert.Contains(s.GetProperty("message").GetString(),
            new[] { "所选期间没有已确认的服务记录", "这位志愿者不在您管理的范围内，由其所在单位开具" }));
        Assert.Equal(JsonValueKind.Null, job.GetProperty("zipUrl").ValueKind);
        Assert.False(string.IsNullOrEmpty(job.GetProperty("failure").GetString()));
    }
}
