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
    private static List<Entry>? _everything;

    internal sealed record Entry(string Sql, IReadOnlyList<NpgsqlParameter> Parameters, double Ms);

    /// <summary>Records the commands of the flow until disposed.</summary>
    public static IDisposable Capture(List<Entry> into)
    {
        Current.Value = into;
        return new Stop();
    }

    /// <summary>Records every command the platform sends, whichever request sends it, until disposed: for one request at a time.</summary>
    public static IDisposable CaptureAll(List<Entry> into)
    {
        _everything = into;
        return new Stop();
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return base.ScalarExecutedAsync(command, eventData, result, cancellationToken);
    }

    private static void Record(DbCommand command, CommandExecutedEventData eventData)
    {
        if ((Current.Value ?? _everything) is { } log)
        {
            lock (log)
            {
                log.Add(new Entry(command.CommandText, [.. command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone())],
                    eventData.Duration.TotalMilliseconds));
            }
        }
    }

    /// <summary>
    /// EXPLAIN (ANALYZE, BUFFERS) of each recorded query, on a connection of the bench's own, in a transaction rolled back
    /// (writes are explained too, and undone). With <paramref name="summary"/>, only each query's first line and its
    /// planning and execution times.
    /// </summary>
    public static async Task ExplainAsync(NpgsqlDataSource db, IEnumerable<Entry> entries, TextWriter output, bool summary = false)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var (planning, execution) = (0.0, 0.0);
        foreach (var (entry, i) in entries.Select((e, i) => (e, i + 1)))
        {
            if (entry.Sql.Contains(';', StringComparison.Ordinal))
            {
                output.WriteLine($"--- query {i}: {entry.Ms:F2} ms as the platform ran it; a batch of statements, not explained: {FirstLine(entry.Sql)}");
                continue;
            }

            await using var cmd = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + entry.Sql, connection, tx);
            foreach (var p in entry.Parameters)
            {
                cmd.Parameters.Add(p.Clone());
            }

            var plan = new List<string>();
            await tx.SaveAsync("explain");
            try
            {
                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }
            catch (PostgresException e)
            {
                await tx.RollbackAsync("explain");
                output.WriteLine($"  #{i,-2} {entry.Ms,6:F2} ms as run, not explained ({e.SqlState}): {FirstLine(entry.Sql)}");
                continue;
            }

            var times = plan.Where(l => l.StartsWith("Planning Time", StringComparison.Ordinal) || l.StartsWith("Execution Time", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(':')[1].Replace("ms", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            planning += times.ElementAtOrDefault(0);
            execution += times.ElementAtOrDefault(1);
            if (summary)
            {
                output.WriteLine($"  #{i,-2} {entry.Ms,6:F2} ms as run, planning {times.ElementAtOrDefault(0),5:F2} ms, execution {times.ElementAtOrDefault(1),5:F2} ms: {FirstLine(entry.Sql)}");
                continue;
            }

            output.WriteLine($"--- query {i}: {entry.Ms:F2} ms as the platform ran it ---");
            output.WriteLine(entry.Sql);
            foreach (var line in plan)
            {
                output.WriteLine("  " + line);
            }
        }

        await tx.RollbackAsync();
        output.WriteLine($"  planning {planning:F2} ms and execution {execution:F2} ms in all, as explained");
    }

    private static string FirstLine(string sql)
    {
        var words = string.Join(' ', sql.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        return words.Length > 110 ? words[..110] + "…" : words;
    }

    private sealed class Stop : IDisposable
    {
        public void Dispose() => Current.Value = null;
    }
}
