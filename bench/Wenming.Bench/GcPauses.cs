using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Wenming.Bench;

/// <summary>
/// The runtime's own record of each garbage collection in this process, with when it began: the moment an allocating
/// thread triggered it, then the pause from suspending the threads to resuming them. To lay next to the open loop's
/// requests and see whether a stall was the collector's. Between the trigger and the suspension, the threads that
/// allocate already wait: the server collector's own threads must first get a core. (The workstation collector
/// suspends before it reports the trigger, and its wait reads 0.)
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const int RestartEnd = 3;
    private const int SuspendBegin = 9;
    private const int Triggered = 35;
    private readonly ConcurrentQueue<Pause> _pauses = new();
    private DateTime? _triggered;
    private DateTime? _suspended;

    /// <summary>One collection: when it was triggered, how long until the threads were being suspended, and the pause itself.</summary>
    public readonly record struct Pause(DateTime Triggered, double ToSuspendMs, double PauseMs)
    {
        /// <summary>From the trigger to the threads running again: what an allocating request waited at most.</summary>
        public double StallMs => ToSuspendMs + PauseMs;
    }

    public IReadOnlyList<Pause> Between(DateTimeOffset from, DateTimeOffset to) =>
        [.. _pauses.Where(p => p.Triggered >= from.UtcDateTime && p.Triggered < to.UtcDateTime)];

    /// <summary>The suspension's reason: 1 for a collection, 6 for the preparation of one (other values: not the collector's).</summary>
    private static bool SuspendedForGc(EventWrittenEventArgs e) =>
        e.PayloadNames?.IndexOf("Reason") is >= 0 and var i && e.Payload?[i] is { } reason && Convert.ToUInt32(reason, CultureInfo.InvariantCulture) is 1 or 6;

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
        var at = e.TimeStamp.ToUniversalTime();
        switch (e.EventId)
        {
            case Triggered:
                _triggered = at;
                break;
            // The runtime suspends its threads for other reasons too (tiered compilation, for one): only a collection's counts.
            case SuspendBegin when SuspendedForGc(e):
                _suspended = at;
                break;
            case RestartEnd when _suspended is { } suspended:
                var triggered = _triggered is { } t && t <= suspended ? t : suspended;
                _pauses.Enqueue(new Pause(triggered, (suspended - triggered).TotalMilliseconds, (at - suspended).TotalMilliseconds));
                (_triggered, _suspended) = (null, null);
                break;
        }
    }
}
