using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// The kernel's data access monitor (DAMON), which some virtual machines run to find cold memory and hand it back to the
/// host (here: all physical memory sampled every 500 ms, and a <c>pageout</c> scheme). Its thread, <c>kdamond</c>, wakes
/// every 570 ms or so and runs 34–77 ms within 60–240 ms; measured in the order-intake bench, the platform and
/// PostgreSQL did about half their usual work meanwhile, far more than the monitor's own CPU (2 % of the machine). The
/// bench reports it, and <c>--pause-damon</c> turns it off for the run and back on afterwards, so the platform's own
/// figures can be told from the machine's.
/// </summary>
internal static class Damon
{
    private const string Admin = "/sys/kernel/mm/damon/admin/kdamonds";

    /// <summary>The monitors' threads running now, found by name in /proc (readable by anyone, unlike the monitors' sysfs).</summary>
    public static IReadOnlyList<int> Threads()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Read(dir, "comm") is { } comm && comm.StartsWith("kdamond", StringComparison.Ordinal))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>What each running monitor watches and does, in a line (its settings only for root).</summary>
    public static string Describe() => string.Join("; ", Threads().Select(pid =>
    {
        var admin = Directory.Exists(Admin)
            ? Directory.EnumerateDirectories(Admin).FirstOrDefault(d => Read(d, "pid") == pid.ToString(CultureInfo.InvariantCulture))
            : null;
        if (admin is null)
        {
            return $"kdamond (pid {pid}; its settings in {Admin} need root to read)";
        }

        var context = Path.Combine(admin, "contexts", "0");
        var sample = Read(context, "monitoring_attrs/intervals/sample_us") is { } us && long.TryParse(us, out var v) ? $"{v / 1000} ms" : "?";
        var actions = Directory.Exists(Path.Combine(context, "schemes"))
            ? Directory.EnumerateDirectories(Path.Combine(context, "schemes")).Select(s => Read(s, "action")).Where(a => a is not null)
            : [];
        return $"kdamond (pid {pid}): {Read(context, "operations")} sampled every {sample}, schemes: {string.Join(", ", actions.DefaultIfEmpty("none"))}";
    }));

    /// <summary>CPU ticks (1/100 s) the running monitors' threads have used so far.</summary>
    public static long Ticks() => MachineLoad.Ticks(Threads().Select(pid => $"/proc/{pid}"));

    /// <summary>Nanoseconds the monitors' threads have run so far (the scheduler's own count, unlike the ticks).</summary>
    private static long RuntimeNs(List<string> schedStats)
    {
        long ns = 0;
        foreach (var file in schedStats)
        {
            try
            {
                var schedstat = File.ReadAllText(file);
                ns += long.Parse(schedstat[..schedstat.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or ArgumentOutOfRangeException)
            {
            }
        }

        return ns;
    }

    /// <summary>
    /// When the monitors ran, sampled every 2 ms on a thread of its own (one small file read each time), kept while
    /// <see cref="Watching"/>: the Stopwatch timestamps at which their run time had grown since the sample before.
    /// </summary>
    public sealed class Watch : IDisposable
    {
        private readonly List<long> _ran = [];
        private readonly Thread _thread;
        private volatile bool _stop;
        private volatile bool _watching;

        public Watch()
        {
            List<string> files = [.. Threads().Select(pid => $"/proc/{pid}/schedstat")];
            _thread = new Thread(() =>
            {
                var last = RuntimeNs(files);
                while (!_stop && files.Count > 0)
                {
                    Thread.Sleep(2);
                    // Read every time, kept or not: a first sample compared with one from before a gap would look like a run.
                    var now = RuntimeNs(files);
                    if (now > last && _watching)
                    {
                        lock (_ran)
                        {
                            _ran.Add(System.Diagnostics.Stopwatch.GetTimestamp());
                        }
                    }

                    last = now;
                }
            })
            { IsBackground = true, Name = "damon watch" };
            _thread.Start();
        }

        public bool Watching
        {
            get => _watching;
            set => _watching = value;
        }

        /// <summary>Whether a monitor ran within <paramref name="before"/> before the timestamp or 20 ms after it.</summary>
        public bool RanNear(long timestamp, TimeSpan before)
        {
            var from = timestamp - (long)(before.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            var to = timestamp + (long)(0.020 * System.Diagnostics.Stopwatch.Frequency);
            lock (_ran)
            {
                var i = _ran.BinarySearch(from);
                i = i < 0 ? ~i : i;
                return i < _ran.Count && _ran[i] <= to;
            }
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }

    /// <summary>Turns every running monitor off until the setting is disposed (also on Ctrl+C and at exit); needs root.</summary>
    public static KernelSetting Pause()
    {
        var running = Directory.Exists(Admin)
            ? Directory.EnumerateDirectories(Admin).Where(d => int.TryParse(Path.GetFileName(d), out _) && Read(d, "state") == "on").ToList()
            : [];
        if (running.Count == 0 && Threads().Count > 0)
        {
            throw new InvalidOperationException($"--pause-damon: a kdamond thread runs, but {Admin} cannot be read; run the bench as root");
        }

        return KernelSetting.Change("--pause-damon", [.. running.Select(d => (Path.Combine(d, "state"), "off"))]);
    }

    private static string? Read(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
