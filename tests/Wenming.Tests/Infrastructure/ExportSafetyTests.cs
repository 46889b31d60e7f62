using System.Net;
using System.Text.Json;
using Wenming.Tests.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// Every .xlsx the platform hands out, read back by openpyxl (not MiniExcel, which wrote them): no formula anywhere, no
/// text that a spreadsheet would turn into one, and columns wide enough for their headers.
/// </summary>
public sealed class ExportSafetyTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private const string Formula = "=HYPERLINK(\"http://x.example\",\"点此领取\")";

    [ToolTheory(ToolFactAttribute.Openpyxl)]
    [MemberData(nameof(Providers))]
    public async Task Every_export_and_template_keeps_formula_like_text_as_text_with_readable_columns(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        var tag = Guid.NewGuid().ToString("N")[..6];

        // A station named like a formula, a team named and described like formulas, and a volunteer at that station.
        using var unit = await admin.PostJsonAsync("/api/v1/units", new
        {
            parentId = institute,
            kind = "站",
            name = "+cmd|' /C calc'!A0 " + tag,
            code = UniqueCode($"{HongtaCode}-01"),
            address = "@SUM(A1:A9)",
            headName = "-2+3",
        });
        Assert.Equal(HttpStatusCode.Created, unit.StatusCode);
        var station = (await unit.JsonAsync()).GetProperty("id").GetGuid();
        using var team = await admin.PostJsonAsync("/api/v1/teams", new { unitId = station, level = "小队", name = Formula + tag, description = "-2+3\t＝1+1" });
        Assert.Equal(HttpStatusCode.Created, team.StatusCode);
        using var volunteer = await admin.PostJsonAsync("/api/v1/volunteers?byAdmin=true", new
        {
            name = PersonName("公式"),
            idNumber = VolunteerApiTests.NewIdNumber(),
            homeUnitId = station,
            phone = $"1370{Random.Shared.Next(1000000, 9999999)}",
        });
        Assert.Equal(HttpStatusCode.Created, volunteer.StatusCode);

        var files = new List<string>();
        try
        {
            async Task KeepAsync(string url)
            {
                using var response = await admin.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
                var file = Path.Combine(Path.GetTempPath(), $"wenming-export-check-{Guid.NewGuid():N}.xlsx");
                await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
                files.Add(file);
            }

            foreach (var url in new[]
                     {
                         $"/api/v1/units/{institute}/export", "/api/v1/teams/export", "/api/v1/volunteers/export", "/api/v1/units/import-template",
                         "/api/v1/teams/import-template", "/api/v1/volunteers/import-template", "/api/v1/records/export?from=2026-01-01",
                         "/api/v1/orders/export?view=all", "/api/v1/activities/export", "/api/v1/plans/export", "/api/v1/projects/export", "/api/v1/demands/export",
                     })
            {
                await KeepAsync(url);
            }

            // The error list of an import whose bad row holds formula-like cells.
            var bad = VolunteerExcelTests.Row("=1+1", "-1", "+8613800000000", "@SUM(A1)");
            using var started = await admin.PostAsync("/api/v1/volunteers/import?mode=valid", VolunteerExcelTests.Upload([bad]));
            var job = await VolunteerExcelTests.WaitAsync(admin, started);
            await KeepAsync(job.GetProperty("errorWorkbookUrl").GetString()!);

            var report = await ReadBackAsync(files);
            foreach (var file in files)
            {
                Assert.Empty(report.GetProperty(file).GetProperty("problems").EnumerateArray());
                Assert.Empty(report.GetProperty(file).GetProperty("narrow").EnumerateArray());
            }

            var texts = files.SelectMany(f => report.GetProperty(f).GetProperty("texts").EnumerateArray().Select(t => t.GetString()!)).ToList();
            Assert.Contains("'" + Formula + tag, texts);
            Assert.Contains("'-2+3\t＝1+1", texts);
            Assert.Contains("'+cmd|' /C calc'!A0 " + tag, texts);
            Assert.Contains("'@SUM(A1:A9)", texts);
            Assert.Contains("'=1+1", texts);
            Assert.Contains("'@SUM(A1)", texts);
        }
        finally
        {
            files.ForEach(File.Delete);
        }
    }

    [Fact]
    public void Formula_like_text_written_as_text_reads_back_as_it_was_typed()
    {
        string[] typed = ["=1+1", "-2+3", "+86 138", "@SUM(A1)", "\tx", "＝1", "'quoted", "普通文字", "a=b"];
        using var sheet = Wenming.Web.Infrastructure.SheetWriter.InMemory([.. typed.Select((t, i) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["内容"] = t, ["序号"] = i })], "表");
        var read = Wenming.Web.Infrastructure.Sheets.Rows(sheet).Select(r => Wenming.Web.Infrastructure.Sheets.Text(r, "内容")).ToList();
        Assert.Equal(typed.Select(t => t.Trim()), read);
    }

    /// <summary>What openpyxl finds in each file (Readers/check_xlsx.py).</summary>
    private static async Task<JsonElement> ReadBackAsync(IEnumerable<string> files)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Readers", "check_xlsx.py");
        return JsonDocument.Parse(await ToolFactAttribute.RunAsync(ToolFactAttribute.Python, [script, .. files])).RootElement.Clone();
    }
}
