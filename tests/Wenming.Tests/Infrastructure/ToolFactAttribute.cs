namespace Wenming.Tests.Infrastructure;

/// <summary>
/// A test that reads the platform's output with Debian's own tools (poppler's pdftotext and pdftoppm, zbar's zbarimg,
/// Node for the vendored ical.js, python3-openpyxl …). Reported as skipped where one is not installed, except when
/// WENMING_REQUIRE_TOOLS=1 (CI installs them), where a missing tool fails the test instead.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    /// <summary>Debian's Python (on PATH, python3 may be another one) with the openpyxl module: "tool" <see cref="Openpyxl"/>.</summary>
    public const string Python = "/usr/bin/python3";

    public const string Openpyxl = "python3-openpyxl";

    private static readonly Lazy<bool> OpenpyxlPresent = new(() =>
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Python, ["-c", "import openpyxl"]) { RedirectStandardError = true })!;
        process.WaitForExit(30_000);
        return process.ExitCode == 0;
    });

    public ToolFactAttribute(params string[] tools) => Skip = SkipUnless(tools);

    /// <summary>Why a test needing <paramref name="tools"/> is skipped here, or null when it runs.</summary>
    internal static string? SkipUnless(string[] tools)
    {
        var missing = tools.Where(t => t == Openpyxl ? !OpenpyxlPresent.Value : Find(t) is null).ToList();
        return missing.Count > 0 && Environment.GetEnvironmentVariable("WENMING_REQUIRE_TOOLS") != "1"
            ? $"{string.Join(", ", missing)} not installed (apt-get install poppler-utils zbar-tools nodejs python3-openpyxl); CI installs them and requires this test."
            : null;
    }

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    /// <summary>Runs a tool to the end and returns what it wrote; a non-zero exit fails the test with its error output.</summary>
    public static async Task<string> RunAsync(string tool, params string[] args)
    {
        var path = Find(tool) ?? throw new Xunit.Sdk.XunitException($"{tool} is not installed");
        var start = new System.Diagnostics.ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} exited {process.ExitCode}: {await error}");
        return await output;
    }
}

/// <summary>A theory that reads the platform's output with Debian's own tools, as <see cref="ToolFactAttribute"/>.</summary>
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools) => Skip = ToolFactAttribute.SkipUnless(tools);
}
