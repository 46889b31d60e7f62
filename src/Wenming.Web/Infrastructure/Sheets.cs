using System.Globalization;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Infrastructure;

/// <summary>Reading the .xlsx files admins upload: rows as they come, cells as trimmed text, unreadable files refused.</summary>
internal static class Sheets
{
    /// <summary>A cell as trimmed text; the apostrophe <see cref="SheetWriter"/> puts before formula-like text comes off again.</summary>
    public static string Text(IDictionary<string, object?> row, string column)
    {
        var text = row.TryGetValue(column, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture)?.Trim() ?? "" : "";
        return text.Length > 1 && text[0] == '\'' && SheetWriter.StartsLikeAFormula(text[1..]) ? text[1..].Trim() : text;
    }

    /// <summary>
    /// The first sheet's rows, read lazily (a large sheet keeps its shared strings in a disk cache); a file that is
    /// not a readable .xlsx becomes the "import-not-xlsx" refusal wherever reading fails, not a server error.
    /// </summary>
    public static IEnumerable<IDictionary<string, object?>> Rows(Stream xlsx)
    {
        var reading = new OpenXmlConfiguration { EnableSharedStringCache = true, SharedStringCacheSize = 1024 * 1024 };
        IEnumerator<IDictionary<string, object?>> rows;
        try
        {
            rows = xlsx.Query(useHeaderRow: true, configuration: reading).Cast<IDictionary<string, object?>>().GetEnumerator();
        }
        catch (Exception e) when (Unreadable(e))
        {
            throw NotXlsx();
        }

        using (rows)
        {
            while (true)
            {
                bool moved;
                try
                {
                    moved = rows.MoveNext();
                }
                catch (Exception e) when (Unreadable(e))
                {
                    throw NotXlsx();
                }

                if (!moved)
                {
                    yield break;
                }

                yield return rows.Current;
            }
        }
    }

    private static bool Unreadable(Exception e) =>
        e is InvalidDataException or IOException or InvalidOperationException or NotSupportedException or System.Xml.XmlException or ArgumentException;

    private static DomainException NotXlsx() => new("import-not-xlsx", "无法读取该文件，请上传用导入模板填写的 .xlsx 文件");
}
