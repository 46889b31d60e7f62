using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// The platform as an operator runs it: <c>dotnet Wenming.Web.dll</c> from src/Wenming.Web's build output, in a process of
/// its own on a loopback port, so that a test can kill it (SIGKILL, as <c>kill -9</c>) and start it again on the same
/// database. Its console output is kept (the last lines) for a failing test's message.
/// </summary>
internal sealed class PlatformProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PlatformProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the platform with these settings (as <c>--Key=value</c>) and waits until it answers a sign-in.</summary>
    public static async Task<PlatformProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan timeout)
    {
        var dll = WebAssembly();
        var address = new Uri($"http://127.0.0.1:{PostgresCluster.FreePort()}");
        // The muxer that runs these tests (the dotnet CLI names it to its children), else the one on PATH.
        var muxer = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var psi = new ProcessStartInfo(muxer)
        {
            // Its content root (appsettings.json) is the working directory: the build output's own folder.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add($"--urls={address.ToString().TrimEnd('/')}");
        foreach (var (key, value) in settings)
        {
            psi.ArgumentList.Add($"--{key}={value}");
        }

        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        psi.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet " + dll);
        var platform = new PlatformProcess(process, address);
        process.OutputDataReceived += (_, e) => platform.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => platform.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await platform.WaitUntilAnsweringAsync(timeout);
        }
        catch
        {
            platform.Dispose();
            throw;
        }

        return platform;
    }

    /// <summary>A client of this process signed in (bearer token) as the demo account with this phone.</summary>
    public async Task<HttpClient> ClientAsAsync(string phone)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { phone, password = "Demo#2026" });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: no shutdown, no flush, no finishing of the requests in flight.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit(10_000);
    }

    /// <summary>The last lines the process wrote, for a failure's message.</summary>
    public string Output => string.Join('\n', _output);

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilAnsweringAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the platform exited ({_process.ExitCode}) while starting:\n{Output}");
            }

            try
            {
                // Anonymous and read-only, and answered only once the database is migrated and seeded.
                using var response = await client.GetAsync("/api/v1/reviews/530402?take=1");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the platform did not answer within {timeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The checkout these tests were built from: the folder of Wenming.slnx above their build output.</summary>
    public static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Wenming.slnx")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new InvalidOperationException($"no Wenming.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// src/Wenming.Web's own build output in the configuration these tests were built in (which builds it first): the
    /// same path below the web project as the tests' below theirs (bin/Debug/net10.0/linux-x64).
    /// </summary>
    private static string WebAssembly()
    {
        var root = RepositoryRoot();
        var below = Path.GetRelativePath(Path.Combine(root, "tests", "Wenming.Tests"), AppContext.BaseDirectory);
        var dll = Path.Combine(root, "src", "Wenming.Web", below, "Wenming.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("the platform's build output is missing: build src/Wenming.Web", dll);
    }
}
