using System.Diagnostics;
using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// What the machine did moment by moment while the open loop ran: sampled every 25 ms on a thread of its own (a few
/// small files of /proc, some 0.3 % of a core), kept while <see cref="Watching"/>. So that a slow second of a window can
/// be told apart: the cores busy with this process or PostgreSQL (more work per request), taken by the host (steal) or
/// by other processes, or idle while requests waited (the disk's flushes, a lock); and the thread pool's threads and
/// queue meanwhile. Linux only.
/// </summary>
internal sealed class MachineTimeline : IDisposable
{
    /// <summary>One sample: counters so far (ticks are 1/100 s; disk times in ms), and the thread pool's state now.</summary>
    private readonly record struct Sample(long At, long Busy, long Steal, long IoWait, long Idle, long Own, long Postgres, long Monitor,
        long DiskWrites, long DiskWriteMs, long Flushes, long FlushMs, int PoolThreads, long PoolQueued);

    private readonly List<Sample> _samples = [];
    private readonly Thread _thread;
    private readonly int _postgresPort;
    private readonly string? _disk;
    private volatile bool _stop;
    private volatile bool _watching;
    private List<string> _postgresStats = [];
    private List<string> _monitorStats = [];

    public MachineTimeline(int postgresPort, string dataDirectory)
    {
        _postgresPort = postgresPort;
        _disk = DiskOf(dataDirectory);
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                Thread.Sleep(25);
                if (_watching && Take() is { } sample)
                {
                    lock (_samples)
                    {
                        _samples.Add(sample);
                    }
                }
            }
        })
        { IsBackground = true, Name = "machine timeline" };
        _thread.Start();
    }

    /// <summary>Sample from now on (the PostgreSQL processes and the monitors are looked up now: the pools keep their backends).</summary>
    public bool Watching
    {
        get => _watching;
        set
        {
            if (value)
            {
                _postgresStats = [.. MachineLoad.PostgresProcesses(_postgresPort).Select(pid => $"/proc/{pid}")];
                _monitorStats = [.. Damon.Threads().Select(pid => $"/proc/{pid}")];
            }

            _watching = value;
        }
    }

    /// <summary>The disk under PostgreSQL's data (its name in /proc/diskstats), from the mount it is on.</summary>
    private static string? DiskOf(string directory)
    {
        var mounts = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 1 && f[0].StartsWith("/dev/", StringComparison.Ordinal));
        var mount = mounts.Where(f => directory.StartsWith(f[1], StringComparison.Ordinal)).MaxBy(f => f[1].Length);
        return mount is null ? null : Path.GetFileName(mount[0]);
    }

    private Sample? Take()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal
            long writes = 0, writeMs = 0, flushes = 0, flushMs = 0;
            if (_disk is not null && File.ReadLines("/proc/diskstats").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .FirstOrDefault(f => f.Length > 2 && f[2] == _disk) is { } d)
            {
                // After major, minor and name: writes completed is the 5th field, ms writing the 8th; flushes (kernels 5.5+) the 15th and 16th.
                (writes, writeMs) = (long.Parse(d[7], CultureInfo.InvariantCulture), long.Parse(d[10], CultureInfo.InvariantCulture));
                (flushes, flushMs) = d.Length >= 20 ? (long.Parse(d[18], CultureInfo.InvariantCulture), long.Parse(d[19], CultureInfo.InvariantCulture)) : (0, 0);
            }

            return new Sample(Stopwatch.GetTimestamp(), cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6], cpu[7], cpu[4], cpu[3],
                MachineLoad.Ticks(["/proc/self"]), MachineLoad.Ticks(_postgresStats), MachineLoad.Ticks(_monitorStats), writes, writeMs, flushes, flushMs,
                ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private List<Sample> Between(long from, long to)
    {
        lock (_samples)
        {
            // One sample before the span too, so the counters' growth over the whole span is seen; not one from before a
            // gap in the watching (the window before), whose growth would cover the time between.
            var first = _samples.FindLastIndex(s => s.At <= from);
            if (first < 0 || Stopwatch.GetElapsedTime(_samples[first].At, from) > TimeSpan.FromMilliseconds(100))
            {
                first = _samples.FindIndex(s => s.At > from);
            }

            return first < 0 ? [] : [.. _samples.Skip(first).TakeWhile(s => s.At <= to)];
        }
    }

    /// <summary>
    /// A span (Stopwatch timestamps) in a line: the cores' use by kind as a share of both cores, the disk's flushes, and
    /// the thread pool at its most.
    /// </summary>
    public string Describe(long from, long to)
    {
        var samples = Between(from, to);
        if (samples.Count < 2)
        {
            return "no samples";
        }

        var (a, b) = (samples[0], samples[^1]);
        double all = b.Busy + b.Steal + b.IoWait + b.Idle - (a.Busy + a.Steal + a.IoWait + a.Idle);
        string Share(long ticks) => all <= 0 ? "?" : (ticks / all).ToString("P0", CultureInfo.InvariantCulture);
        var flushes = b.Flushes - a.Flushes;
        var writes = b.DiskWrites - a.DiskWrites;
        return $"this process {Share(b.Own - a.Own)}, PostgreSQL {Share(b.Postgres - a.Postgres)}, busy in all {Share(b.Busy - a.Busy)}" +
               (b.Monitor > a.Monitor ? $" (DAMON {Share(b.Monitor - a.Monitor)})" : "") +
               $", steal {Share(b.Steal - a.Steal)}, idle {Share(b.Idle - a.Idle)}, I/O wait {Share(b.IoWait - a.IoWait)}; " +
               $"disk: {writes} writes{(writes > 0 ? $" of {(b.DiskWriteMs - a.DiskWriteMs) / (double)writes:F2} ms" : "")}, " +
               $"{flushes} flushes{(flushes > 0 ? $" of {(b.FlushMs - a.FlushMs) / (double)flushes:F2} ms" : "")}; " +
               $"thread pool at most {samples.Max(s => s.PoolThreads)} threads, {samples.Max(s => s.PoolQueued)} items queued";
    }

    /// <summary>The CSV header of <see cref="Csv"/>'s rows.</summary>
    public const string CsvHeader = "ms,busy_ticks,steal_ticks,iowait_ticks,idle_ticks,own_ticks,postgres_ticks,damon_ticks,disk_writes,disk_write_ms,flushes,flush_ms,pool_threads,pool_queued";

    /// <summary>The samples of a span as CSV: ms since its start, then the counters' growth since the sample before.</summary>
    public IEnumerable<string> Csv(long from, long to)
    {
        var samples = Between(from, to);
        for (var i = 1; i < samples.Count; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{Stopwatch.GetElapsedTime(from, b.At).TotalMilliseconds:F1},{b.Busy - a.Busy},{b.Steal - a.Steal},{b.IoWait - a.IoWait},{b.Idle - a.Idle}," +
                $"{b.Own - a.Own},{b.Postgres - a.Postgres},{b.Monitor - a.Monitor},{b.DiskWrites - a.DiskWrites},{b.DiskWriteMs - a.DiskWriteMs}," +
                $"{b.Flushes - a.Flushes},{b.FlushMs - a.FlushMs},{b.PoolThreads},{b.PoolQueued}");
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
