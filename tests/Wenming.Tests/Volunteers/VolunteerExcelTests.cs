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
        for (var i = 0; i < 600; i++)
        {
            var job = await client.GetJsonAsync(url);
            if (job.GetProperty("done").GetBoolean())
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the import did not finish in 60 s");
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
