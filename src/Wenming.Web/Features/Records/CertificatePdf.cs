using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Wenming.Web.Features.Records;

/// <summary>
/// Draws a certificate as an A4 PDF: real text in a subset of an embedded CJK font (selectable, extractable), the services
/// served, the issuing units, and a QR code to the public verification page.
/// </summary>
internal static class CertificatePdf
{
    /// <summary>Lines of services printed; beyond them the certificate says how many there are in all.</summary>
    public const int ListedServices = 22;

    private const string CjkFamily = "Wenming Certificate CJK";
    private const string LatinFamily = "Wenming Certificate Latin";
    private static readonly Lock Setup = new();
    private static bool _resolving;

    public static byte[] Render(Certificate c, string verifyUrl)
    {
        EnsureFont();
        using var document = new PdfDocument();
        document.Info.Title = $"志愿服务记录证明 {c.Number}";
        document.Info.Creator = "文明实践云平台";
        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        using (var g = XGraphics.FromPdfPage(page))
        {
            Draw(g, c, verifyUrl, page.Width.Point, page.Height.Point);
        }

        using var stream = new MemoryStream();
        document.Save(stream, false);
        return stream.ToArray();
    }

    private static void Draw(XGraphics g, Certificate c, string verifyUrl, double width, double height)
    {
        var title = new Face(22);
        var body = new Face(11.5);
        var small = new Face(9);
        const double left = 56;
        var right = width - 56;
        var y = 70.0;

        var heading = "志愿服务记录证明";
        title.Draw(g, heading, (width - title.Width(g, heading)) / 2, y + 22, XBrushes.DarkRed);
        y += 40;
        var number = $"证明编号：{c.Number}";
        small.Draw(g, number, right - small.Width(g, number), y + 10);
        y += 26;

        var issuers = c.Issuers;
        var issuerNames = string.Join("、", issuers.Select(i => i.Name));
        var volunteerNumber = string.IsNullOrEmpty(c.VolunteerNumber) ? "" : $"，志愿者编号 {c.VolunteerNumber}";
        var statement = $"兹证明 {c.Name}（{c.IdKind} {c.IdNumberMasked}{volunteerNumber}）于 {Day(c.From)} 至 {Day(c.To)} 期间，" +
                        $"参加{(issuerNames.Length > 0 ? issuerNames : "本平台")}组织的志愿服务 {c.Services.Count} 项，累计服务时长 {Hours(c.Hours)} 小时。";
        y = body.Paragraph(g, statement, left, right, y, 19);
        y += 10;

        // The services: day, what, who organised it, hours.
        var columns = new[] { left, left + 92, left + 300, right - 60 };
        g.DrawLine(XPens.Gray, left, y, right, y);
        y += 4;
        Row(g, small, columns, right, y, "服务日期", "服务内容", "组织单位", "时长（小时）");
        y += 16;
        g.DrawLine(XPens.LightGray, left, y, right, y);
        y += 4;
        foreach (var s in c.Services.Take(ListedServices))
        {
            Row(g, small, columns, right, y, Day(s.Day), small.Fit(g, s.Title, columns[2] - columns[1] - 6), small.Fit(g, s.Organizer, columns[3] - columns[2] - 6),
                Hours(s.Hours));
            y += 15;
        }

        if (c.Services.Count > ListedServices)
        {
            small.Draw(g, $"以上列出前 {ListedServices} 项，共 {c.Services.Count} 项，合计 {Hours(c.Hours)} 小时。", left, y + 10);
            y += 16;
        }

        g.DrawLine(XPens.Gray, left, y + 2, right, y + 2);
        y += 24;

        y = small.Paragraph(g, "本证明依据平台上由组织单位记录并确认的志愿服务记录出具（谁组织谁记录、谁记录谁证明）。服务时长为签到至签退之间的实际服务时间，不含往返路程。",
            left, right, y, 14);
        y += 12;
        const double qr = 110;
        var textRight = right - qr - 20;
        foreach (var issuer in issuers.Take(4))
        {
            var head = string.IsNullOrWhiteSpace(issuer.Head) ? "" : $"  负责人：{issuer.Head}";
            var phone = string.IsNullOrWhiteSpace(issuer.Phone) ? "" : $"  联系电话：{issuer.Phone}";
            y = body.Paragraph(g, $"出具单位：{issuer.Name}{head}{phone}", left, textRight, y, 18);
        }

        if (issuers.Count > 4)
        {
            y = small.Paragraph(g, $"另有 {issuers.Count - 4} 个组织单位，见核验页面。", left, textRight, y, 14);
        }

        y = body.Paragraph(g, $"经办人：{c.HandlerName}", left, textRight, y, 18);
        body.Paragraph(g, $"出具日期：{Day(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.IssuedAt, Infrastructure.DistrictTimeJsonConverter.Zone).DateTime))}",
            left, textRight, y, 18);

        // The QR code to the verification page, drawn as squares (sharp at any zoom), with its address in words for those who type it.
        var qrTop = height - 200;
        using (var generator = new QRCoder.QRCodeGenerator())
        using (var data = generator.CreateQrCode(verifyUrl, QRCoder.QRCodeGenerator.ECCLevel.M))
        {
            var modules = data.ModuleMatrix;
            var cell = qr / modules.Count;
            for (var row = 0; row < modules.Count; row++)
            {
                for (var col = 0; col < modules[row].Count; col++)
                {
                    if (modules[row][col])
                    {
                        g.DrawRectangle(XBrushes.Black, right - qr + (col * cell), qrTop + (row * cell), cell + 0.05, cell + 0.05);
                    }
                }
            }
        }

        var scan = "扫码核验真伪";
        small.Draw(g, scan, right - (qr / 2) - (small.Width(g, scan) / 2), qrTop + qr + 10);
        small.Draw(g, $"核验网址：{verifyUrl}", left, height - 46);
    }

    private static void Row(XGraphics g, Face face, double[] columns, double right, double y, string day, string what, string who, string hours)
    {
        face.Draw(g, day, columns[0], y + 10);
        face.Draw(g, what, columns[1], y + 10);
        face.Draw(g, who, columns[2], y + 10);
        face.Draw(g, hours, right - face.Width(g, hours), y + 10);
    }

    /// <summary>
    /// One size of text in two fonts: the Chinese font lacks digits and Latin letters, so text is drawn in runs, each in the
    /// font that has it, on one baseline.
    /// </summary>
    private sealed class Face(double size)
    {
        private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);
        private readonly XFont _cjk = new(CjkFamily, size, XFontStyleEx.Regular, Unicode);
        private readonly XFont _latin = new(LatinFamily, size, XFontStyleEx.Regular, Unicode);

        public double Width(XGraphics g, string text) => Runs(text).Sum(r => g.MeasureString(r.Text, r.Font).Width);

        public void Draw(XGraphics g, string text, double x, double baseline, XBrush? brush = null)
        {
            foreach (var run in Runs(text))
            {
                g.DrawString(run.Text, run.Font, brush ?? XBrushes.Black, x, baseline);
                x += g.MeasureString(run.Text, run.Font).Width;
            }
        }

        /// <summary>Text wrapped at the width, character by character (Chinese has no spaces to break at); returns the next line's top.</summary>
        public double Paragraph(XGraphics g, string text, double left, double right, double y, double lineHeight)
        {
            var line = new System.Text.StringBuilder();
            foreach (var element in Words(text))
            {
                if (line.Length > 0 && Width(g, line + element) > right - left)
                {
                    Draw(g, line.ToString(), left, y + (lineHeight * 0.75));
                    y += lineHeight;
                    line.Clear();
                }

                line.Append(element);
            }

            if (line.Length > 0)
            {
                Draw(g, line.ToString(), left, y + (lineHeight * 0.75));
                y += lineHeight;
            }

            return y;
        }

        /// <summary>The text, or as much of it as fits with an ellipsis.</summary>
        public string Fit(XGraphics g, string text, double width)
        {
            if (Width(g, text) <= width)
            {
                return text;
            }

            var elements = Elements(text);
            for (var n = elements.Count - 1; n > 0; n--)
            {
                var cut = string.Concat(elements.Take(n)) + "…";
                if (Width(g, cut) <= width)
                {
                    return cut;
                }
            }

            return "…";
        }

        private IEnumerable<(string Text, XFont Font)> Runs(string text)
        {
            var run = new System.Text.StringBuilder();
            XFont? font = null;
            foreach (var element in Elements(text))
            {
                var wanted = char.ConvertToUtf32(element, 0) < 0x2E80 ? _latin : _cjk;
                if (font is not null && wanted != font && run.Length > 0)
                {
                    yield return (run.ToString(), font);
                    run.Clear();
                }

                font = wanted;
                run.Append(element);
            }

            if (run.Length > 0)
            {
                yield return (run.ToString(), font!);
            }
        }

        /// <summary>Where a line may break: between Chinese characters, but not inside a number, a code or a Latin word.</summary>
        private static IEnumerable<string> Words(string text)
        {
            var word = new System.Text.StringBuilder();
            foreach (var element in Elements(text))
            {
                if (element.Length == 1 && (char.IsAsciiLetterOrDigit(element[0]) || element[0] is '*' or '-' or '.' or '/'))
                {
                    word.Append(element);
                    continue;
                }

                if (word.Length > 0)
                {
                    yield return word.ToString();
                    word.Clear();
                }

                yield return element;
            }

            if (word.Length > 0)
            {
                yield return word.ToString();
            }
        }

        private static List<string> Elements(string text)
        {
            var elements = new List<string>();
            var e = StringInfo.GetTextElementEnumerator(text);
            while (e.MoveNext())
            {
                elements.Add(e.GetTextElement());
            }

            return elements;
        }
    }

    private static string Day(DateOnly d) => d.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    private static string Hours(decimal h) => h.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>PDFsharp finds fonts through one process-wide resolver: ours serves the embedded CJK font for every face.</summary>
    private static void EnsureFont()
    {
        lock (Setup)
        {
            if (_resolving)
            {
                return;
            }

            GlobalFontSettings.FontResolver ??= new EmbeddedFontResolver();
            _resolving = true;
        }
    }

    private sealed class EmbeddedFontResolver : IFontResolver
    {
        private static readonly Lazy<byte[]> Cjk = new(() => Read("Wenming.CertificateFont.Cjk.ttf"));
        private static readonly Lazy<byte[]> Latin = new(() => Read("Wenming.CertificateFont.Latin.ttf"));

        public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(familyName == LatinFamily ? "DejaVuSans" : "DroidSansFallback", bold, italic);

        public byte[] GetFont(string faceName) => faceName == "DejaVuSans" ? Latin.Value : Cjk.Value;

        private static byte[] Read(string name)
        {
            using var stream = typeof(CertificatePdf).Assembly.GetManifestResourceStream(name)
                               ?? throw new InvalidOperationException($"The certificate font {name} is not embedded in the assembly");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }
}
