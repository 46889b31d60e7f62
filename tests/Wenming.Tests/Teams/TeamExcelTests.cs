using System.Net;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Teams;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Teams;

public sealed class TeamExcelTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static MultipartFormDataContent Upload(IEnumerable<Dictionary<string, object?>> rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows);
        return new MultipartFormDataContent { { new ByteArrayContent(stream.ToArray()), "file", "teams.xlsx" } };
    }

    private static Dictionary<string, object?> Row(string name, string level, string unit, string parent = "") => new()
    {
        ["队伍名称"] = name,
        ["层级"] = level,
        ["所属单位编码"] = unit,
        ["服务平台"] = "",
        ["上级队伍"] = parent,
        ["简介"] = "",
    };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Teams_import_all_or_nothing_and_export_with_the_same_columns(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var tag = Random.Shared.Next(10000, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var squad = $"导入分队{tag}";

        using var bad = await admin.PostAsync("/api/v1/teams/import", Upload(
        [
            Row(squad, "分队", $"{HongtaCode}-01-001"),
            Row($"导入小队{tag}", "小队", $"{HongtaCode}-01-002", squad),
            Row($"越权小队{tag}", "小队", $"{HongtaCode}-02-001"),  // row 4: another institute
            Row($"错层小队{tag}", "中队", $"{HongtaCode}-01-001"),  // row 5: no such level
        ]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Equal([4, 5], (await bad.JsonAsync()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("row").GetInt32()).Distinct().Order());
        Assert.False(await host.WithDbAsync(db => db.Set<Team>().AnyAsync(t => t.Name == squad)));

        using var good = await admin.PostAsync("/api/v1/teams/import", Upload([Row(squad, "分队", $"{HongtaCode}-01-001"), Row($"导入小队{tag}", "小队", $"{HongtaCode}-01-002", squad)]));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var child = await host.WithDbAsync(db => db.Set<Team>().SingleAsync(t => t.Name == $"导入小队{tag}"));
        var parent = await host.WithDbAsync(db => db.Set<Team>().SingleAsync(t => t.Name == squad));
        Assert.Equal(parent.Id, child.ParentTeamId);

        using var export = await admin.GetAsync("/api/v1/teams/export");
        var rows = (await export.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.Contains(rows, r => (string?)r["队伍名称"] == $"导入小队{tag}" && (string?)r["上级队伍"] == squad && (string?)r["层级"] == "小队");
        Assert.DoesNotContain(rows, r => ((string?)r["所属单位编码"])?.StartsWith($"{HongtaCode}-02", StringComparison.Ordinal) == true);
    }
}
