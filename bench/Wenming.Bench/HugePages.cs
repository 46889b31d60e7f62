using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// Huge pages reserved for the bench's PostgreSQL for the run (root: <c>vm.nr_hugepages</c>), and the reservation as it
/// was restored at the end. PostgreSQL's shared memory (256 MB of buffers) then takes 2 MB pages instead of 4 kB ones;
/// measured on this VM with its DAMON memory monitor running, that gave the order-intake bench the speed it had with the
/// monitor paused, and a p99 under 50 ms in 2 of 3 runs (see the README).
/// </summary>
internal sealed class HugePages : IDisposable
{
    private const string Setting = "/proc/sys/vm/nr_hugepages";

    /// <summary>2 MB pages for 256 MB of shared buffers and what PostgreSQL keeps beside them, with room to spare.</summary>
    private const int Needed = 200;

    private readonly int _before;
    private bool _restored;

    private HugePages(int before) => _before = before;

    public static HugePages Reserve()
    {
        var before = Current();
        try
        {
            File.WriteAllText(Setting, (before + Needed).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"--huge-pages: could not reserve huge pages ({e.Message}); run the bench as root", e);
        }

        var reserved = new HugePages(before);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => reserved.Dispose();
        Console.CancelKeyPress += (_, _) => reserved.Dispose();
        if (Current() < before + Needed)
        {
            reserved.Dispose();
            throw new InvalidOperationException($"--huge-pages: the kernel reserved {Current() - before} of {Needed} huge pages (memory too fragmented?)");
        }

        Console.WriteLine($"Reserved {Needed} huge pages for PostgreSQL's shared memory for this run (vm.nr_hugepages {before} → {before + Needed})");
        return reserved;
    }

    public void Dispose()
    {
        lock (this)
        {
            if (_restored)
            {
                return;
            }

            _restored = true;
            try
            {
                File.WriteAllText(Setting, _before.ToString(CultureInfo.InvariantCulture));
                Console.WriteLine($"vm.nr_hugepages back to {_before}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.WriteLine($"vm.nr_hugepages could not be set back to {_before} ({e.Message}): sysctl -w vm.nr_hugepages={_before}");
            }
        }
    }

    private static int Current() => int.Parse(File.ReadAllText(Setting).Trim(), CultureInfo.InvariantCulture);
}
