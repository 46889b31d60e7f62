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
