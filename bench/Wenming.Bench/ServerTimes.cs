using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

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
    private readonly ConcurrentDictionary<(int Round, long Seq), long> _admitted = new();

    /// <summary>The open loop being recorded (0: none).</summary>
    public int Round { get; set; }

    public bool TryGet(int round, long seq, out (long Start, long End) times) => _times.TryGetValue((round, seq), out times);

    /// <summary>When the request's data scope was first asked for: past the intake queue and authentication, as the caller is read.</summary>
    public long Admitted(int round, long seq) => _admitted.GetValueOrDefault((round, seq));

    public void Admit(HttpContext? context)
    {
        var round = Round;
        if (round != 0 && context is not null && long.TryParse(context.Request.Headers[Header], out var seq))
        {
            _admitted.TryAdd((round, seq), Stopwatch.GetTimestamp());
        }
    }

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
