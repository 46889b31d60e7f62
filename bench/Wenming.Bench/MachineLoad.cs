using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Wenming.Bench;

/// <summary>
/// Where the machine's CPU went during a phase: this process (the platform and the load generator), the benchmark's
/// PostgreSQL (its postmaster and backends, found by the cluster's port), and everything else, which on a shared
/// machine is someone else's work competing with the figures. Linux /proc only; in milliseconds of CPU. Also the context
/// switches of this process (all its threads, ended ones too) and of PostgreSQL's backends: a switch is costly on a VM.
/// </summary>
internal readonly record struct MachineLoad(double Own, double Postgres, double Machine, double Wall, long OwnSwitches = 0, long PostgresSwitches = 0)
{
    public double Others => Math.Max(0, Machine - Own - Postgres);

    public static MachineLoad Now(int postgresPort)
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        using var self = Process.GetCurrentProcess();
        var (ticks, switches) = PostgresUsage(postgresPort);
        return new MachineLoad(self.TotalProcessorTime.TotalMilliseconds, ticks * TickMs, busy * TickMs,
            Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency, SwitchesOfThisProcess(), switches);
    }

    public static MachineLoad operator -(MachineLoad a, MachineLoad b) => new(a.Own - b.Own, a.Postgres - b.Postgres, a.Machine - b.Machine, a.Wall - b.Wall,
        a.OwnSwitches - b.OwnSwitches, a.PostgresSwitches - b.PostgresSwitches);

    public static MachineLoad operator +(MachineLoad a, MachineLoad b) => new(a.Own + b.Own, a.Postgres + b.Postgres, a.Machine + b.Machine, a.Wall + b.Wall,
        a.OwnSwitches + b.OwnSwitches, a.PostgresSwitches + b.PostgresSwitches);

    /// <summary>getrusage(2)'s struct on 64-bit Linux: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxResident, SharedText, UnsharedData, UnsharedStack, MinorFaults, MajorFaults, Swaps, BlocksIn, BlocksOut;
        public long MessagesSent, MessagesReceived, Signals, VoluntarySwitches, InvoluntarySwitches;
    }

#pragma warning disable SYSLIB1054 // a bench-only call; LibraryImport would need unsafe code in this project
    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);
#pragma warning restore SYSLIB1054

    /// <summary>Voluntary and involuntary switches of every thread of this process, ended ones included (RUSAGE_SELF).</summary>
    private static long SwitchesOfThisProcess() => GetResourceUsage(0, out var usage) == 0 ? usage.VoluntarySwitches + usage.InvoluntarySwitches : 0;

    /// <summary>Shares of all the machine's cores over the phase.</summary>
    public string Describe()
    {
        var capacity = Wall * Environment.ProcessorCount;
        return $"CPU of {Environment.ProcessorCount} cores: this process {Own / capacity:P0}, PostgreSQL {Postgres / capacity:P0}, " +
               $"other processes {Others / capacity:P0}" + (Others / capacity > 0.1 ? " (the machine was shared: these figures are pessimistic)" : "");
    }

    /// <summary>USER_HZ is 100 on Linux.</summary>
    internal const double TickMs = 10;

    /// <summary>The fields of a process's or thread's <c>stat</c> after "(comm) ", counted from its state (0): utime is 11, stime 12.</summary>
    internal static string[] StatFields(string dir)
    {
        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    /// <summary>CPU ticks (1/100 s) the processes or threads (their /proc folders) have used so far; one that ended counts 0.</summary>
    internal static long Ticks(IEnumerable<string> dirs)
    {
        long ticks = 0;
        foreach (var dir in dirs)
        {
            try
            {
                var fields = StatFields(dir);
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
            }
        }

        return ticks;
    }

    /// <summary>Voluntary and involuntary context switches of a process or thread so far, from its <c>status</c>.</summary>
    internal static long Switches(string dir) =>
        File.ReadLines(Path.Combine(dir, "status")).Where(l => l.Contains("ctxt_switches:", StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.IndexOf(':') + 1)..].Trim()));

    /// <summary>
    /// The postmaster's own and reaped children's time, and its live children's; and the context switches of its live
    /// children (the backends, which the pools keep for the whole run, and PostgreSQL's own processes).
    /// </summary>
    private static (long Ticks, long Switches) PostgresUsage(int port)
    {
        var (postmaster, stats) = PostgresStats(port);
        if (postmaster is not { } pm)
        {
            return (0, 0);
        }

        var switches = 0L;
        foreach (var child in stats.Where(s => s.Parent == pm))
        {
            try
            {
                switches += Switches($"/proc/{child.Pid}");
            }
            catch (IOException)
            {
            }
        }

        return (stats.Where(s => s.Pid == pm).Sum(s => s.Ticks + s.Reaped) + stats.Where(s => s.Parent == pm).Sum(s => s.Ticks), switches);
    }

    /// <summary>The postmaster of the cluster on the port and its live children (its backends and own processes).</summary>
    public static IReadOnlyList<int> PostgresProcesses(int port)
    {
        var (postmaster, stats) = PostgresStats(port);
        return postmaster is { } pm ? [pm, .. stats.Where(s => s.Parent == pm).Select(s => s.Pid)] : [];
    }

    /// <summary>Every process's parent and CPU ticks (its own, and its reaped children's), and the cluster's postmaster.</summary>
    private static (int? Postmaster, List<(int Pid, int Parent, long Ticks, long Reaped)> Stats) PostgresStats(int port)
    {
        var stats = new List<(int Pid, int Parent, long Ticks, long Reaped)>();
        int? postmaster = null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var rest = StatFields(dir);
                // ppid is 1; utime, stime, cutime and cstime are 11 to 14.
                stats.Add((pid, int.Parse(rest[1]), long.Parse(rest[11]) + long.Parse(rest[12]), long.Parse(rest[13]) + long.Parse(rest[14])));
                if (postmaster is null && File.ReadAllText(Path.Combine(dir, "comm")).Trim() == "postgres"
                                       && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains($"port={port}", StringComparison.Ordinal))
                {
                    postmaster = pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return (postmaster, stats);
    }
}
