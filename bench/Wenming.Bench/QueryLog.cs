using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Wenming.Bench;

/// <summary>
/// The SQL the platform sends while <see cref="Capture"/> is on in the calling flow (an async-local switch, so other
/// requests are not recorded): each command's text, parameters and time, to be explained afterwards on a connection
/// of the bench's own.
/// </summary>
internal sealed class QueryLog : DbCommandInterceptor
{
    private static readonly AsyncLocal<List<Entry>?> Current = new();

    internal sealed record Entry(string Sql, IReadOnlyList<NpgsqlParameter> Parameters, double Ms);

    /// <summary>Records the commands of the flow until disposed.</summary>
    public static IDisposable Capture(List<Entry> into)
    {
        Current.Value = into;
        return new Stop();
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Current.Value?.Add(new Entry(command.CommandText,
            [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone())], eventData.Duration.TotalMilliseconds));
        return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
    }

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) of each recorded query, on a connection of the bench's own.</summary>
    public static async Task ExplainAsync(NpgsqlDataSource db, IEnumerable<Entry> entries, TextWriter output)
    {
        foreach (var (entry, i) in entries.Select((e, i) => (e, i + 1)))
        {
            await using var cmd = db.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + entry.Sql);
            foreach (var p in entry.Parameters)
            {
                cmd.Parameters.Add(p.Clone());
            }

            var plan = new List<string>();
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            output.WriteLine($"--- query {i}: {entry.Ms:F2} ms as the platform ran it ---");
            output.WriteLine(entry.Sql);
            foreach (var line in plan)
            {
                output.WriteLine("  " + line);
            }
        }
    }

    private sealed class Stop : IDisposable
    {
        public void Dispose() => Current.Value = null;
    }
}
