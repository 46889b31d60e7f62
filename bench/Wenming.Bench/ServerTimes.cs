using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Wenming.Bench;

/// <summary>
/// When the platform began and finished each open-loop request, by the request's <c>X-Bench-Seq</c>, on this process's
/// clock (the load generator's too): first in the pipeline, so that a request's latency splits into the client's and
/// the sockets' share before the server has it, the server's, and the share after.
/// </summary>
internal sealed class ServerTimes : IStartupFilter
{
    public const string Header = "X-Bench-Seq";

    private readonly ConcurrentDictionary<(int Round, long Seq), (long Start, long End)> _times = new();

    /// <summary>The open loop being recorded (0: none).</summary>
    public int Round { get; set; }

    public bool TryGet(int round, long seq, out (long Start, long End) times) => _times.TryGetValue((round, seq), out times);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var round = Round;
            if (round == 0 || !long.TryParse(context.Request.Headers[Header], out var seq))
            {
                await nextMiddleware(context);
                return;
            }

            var start = Stopwatch.GetTimestamp();
            await nextMiddleware(context);
            _times[(round, seq)] = (start, Stopwatch.GetTimestamp());
        });
        next(app);
    };
}
