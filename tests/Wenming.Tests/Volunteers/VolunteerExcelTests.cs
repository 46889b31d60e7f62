using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Volunteers;

public sealed class VolunteerExcelTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    internal static Dictionary<string, object?> Row(string name, string idNumber, string phone, string station) => new()
    {
        ["姓名"] = name,
        ["身份证号"] = idNumber,
        ["手机号"] = phone,
        ["所属实践站编码"] = station,
        ["性别"] = "",
        ["政治面貌"] = "群众",
        ["学历"] = "高中",
        ["职业"] = "",
        ["技能特长"] = "急救",
        ["服务意向"] = "社区服务",
        ["紧急联系人"] = "",
        ["紧急联系电话"] = "",
    };

    internal static MultipartFormDataContent Upload(IEnumerable<Dictionary<string, object?>> rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows, sheetName: "志愿者");
        return new MultipartFormDataContent { { new ByteArrayContent(stream.ToArray()), "file", "volunteers.xlsx" } };
    }

    internal static async Task<JsonElement> WaitAsync(HttpClient client, HttpResponseMessage started)
    {
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var url = started.Headers.Location!.ToString();
        for (var i = 0; i < 1_800; i++)
        {
            var job = await client.GetJsonAsync(url);
            if (job.GetProperty("done").GetBoolean())
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the import did not finish in 3 minutes");
    }

    /// <summary>A district's own roster (<see cref="DistrictRoster"/>): the good rows in, the bad ones out to a workbook that round-trips.</summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_districts_own_roster_of_ten_thousand_rows_imports_and_its_error_workbook_round_trips(string provider)
    {
        const int total = 10_000;
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var (rows, fixes, ambiguousCode, block) = await DistrictRoster.ArrangeAsync(host, admin, total);

        using var started = await admin.PostAsync("/api/v1/volunteers/import?mode=valid", Upload(rows));
        var job = await WaitAsync(admin, started);
        Assert.True(job.GetProperty("committed").GetBoolean(), job.ToString());
        Assert.Equal(total, job.GetProperty("rowsRead").GetInt32());
        Assert.Equal(fixes.Count, job.GetProperty("failedRows").GetInt32());
        Assert.Equal(total - fixes.Count, job.GetProperty("imported").GetInt32());
        Assert.True(job.GetProperty("warningCount").GetInt32() >= total - fixes.Count, "free skills are noted");
        Assert.Contains(job.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains(ambiguousCode, StringComparison.Ordinal));
        var kept = await host.WithDbAsync(db => db.Set<Volunteer>().Where(v => v.Phone.StartsWith(block)).Select(v => v.Skills).ToListAsync());
        Assert.Equal(total - fixes.Count, kept.Count);
        Assert.Contains(kept, s => s.Contains("广场舞"));

        // The error workbook: every refused row as written, with its reasons; the clerk corrects them there and imports it.
        using var download = await admin.GetAsync(job.GetProperty("errorWorkbookUrl").GetString()!);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var failed = (await download.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>()
            .Select(r => r.ToDictionary(c => c.Key, c => c.Value)).ToList();
        Assert.Equal(fixes.Count, failed.Count);
        Assert.All(failed, r => Assert.False(string.IsNullOrWhiteSpace(r["错误原因"] as string)));
        var byPhone = rows.ToDictionary(r => (string)r["手机号"]!);
        foreach (var row in failed)
        {
            var phone = Convert.ToString(row["手机号"], System.Globalization.CultureInfo.InvariantCulture)!;
            Assert.Equal(byPhone[phone]["身份证号"], row["身份证号"]);
            Assert.Equal(byPhone[phone]["姓名"], row["姓名"]);
            var (column, value) = fixes[phone];
            row[column] = value;
        }

        using var again = await admin.PostAsync("/api/v1/volunteers/import?mode=all", Upload(failed));
        var second = await WaitAsync(admin, again);
        Assert.True(second.GetProperty("committed").GetBoolean(), second.ToString());
        Assert.Equal(0, second.GetProperty("failedRows").GetInt32());
        Assert.Equal(fixes.Count, second.GetProperty("imported").GetInt32());
        Assert.Equal(total, await host.WithDbAsync(db => db.Set<Volunteer>().CountAsync(v => v.Phone.StartsWith(block))));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_station_admins_rows_without_a_station_belong_to_their_station(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var row = Row(PersonName("本站"), VolunteerApiTests.NewIdNumber(), Phone(), "");
        row.Remove("所属实践站编码");
        using var started = await admin.PostAsync("/api/v1/volunteers/import?mode=all", Upload([row]));
        var job = await WaitAsync(admin, started);
        Assert.Equal(1, job.GetProperty("imported").GetInt32());
        var home = await host.WithDbAsync(db => db.Set<Volunteer>().Where(v => v.Phone == (string)row["手机号"]!).Select(v => v.HomeUnit!.Code).SingleAsync());
        Assert.Equal($"{HongtaCode}-01-001", home);

        // An institute admin's must name it.
        var institute = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        using var refused = await institute.PostAsync("/api/v1/volunteers/import?mode=all",
            Upload([Row(PersonName("本所"), VolunteerApiTests.NewIdNumber(), Phone(), "")]));
        var error = Assert.Single((await WaitAsync(institute, refused)).GetProperty("errors").EnumerateArray());
        Assert.Contains("编码或名称", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static string Phone() => $"1350{Random.Shared.Next(1000000, 9999999)}";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task One_bad_row_keeps_the_whole_file_out_unless_the_admin_keeps_the_valid_rows(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var station = $"{HongtaCode}-01-001";
        var good1 = VolunteerApiTests.NewIdNumber();
        var good2 = VolunteerApiTests.NewIdNumber();
        var rows = new[]
        {
            Row("周一", good1, Phone(), station),
            Row("周二", good2, Phone(), station),
            Row("周三", "530402199003071235", Phone(), station),                // row 4: check digit
            Row("周四", VolunteerApiTests.NewIdNumber(), Phone(), $"{HongtaCode}-02-001"), // row 5: outside the admin's institute
            Row("周五", good1, Phone(), station),                                // row 6: same ID as row 2
        };

        using var all = await admin.PostAsync("/api/v1/volunteers/import?mode=all", Upload(rows));
        var refused = await WaitAsync(admin, all);
        Assert.False(refused.GetProperty("committed").GetBoolean());
        Assert.Equal([4, 5, 6], refused.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Distinct().Order());
        var hashCount = await host.WithDbAsync(db => db.Set<Volunteer>().CountAsync(v => v.Name == "周一" || v.Name == "周二"));
        Assert.Equal(0, hashCount);

        using var valid = await admin.PostAsync("/api/v1/volunteers/import?mode=valid", Upload(rows));
        var kept = await WaitAsync(admin, valid);
        Assert.True(kept.GetProperty("committed").GetBoolean());
        Assert.Equal(2, kept.GetProperty("imported").GetInt32());
        var imported = await host.WithDbAsync(db => db.Set<Volunteer>().Where(v => v.Name == "周一" || v.Name == "周二").ToListAsync());
        Assert.All(imported, v => Assert.Equal(VolunteerStatus.Active, v.Status));
        Assert.All(imported, v => Assert.NotNull(v.Number));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_export_is_masked_for_admins_and_leaders(string provider)
    {
        var host = TestHosts.Get(provider);
        foreach (var suffix in new[] { "00", "01", "40" })
        {
            var client = await host.ClientAsAsync(TestHost.Phone(Hongta, suffix));
            using var response = await client.GetAsync("/api/v1/volunteers/export?status=Active");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var rows = (await response.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Matches(@"^\d{4}\*{10}[0-9X]{4}$", (string)r["身份证号"]!));
            Assert.All(rows, r => Assert.Matches(@"^1\d{2}\*{4}\d{4}$", (string)r["手机号"]!));
        }

        var resident = await host.ClientAsAsync(TestHost.Phone(Hongta, "20"));
        using var refused = await resident.GetAsync("/api/v1/volunteers/export");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}

/// <summary>
/// A district's own roster as its clerks keep it: their column order, the station by name (no code column), skills in
/// their own words, a remark column the platform does not know. Every 37th row is bad in one of four ways (a check digit,
/// an emoji in the name, a station name two places share, a place that does not exist); <see cref="Fixes"/> says, by
/// phone, what the clerk corrects.
/// </summary>
internal sealed record DistrictRoster(List<Dictionary<string, object?>> Rows, Dictionary<string, (string Column, string Value)> Fixes, string AmbiguousCode,
    string PhonePrefix)
{
    /// <summary>Rows for Hongta's first institute, whose admin (<paramref name="instituteAdmin"/>) gets two stations of one name.</summary>
    public static async Task<DistrictRoster> ArrangeAsync(TestHost host, HttpClient instituteAdmin, int total)
    {
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        var stations = await host.WithDbAsync(db => db.Units.Where(u => u.Code.StartsWith($"{HongtaCode}-01-") && u.Kind == Wenming.Web.Features.Organization.UnitKind.Station)
            .OrderBy(u => u.Code).Select(u => u.Name).Take(5).ToListAsync());
        var twin = PersonName("重名社区") + "新时代文明实践站";
        var twinCodes = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var code = UniqueCode($"{HongtaCode}-01");
            using var created = await instituteAdmin.PostJsonAsync("/api/v1/units", new { parentId = institute, kind = "站", name = twin, code });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            twinCodes.Add(code);
        }

        var prefix = $"1366{Random.Shared.Next(100, 999)}";
        var born = new DateOnly(1950, 1, 1).AddDays(Random.Shared.Next(0, 10_000));
        var rows = new List<Dictionary<string, object?>>();
        var fixes = new Dictionary<string, (string Column, string Value)>();
        for (var i = 0; i < total; i++)
        {
            var body = $"530499{born.AddDays(i / 900):yyyyMMdd}{100 + i % 900:D3}";
            var id = body + IdNumbers.CheckCharacter(body);
            var phone = $"{prefix}{i:D4}";
            var row = new Dictionary<string, object?>
            {
                ["序号"] = i + 1,
                ["姓名"] = i % 5 == 0 ? "阿依古丽·买买提" : "王秀英",
                ["性别"] = "",
                ["身份证号"] = id,
                ["手机号"] = phone,
                ["所属实践站"] = stations[i % stations.Count],
                ["技能特长"] = i % 2 == 0 ? "急救、会开车" : "广场舞",
                ["备注"] = "社区推荐",
            };
            if (i % 37 == 5)
            {
                (string Column, object Bad, string Fixed) fault = (i / 37 % 4) switch
                {
                    0 => ("身份证号", body + (IdNumbers.CheckCharacter(body) == '0' ? '1' : '0'), id),
                    1 => ("姓名", "田🔥晨刚", "田晨刚"),
                    2 => ("所属实践站", twin, twinCodes[1]),
                    _ => ("所属实践站", "没有这个社区", stations[0]),
                };
                row[fault.Column] = fault.Bad;
                fixes[phone] = (fault.Column, fault.Fixed);
            }

            rows.Add(row);
        }

        return new DistrictRoster(rows, fixes, twinCodes[1], prefix);
    }
}
