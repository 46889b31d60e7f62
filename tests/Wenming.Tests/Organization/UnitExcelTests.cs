using System.Net;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Organization;

public sealed class UnitExcelTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static MultipartFormDataContent Upload(IEnumerable<Dictionary<string, object?>> rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows, sheetName: "组织架构");
        var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(stream.ToArray());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        content.Add(file, "file", "units.xlsx");
        return content;
    }

    private static Dictionary<string, object?> Row(string parent, string code, string name, string kind, string platforms = "") => new()
    {
        ["上级编码"] = parent,
        ["编码"] = code,
        ["名称"] = name,
        ["类型"] = kind,
        ["地址"] = "",
        ["纬度"] = null,
        ["经度"] = null,
        ["开放时间"] = "",
        ["负责人"] = "",
        ["联系电话"] = "",
        ["服务平台"] = platforms,
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_export_lists_the_subtree_with_the_import_columns(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");

        using var response = await admin.GetAsync($"/api/v1/units/{institute}/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = (await response.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        var expected = await host.WithDbAsync(async db =>
        {
            var path = await db.Units.Where(u => u.Id == institute).Select(u => u.Path).SingleAsync();
            return await db.Units.CountAsync(u => u.Path.StartsWith(path) && u.ClosedAt == null);
        });
        Assert.Equal(expected, rows.Count);
        Assert.Equal($"{HongtaCode}-01", rows[0]["编码"]);
        Assert.Equal(HongtaCode, rows[0]["上级编码"]);
        Assert.Contains(rows, r => (string?)r["类型"] == "站" && (string?)r["上级编码"] == $"{HongtaCode}-01");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_import_with_one_bad_row_imports_nothing_and_names_each_bad_row(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var parent = $"{HongtaCode}-01";
        var a = UniqueCode(parent);
        var before = await host.WithDbAsync(db => db.Units.CountAsync());

        using var bad = await admin.PostAsync("/api/v1/units/import", Upload(
        [
            Row(parent, a, "新建站甲", "站", "理论宣讲"),
            Row(a, a + "-P1", "新建点", "点"),
            Row(parent, UniqueCode(parent), "", "站"),                   // row 4: no name
            Row($"{HongtaCode}-02", UniqueCode("x"), "越权站", "站"),      // row 5: another institute's subtree
            Row(parent, UniqueCode(parent), "错误类型", "楼栋"),            // row 6: a building under an institute
            Row(parent, UniqueCode(parent), "平台不存在", "站", "不存在的平台"), // row 7
        ]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Distinct().Order().ToList();
        Assert.Equal([4, 5, 6, 7], errors);
        Assert.Equal(before, await host.WithDbAsync(db => db.Units.CountAsync()));

        using var good = await admin.PostAsync("/api/v1/units/import", Upload([Row(parent, a, "新建站甲", "站", "理论宣讲"), Row(a, a + "-P1", "新建点", "点")]));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(2, (await good.JsonAsync()).GetProperty("imported").GetInt32());
        var point = await host.WithDbAsync(db => db.Units.SingleAsync(u => u.Code == a + "-P1"));
        var station = await host.WithDbAsync(db => db.Units.SingleAsync(u => u.Code == a));
        Assert.Equal(station.Id, point.ParentId);
        Assert.Single(station.PlatformIds);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_file_that_is_not_a_spreadsheet_gets_a_clear_422(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var content = new MultipartFormDataContent { { new ByteArrayContent("这不是表格"u8.ToArray()), "file", "units.xlsx" } };

        using var response = await admin.PostAsync("/api/v1/units/import", content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:wenming:problem:import-not-xlsx", (await response.JsonAsync()).GetProperty("type").GetString());
    }
}
