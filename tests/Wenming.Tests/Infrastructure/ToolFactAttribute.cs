namespace Wenming.Tests.Infrastructure;

/// <summary>
/// A test that reads the platform's output with Debian's own tools (poppler's pdftotext and pdftoppm, zbar's zbarimg …).
/// Reported as skipped where one is not installed, except when WENMING_REQUIRE_TOOLS=1 (CI installs them), where a
/// missing tool fails the test instead.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Find(t) is null).ToList();
        if (missing.Count > 0 && Environment.GetEnvironmentVariable("WENMING_REQUIRE_TOOLS") != "1")
        {
            Skip = $"{string.Join(", ", missing)} not installed (apt-get install poppler-utils zbar-tools); CI installs them and requires this test.";
        }
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
