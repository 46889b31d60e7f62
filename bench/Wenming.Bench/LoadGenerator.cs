using System.Diagnostics;

namespace Wenming.Bench;

/// <summary>What one load phase saw: successes per second over the phase, and each success's latency.</summary>
internal sealed class LoadResult(int ok, int failed, double seconds, List<double> latenciesMs, string? firstError)
{
    private readonly double[] _sorted = [.. latenciesMs.Order()];

    public int Ok => ok;
    public int Failed => failed;
    public double Seconds => seconds;
    public string? FirstError => firstError;
    public double Rate => ok / seconds;
    public double P50 => Percentile(0.50);
    public double P99 => Percentile(0.99);
    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    /// <summary>In the order the requests were issued.</summary>
    public IReadOnlyList<double> InOrder => latenciesMs;

    public double Percentile(double p) => _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)(_sorted.Length * p))];

    /// <summary>Several phases of the same load as one: their successes over their summed time, every latency.</summary>
    public static LoadResult Combine(IReadOnlyList<LoadResult> parts) =>
        new(parts.Sum(p => p.Ok), parts.Sum(p => p.Failed), parts.Sum(p => p.Seconds), [.. parts.SelectMany(p => p.InOrder)],
            parts.Select(p => p.FirstError).FirstOrDefault(e => e is not null));
}

/// <summary>
/// HTTP load against 127.0.0.1, bounded in time: closed loop (N clients, each sends its next request when its last one
/// answered: the most the server does at that concurrency) and open loop (requests issued at a fixed rate whatever the
/// answers, latency counted from when each was due, so a slow server cannot slow the clock down).
/// </summary>
internal static class LoadGenerator
{
    /// <summary>How long an open-loop phase waits for its stragglers before it gives up on them.</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);

    /// <summary>An answer with this status counts as a success (a 404 that is the point of the request).</summary>
    public static readonly HttpRequestOptionsKey<int> Expected = new("expected-status");

    /// <summary>Closed loop for <paramref name="duration"/>, or until <paramref name="requests"/> were sent.</summary>
    public static Task<LoadResult> ClosedLoopAsync(HttpClient http, Func<long, HttpRequestMessage> next, int clients, TimeSpan duration,
        long requests = long.MaxValue) =>
        ClosedLoopAsync(http, (_, n) => next(n), clients, duration, requests);

    /// <summary>
    /// The same, each request made knowing which client sends it (0 to <paramref name="clients"/> − 1); a client given no
    /// request (null) stops.
    /// </summary>
    public static async Task<LoadResult> ClosedLoopAsync(HttpClient http, Func<int, long, HttpRequestMessage?> next, int clients, TimeSpan duration,
        long requests = long.MaxValue)
    {
        var latencies = new List<double>[clients];
        var failed = 0;
        string? firstError = null;
        long sequence = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < end && Interlocked.Increment(ref sequence) is var n && n <= requests)
            {
                if (next(c, n) is not { } request)
                {
                    break;
                }

                var sent = Stopwatch.GetTimestamp();
                var (ok, error) = await SendAsync(http, request);
                if (ok)
                {
                    mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, failed, Stopwatch.GetElapsedTime(start).TotalSeconds, all, firstError);
    }

    public static async Task<LoadResult> OpenLoopAsync(HttpClient http, Func<long, HttpRequestMessage> next, double perSecond, TimeSpan duration)
    {
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var succeeded = new bool[total];
        var failed = 0;
        string? firstError = null;
        var tasks = new Task[total];
        async Task OneAsync(int index, long due)
        {
            var (ok, error) = await SendAsync(http, next(index));
            latencies[index] = (Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency;
            succeeded[index] = ok;
            if (!ok)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, error, null);
            }
        }

        // Requests are issued from a thread of their own: from the thread pool, each would wait behind the work items of the
        // answers coming back before it was even sent.
        var start = Stopwatch.GetTimestamp();
        var allIssued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var issuer = new Thread(() =>
        {
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i / perSecond * Stopwatch.Frequency);
                // Sleeping, not spinning: a spin would take a core from the platform it measures. A request goes out about a
                // millisecond late, later when the busy machine keeps this thread from a core, and that counts in its latency
                // (measured from when it was due).
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }

                tasks[i] = OneAsync(i, due);
            }

            allIssued.SetResult();
        })
        {
            IsBackground = true,
            Name = "open-loop issuer",
        };
        issuer.Start();
        await allIssued.Task;
        var issued = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = Task.WhenAll(tasks);
        if (await Task.WhenAny(all, Task.Delay(Drain)) != all)
        {
            firstError ??= $"{tasks.Count(t => !t.IsCompleted)} requests still unanswered {Drain.TotalSeconds:F0} s after the last was issued";
            failed += tasks.Count(t => !t.IsCompleted);
        }

        var done = Enumerable.Range(0, total).Where(i => succeeded[i]).ToList();
        return new LoadResult(done.Count, failed, issued, [.. done.Select(i => latencies[i])], firstError);
    }

    private static async Task<(bool Ok, string? Error)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        try
        {
            using (request)
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead))
            {
                if (request.Options.TryGetValue(Expected, out var expected) ? (int)response.StatusCode == expected : response.IsSuccessStatusCode)
                {
                    return (true, null);
                }

                var body = await response.Content.ReadAsStringAsync();
                return (false, $"{(int)response.StatusCode} {request.Method} {request.RequestUri}: {body[..Math.Min(body.Length, 300)]}");
            }
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
        catch (TaskCanceledException e)
        {
            return (false, e.Message);
        }
    }
}
