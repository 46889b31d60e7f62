using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Volunteers;

/// <summary>
/// Plants a volunteer with a known ID number and phone, then requests every GET page, API response and export as each
/// demo role that is not that volunteer, and looks for the planted values anywhere in what comes back (xlsx unpacked).
/// </summary>
public sealed class PersonalDataScannerTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task No_page_response_or_export_shows_a_planted_ID_number_or_phone_to_anyone_but_its_owner(string provider)
    {
        var host = TestHosts.Get(provider);
        var (owner, phone) = await VolunteerApiTests.NewResidentAsync(host);
        var idNumber = VolunteerApiTests.NewIdNumber();
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var name = PersonName("扫描");
        using var registered = await owner.PostJsonAsync("/api/v1/volunteers", new
        {
            name,
            idNumber,
            homeUnitId = station,
            emergencyContactName = "家属",
            emergencyContactPhone = phone,
        });
        var volunteerId = (await registered.JsonAsync()).GetProperty("id").GetGuid();
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        (await stationAdmin.PostAsync($"/api/v1/volunteers/{volunteerId}/approve", null)).EnsureSuccessStatusCode();

        // Into the station's squad, so team pages list them too.
        var teams = await owner.GetJsonAsync($"/api/v1/teams?unit={station}");
        var teamId = teams.GetProperty("items")[0].GetProperty("id").GetGuid();
        owner = await FreshClientAsync(host, phone);
        using var joined = await owner.PostAsync($"/api/v1/teams/{teamId}/join", null);
        var memberId = (await joined.JsonAsync()).GetProperty("id").GetGuid();
        (await stationAdmin.PostAsync($"/api/v1/teams/{teamId}/members/{memberId}/accept", null)).EnsureSuccessStatusCode();

        // The owner does see their own data: the scanner can find what it looks for.
        Assert.Contains(idNumber, await owner.GetStringAsync("/api/v1/volunteers/me"), StringComparison.Ordinal);

        var urls = PolicyTests.MappedEndpoints(host).Where(k => k.StartsWith("GET ", StringComparison.Ordinal))
            .Select(k => k[4..]).Where(p => !p.Contains("import-jobs", StringComparison.Ordinal) && !p.StartsWith("/api/docs", StringComparison.Ordinal)
                                            && !p.StartsWith("/openapi", StringComparison.Ordinal) && !p.Contains("/me", StringComparison.Ordinal))
            .Select(p => Url(p, station, volunteerId, teamId, name)).ToList();
        var leaks = new List<string>();
        var scanned = 0;
        foreach (var suffix in new[] { "00", "01", "02", "03", "10", "11", "20", "30", "40" })
        {
            var client = await host.ClientAsAsync(TestHost.Phone(Hongta, suffix));
            foreach (var url in urls)
            {
                using var response = await client.GetAsync(url);
                var text = await TextOfAsync(response);
                scanned++;
                if (text.Contains(idNumber, StringComparison.OrdinalIgnoreCase) || text.Contains(phone, StringComparison.Ordinal))
                {
                    leaks.Add($"{suffix} {url} ({(int)response.StatusCode})");
                }
            }
        }

        Assert.True(urls.Count > 30, $"only {urls.Count} URLs to scan");
        Assert.Equal(urls.Count * 9, scanned);
        // The person is on the admin's pages, masked: the scan looked where they are.
        var listed = await stationAdmin.GetStringAsync($"/api/v1/volunteers?search={Uri.EscapeDataString(name)}");
        Assert.Contains(Wenming.Web.Features.Volunteers.IdNumbers.Mask(idNumber), listed, StringComparison.Ordinal);
        Assert.True(leaks.Count == 0, "Unmasked personal data in: " + string.Join(", ", leaks));
    }

    private static async Task<HttpClient> FreshClientAsync(TestHost host, string phone)
    {
        // The cached token predates the volunteer role; sign in again so the new role counts.
        var client = host.CreateClient();
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { phone, password = "Demo#2026" });
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.JsonAsync()).GetProperty("accessToken").GetString());
        return client;
    }

    private static string Url(string pattern, Guid station, Guid volunteer, Guid team, string name)
    {
        var path = pattern.Replace("{list}", "skill", StringComparison.Ordinal);
        if (path.StartsWith("/api/v1/volunteers/{id}", StringComparison.Ordinal))
        {
            return path.Replace("{id}", volunteer.ToString(), StringComparison.Ordinal);
        }

        if (path.StartsWith("/api/v1/teams/{id}", StringComparison.Ordinal))
        {
            return path.Replace("{id}", team.ToString(), StringComparison.Ordinal);
        }

        path = path.Replace("{id}", station.ToString(), StringComparison.Ordinal);
        return path switch
        {
            "/Organization/Edit" => $"{path}?id={station}",
            "/Teams/Detail" => $"{path}?id={team}",
            "/Volunteers" => $"{path}?status=Active&q={Uri.EscapeDataString(name)}",
            "/api/v1/volunteers" => $"{path}?search={Uri.EscapeDataString(name)}",
            "/api/v1/volunteers/export" => $"{path}?status=Active",
            "/api/v1/audit" => $"{path}?pageSize=200",
            _ when path.StartsWith("/Organization", StringComparison.Ordinal) => $"{path}?unit={station}",
            _ => path,
        };
    }

    /// <summary>The body as text; an .xlsx is unpacked and all its XML parts read.</summary>
    private static async Task<string> TextOfAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (bytes.Length > 4 && bytes[0] == 'P' && bytes[1] == 'K')
        {
            using var zip = new ZipArchive(new MemoryStream(bytes));
            var all = new StringBuilder();
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                all.Append(await reader.ReadToEndAsync());
            }

            return all.ToString();
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
