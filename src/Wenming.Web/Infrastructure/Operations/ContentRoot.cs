namespace Wenming.Web.Infrastructure.Operations;

/// <summary>
/// Where the platform reads <c>appsettings.json</c>, <c>wwwroot</c> and its <c>data</c> folder from. The host's default is
/// the working directory, so <c>dotnet /opt/wenming/Wenming.Web.dll</c> started elsewhere would silently run without its
/// settings (every request and SQL statement logged at Information). Here it is the app's own folder, except:
/// <list type="bullet">
/// <item>when set explicitly (<c>--contentRoot</c>, or <c>ASPNETCORE_CONTENTROOT</c> / <c>DOTNET_CONTENTROOT</c>; the test
/// host passes it too);</item>
/// <item>when started in its project folder (<c>dotnet run --project src/Wenming.Web</c> runs there), which keeps
/// the working directory: the sources' <c>appsettings.json</c>, <c>wwwroot</c> and <c>data/</c>.</item>
/// </list>
/// </summary>
internal static class ContentRoot
{
    /// <summary>The content root to set, or null to leave it to the host (set explicitly, or the project folder).</summary>
    public static string? For(string[] args, string workingDirectory)
    {
        var explicitly = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        if (!string.IsNullOrEmpty(explicitly))
        {
            return null;
        }

        var project = typeof(ContentRoot).Assembly.GetName().Name + ".csproj";
        return File.Exists(Path.Combine(workingDirectory, project)) ? null : AppContext.BaseDirectory;
    }
}
