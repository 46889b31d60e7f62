namespace Wenming.Bench;

/// <summary>
/// Kernel settings (files under /proc/sys or /sys) changed for the bench's run and set back as they were at its end: on
/// <see cref="Dispose"/>, on Ctrl+C and at exit. Needs root.
/// </summary>
internal sealed class KernelSetting : IDisposable
{
    private readonly List<(string Path, string Before)> _changed = [];

    private KernelSetting()
    {
    }

    /// <summary>Writes each value to its file, or sets back what it wrote and throws, naming <paramref name="option"/>.</summary>
    public static KernelSetting Change(string option, params (string Path, string Value)[] changes)
    {
        var setting = new KernelSetting();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => setting.Dispose();
        Console.CancelKeyPress += (_, _) => setting.Dispose();
        foreach (var (path, value) in changes)
        {
            try
            {
                var before = File.ReadAllText(path).Trim();
                File.WriteAllText(path, value);
                lock (setting._changed)
                {
                    setting._changed.Add((path, before));
                }

                Console.WriteLine($"{option}: {path} {before} → {value} for this run (if the bench is killed: echo {before} > {path})");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                setting.Dispose();
                throw new InvalidOperationException($"{option}: could not set {path} ({e.Message}); run the bench as root", e);
            }
        }

        return setting;
    }

    public void Dispose()
    {
        lock (_changed)
        {
            foreach (var (path, before) in _changed)
            {
                try
                {
                    File.WriteAllText(path, before);
                    Console.WriteLine($"{path} back to {before}");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Console.WriteLine($"{path} could not be set back ({e.Message}): echo {before} > {path}");
                }
            }

            _changed.Clear();
        }
    }
}
