using System.Diagnostics;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// Independent readers the tests check our files with: Node (for Mozilla's ical.js, vendored in the tests) and Debian's
/// python3-openpyxl. Where one is missing its tests are reported as skipped, except when WENMING_REQUIRE_READERS=1 (CI),
/// where they fail instead.
/// </summary>
internal static class ExternalTools
{
    public const string Node = "/usr/bin/node";
    public const string Python = "/usr/bin/python3";

    public static bool Required => Environment.GetEnvironmentVariable("WENMING_REQUIRE_READERS") == "1";

    private static readonly Lazy<bool> OpenpyxlPresent = new(() => File.Exists(Python) && Run(Python, ["-c", "import openpyxl"], "").ExitCode == 0);

    public static bool HasNode => File.Exists(Node);

    public static bool HasOpenpyxl => OpenpyxlPresent.Value;

    /// <summary>Runs a tool with <paramref name="input"/> on its standard input; what it printed and how it ended.</summary>
    public static (int ExitCode, string Output, string Error) Run(string tool, IEnumerable<string> arguments, string input)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish in 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A theory that needs python3-openpyxl or Node (<see cref="ExternalTools"/>).</summary>
public sealed class ReaderTheoryAttribute : TheoryAttribute
{
    public ReaderTheoryAttribute(string tool)
    {
        var present = tool switch
        {
            "openpyxl" => ExternalTools.HasOpenpyxl,
            "node" => ExternalTools.HasNode,
            _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, "openpyxl or node"),
        };
        if (!present && !ExternalTools.Required)
        {
            Skip = $"{tool} is not installed (apt-get install python3-openpyxl nodejs); CI installs it and requires this test.";
        }
    }
}
