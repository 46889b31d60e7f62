using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Wenming.Bench;

/// <summary>
/// The runtime's own record of each garbage-collection pause in this process (from suspending the threads to resuming
/// them), with when it began: to lay next to the open loop's requests and see whether a stall was the collector's.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const int SuspendBegin = 9;
    private const int RestartEnd = 3;
    private readonly ConcurrentQueue<(DateTime Start, double Ms)> _pauses = new();
    private DateTime? _suspended;

    public IReadOnlyList<(DateTime Start, double Ms)> Between(DateTimeOffset from, DateTimeOffset to) =>
        [.. _pauses.Where(p => p.Start >= from.UtcDateTime && p.Start < to.UtcDateTime)];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        // One listener thread delivers them in order; the times are when the runtime wrote them.
        if (e.EventId == SuspendBegin)
        {
            _suspended = e.TimeStamp.ToUniversalTime();
        }
        else if (e.EventId == RestartEnd && _suspended is { } start)
        {
            _pauses.Enqueue((start, (e.TimeStamp.ToUniversalTime() - start).TotalMilliseconds));
            _suspended = null;
        }
    }
}
