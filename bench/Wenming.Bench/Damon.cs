using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// The kernel's data access monitor (DAMON), which some virtual machines run to find cold memory and hand it back to the
/// host (here: all physical memory sampled every 500 ms, and a <c>pageout</c> scheme). Its thread, <c>kdamond</c>, wakes
/// every half second or so for 40–90 ms; measured in the order-intake bench, the platform and PostgreSQL did about half
/// their usual work meanwhile, far more than the monitor's own CPU (2 % of the machine). The bench reports it, and
/// <c>--pause-damon</c> turns it off for the run and back on afterwards, so the platform's own figures can be told
/// from the machine's.
/// </summary>
internal sealed class Damon : IDisposable
{
    private const string Admin = "/sys/kernel/mm/damon/admin/kdamonds";
    private readonly List<string> _paused = [];

    /// <summary>The monitors running now (their sysfs directories).</summary>
    public static IReadOnlyList<string> Running() =>
        Directory.Exists(Admin)
            ? [.. Directory.EnumerateDirectories(Admin).Where(d => int.TryParse(Path.GetFileName(d), out _) && Read(d, "state") == "on")]
            : [];

    /// <summary>What each running monitor watches and does, in a line.</summary>
    public static string Describe() => string.Join("; ", Running().Select(d =>
    {
        var context = Path.Combine(d, "contexts", "0");
        var sample = Read(context, "monitoring_attrs/intervals/sample_us") is { } us && long.TryParse(us, out var v) ? $"{v / 1000} ms" : "?";
        var actions = Directory.Exists(Path.Combine(context, "schemes"))
            ? Directory.EnumerateDirectories(Path.Combine(context, "schemes")).Select(s => Read(s, "action")).Where(a => a is not null)
            : [];
        return $"kdamond (pid {Read(d, "pid")}): {Read(context, "operations")} sampled every {sample}, schemes: {string.Join(", ", actions.DefaultIfEmpty("none"))}";
    }));

    /// <summary>CPU ticks (1/100 s) the running monitors' threads have used so far.</summary>
    public static long Ticks()
    {
        long ticks = 0;
        foreach (var d in Running())
        {
            try
            {
                var fields = MachineLoad.StatFields($"/proc/{Read(d, "pid")}");
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
            {
            }
        }

        return ticks;
    }

    /// <summary>The scheduler's statistics files of the running monitors' threads.</summary>
    private static List<string> SchedStats() => [.. Running().Select(d => $"/proc/{Read(d, "pid")}/schedstat")];

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
    /// When the monitors ran, sampled every 2 ms on a thread of its own while <see cref="Watching"/> (one small file read
    /// each time): the Stopwatch timestamps at which their run time had grown since the sample before.
    /// </summary>
    public sealed class Watch : IDisposable
    {
        private readonly List<long> _ran = [];
        private readonly Thread _thread;
        private volatile bool _stop;

        public Watch()
        {
            _thread = new Thread(() =>
            {
                var files = SchedStats();
                var last = RuntimeNs(files);
                while (!_stop && files.Count > 0)
                {
                    Thread.Sleep(2);
                    if (!Watching)
                    {
                        continue;
                    }

                    var now = RuntimeNs(files);
                    if (now > last)
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

        public bool Watching { get; set; }

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

    /// <summary>Turns every running monitor off until <see cref="Dispose"/> (also on Ctrl+C and at exit); needs root.</summary>
    public static Damon Pause()
    {
        var damon = new Damon();
        foreach (var d in Running())
        {
            File.WriteAllText(Path.Combine(d, "state"), "off");
            damon._paused.Add(d);
            Console.WriteLine($"Paused the kernel's DAMON monitor {d} for this run (if the bench is killed: echo on > {Path.Combine(d, "state")})");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => damon.Dispose();
        Console.CancelKeyPress += (_, _) => damon.Dispose();
        return damon;
    }

    public void Dispose()
    {
        lock (_paused)
        {
            foreach (var d in _paused)
            {
                File.WriteAllText(Path.Combine(d, "state"), "on");
                Console.WriteLine($"DAMON monitor {d} back on");
            }

            _paused.Clear();
        }
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
