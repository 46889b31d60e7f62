namespace Wenming.Tests.Pages;

/// <summary>
/// A test that drives Debian's Chromium. Reported as skipped where Chromium is not installed, except when
/// WENMING_REQUIRE_BROWSER=1 (CI), where a missing browser fails the test instead.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium) && Environment.GetEnvironmentVariable("WENMING_REQUIRE_BROWSER") != "1")
        {
            Skip = "Debian's chromium is not installed (apt-get install chromium); CI installs it and requires this test.";
        }
    }
}

/// <summary>A browser test run once per database provider; skipped or required as <see cref="BrowserFactAttribute"/> is.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        Skip = new BrowserFactAttribute().Skip;
    }
}
