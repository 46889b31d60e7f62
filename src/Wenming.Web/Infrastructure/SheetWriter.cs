using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;

namespace Wenming.Web.Infrastructure;

/// <summary>
/// Every .xlsx the platform writes (exports, templates, import error lists) goes through here. Text that a spreadsheet
/// would take for a formula once a clerk edits the cell or saves as CSV (a team named <c>=HYPERLINK(…)</c>, a note
/// <c>-2+3</c>) is written with a leading apostrophe, so it stays text; <see cref="Sheets.Text"/> takes the apostrophe
/// off again when such a sheet is imported. Columns are as wide as their header and first rows need (CJK counted double).
/// </summary>
internal static class SheetWriter
{
    private const int SampledRows = 200;
    private const int MinWidth = 8;
    private const int MaxWidth = 60;

    /// <summary>What starts a formula or a DDE payload in Excel, LibreOffice and WPS (full-width forms too, as a Chinese IME types them).</summary>
    public static bool StartsLikeAFormula(string text) =>
        text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '＝' or '＋' or '－' or '＠';

    public static object? Neutral(object? value) => value is string s && StartsLikeAFormula(s) ? "'" + s : value;

    public static async Task WriteAsync(Stream stream, IEnumerable<IReadOnlyDictionary<string, object?>> rows, string sheetName, CancellationToken ct)
    {
        var (sheet, configuration) = Prepare(rows);
        await stream.SaveAsAsync(sheet, sheetName: sheetName, configuration: configuration, cancellationToken: ct);
    }

    /// <summary>A small sheet (a template, an error list) in memory, ready to read from the start.</summary>
    public static MemoryStream InMemory(IEnumerable<IReadOnlyDictionary<string, object?>> rows, string sheetName)
    {
        var stream = new MemoryStream();
        var (sheet, configuration) = Prepare(rows);
        stream.SaveAs(sheet, sheetName: sheetName, configuration: configuration);
        stream.Position = 0;
        return stream;
    }

    /// <summary>
    /// The rows as they will be written (neutralised), and column widths from the header and the first rows. The source is
    /// enumerated once: an export streamed from the database is not queried twice.
    /// </summary>
    private static (IEnumerable<Dictionary<string, object?>> Rows, OpenXmlConfiguration Configuration) Prepare(IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        var source = rows.Select(r => r.ToDictionary(c => c.Key, c => Neutral(c.Value))).GetEnumerator();
        var head = new List<Dictionary<string, object?>>();
        while (head.Count < SampledRows && source.MoveNext())
        {
            head.Add(source.Current);
        }

        var widths = new Dictionary<string, int>();
        foreach (var row in head)
        {
            foreach (var (column, value) in row)
            {
                var width = Math.Max(Width(column), Width(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
                widths[column] = Math.Max(widths.GetValueOrDefault(column), width);
            }
        }

        var configuration = new OpenXmlConfiguration
        {
            DynamicColumns = [.. widths.Select(w => new DynamicExcelColumn(w.Key) { Width = Math.Clamp(w.Value + 2, MinWidth, MaxWidth) })],
        };
        return (Concat(head, source), configuration);
    }

    private static IEnumerable<Dictionary<string, object?>> Concat(List<Dictionary<string, object?>> head, IEnumerator<Dictionary<string, object?>> rest)
    {
        using (rest)
        {
            foreach (var row in head)
            {
                yield return row;
            }

            while (rest.MoveNext())
            {
                yield return rest.Current;
            }
        }
    }

    /// <summary>Display width in character cells: East Asian wide characters (汉字, full-width forms) take two.</summary>
    private static int Width(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += rune.Value >= 0x1100 && (rune.Value <= 0x115F || rune.Value >= 0x2E80 && rune.Value <= 0xA4CF || rune.Value >= 0xAC00 && rune.Value <= 0xD7A3
                                              || rune.Value >= 0xF900 && rune.Value <= 0xFAFF || rune.Value >= 0xFE30 && rune.Value <= 0xFE4F
                                              || rune.Value >= 0xFF00 && rune.Value <= 0xFF60 || rune.Value >= 0xFFE0 && rune.Value <= 0xFFE6 || rune.Value >= 0x20000)
                ? 2
                : 1;
        }

        return width;
    }
}
