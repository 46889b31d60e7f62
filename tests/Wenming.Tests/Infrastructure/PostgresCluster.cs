using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Wenming.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster on a free loopback port, in a temporary folder, made with Debian's server binaries
/// (initdb, pg_ctl). As root it runs them as the 'postgres' user, since PostgreSQL refuses to run as root.
/// Used by the tests and the benchmarks; stopped and deleted on Dispose.
/// </summary>
internal sealed class PostgresCluster : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string bin, string dir, int port, bool asPostgresUser)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    /// <summary>The folder of initdb and pg_ctl, newest version first; null when PostgreSQL's server is not installed.</summary>
    public static string? FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("WENMING_PG_BIN") is { Length: > 0 } configured && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    public static bool Available => FindBinaries() is not null;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres;Database={database};Pooling=true;Maximum Pool Size=50;Include Error Detail=true";

    /// <param name="purpose">Names the temporary folder.</param>
    /// <param name="durable">Commits flushed to disk (fsync, full-page writes) as in production, for a benchmark of writes;
    /// otherwise off, for speed.</param>
    /// <param name="settings">More server settings, as <c>-c name=value</c> options.</param>
    public static PostgresCluster Start(string purpose = "tests", bool durable = false, string settings = "")
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql).");
        var asPostgres = Environment.UserName == "root";
        var dir = Path.Combine(Path.GetTempPath(), $"wenming-pg-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var data = Path.Combine(dir, "data");
        var pwFile = Path.Combine(dir, "pw");
        File.WriteAllText(pwFile, "postgres\n");
        if (asPostgres)
        {
            Run("chown", $"-R postgres:postgres {dir}", null, asUser: false);
        }

        var port = FreePort();
        var cluster = new PostgresCluster(bin, dir, port, asPostgres);
        cluster.Exec("initdb", $"-D {data} -U postgres --pwfile={pwFile} -A scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync");
        // Tuned for throwaway test data, not durability, except where a benchmark asks for it.
        var options = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={dir} -c max_connections=200 " +
                      "-c shared_buffers=256MB" + (durable ? "" : " -c fsync=off -c full_page_writes=off") + (settings.Length > 0 ? " " + settings : "");
        cluster.Exec("pg_ctl", $"-D {data} -l {Path.Combine(dir, "log")} -w -t 60 -o \"{options}\" start");
        return cluster;
    }

    public void Dispose()
    {
        try
        {
            Exec("pg_ctl", $"-D {Path.Combine(_dir, "data")} -m immediate -w stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped: nothing left to do but delete the folder.
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Exec(string tool, string args) => Run(Path.Combine(_bin, tool), args, _dir, _asPostgresUser);

    private static void Run(string file, string args, string? workDir, bool asUser)
    {
        var psi = asUser
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {args}")
            : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        if (workDir is not null)
        {
            psi.WorkingDirectory = workDir;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {args} timed out");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}): {stdout.Result} {stderr.Result}");
        }
    }

    /// <summary>A loopback port free at the moment of asking.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
