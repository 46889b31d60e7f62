using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// Huge pages reserved for the bench's PostgreSQL for the run (root: <c>vm.nr_hugepages</c>), and the reservation as it
/// was restored at the end. PostgreSQL's shared memory (256 MB of buffers) then takes 2 MB pages instead of 4 kB ones;
/// measured on this VM with its DAMON memory monitor running, that gave the order-intake bench the speed it had with the
/// monitor paused, and a p99 under 50 ms in 2 of 3 runs (see the README).
/// </summary>
internal static class HugePages
{
    private const string Setting = "/proc/sys/vm/nr_hugepages";

    /// <summary>2 MB pages for 256 MB of shared buffers and what PostgreSQL keeps beside them, with room to spare.</summary>
    private const int Needed = 200;

    public static KernelSetting Reserve()
    {
        var before = Current();
        var reserved = KernelSetting.Change("--huge-pages", (Setting, (before + Needed).ToString(CultureInfo.InvariantCulture)));
        if (Current() < before + Needed)
        {
            var got = Current() - before;
            reserved.Dispose();
            throw new InvalidOperationException($"--huge-pages: the kernel reserved {got} of {Needed} huge pages (memory too fragmented?)");
        }

        return reserved;
    }

    private static int Current() => int.Parse(File.ReadAllText(Setting).Trim(), CultureInfo.InvariantCulture);
}
