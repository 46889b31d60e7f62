using System.Collections.Concurrent;

namespace Wenming.Web.Infrastructure.Jobs;

internal sealed record RowError(int Row, string Column, string Message);

/// <summary>What an import reports while it runs and when it ends; read by the page that polls it.</summary>
internal sealed class ImportProgress(Guid id, Guid ownerUserId, string kind)
{
    private readonly ConcurrentQueue<RowError> _errors = new();
    private readonly ConcurrentQueue<RowError> _warnings = new();
    private readonly ConcurrentDictionary<int, byte> _failedRows = new();

    public Guid Id { get; } = id;
    public Guid OwnerUserId { get; } = ownerUserId;
    public string Kind { get; } = kind;
    public int RowsRead { get; set; }
    public int Imported { get; set; }
    public bool Done { get; set; }
    public bool Committed { get; set; }
    public string? Failure { get; set; }
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The failed rows with their original cells and reasons (<see cref="ImportErrorWorkbook"/>), once written.</summary>
    public string? ErrorWorkbook { get; set; }

    /// <summary>What the job works on, as its page names it (the activity or team whose certificates are issued).</summary>
    public string? Title { get; set; }

    /// <summary>How many items the job has to go through, when known at the start (a batch of certificates).</summary>
    public int? Total { get; set; }

    /// <summary>What the job produced (a zip of certificates), once written; deleted with the job.</summary>
    public string? ResultFile { get; set; }

    public int ErrorCount => _errors.Count;

    /// <summary>Rows refused, however many reasons each has.</summary>
    public int FailedRowCount => _failedRows.Count;

    public int WarningCount => _warnings.Count;

    public IReadOnlyList<RowError> Errors(int max) => [.. _errors.Take(max)];

    /// <summary>Every reason, in the order found.</summary>
    public IReadOnlyList<RowError> AllErrors() => [.. _errors];

    public IReadOnlyList<RowError> Warnings(int max) => [.. _warnings.Take(max)];

    public void Add(RowError error)
    {
        _errors.Enqueue(error);
        _failedRows.TryAdd(error.Row, 0);
    }

    /// <summary>Something the row's data did not fit but was kept anyway (a skill not in the district's list, kept as written).</summary>
    public void Warn(RowError warning) => _warnings.Enqueue(warning);
}

/// <summary>
/// Imports (and other long work: a batch of certificates) run in the background and report progress here. Kept in memory: a job belongs to the instance that runs
/// it, and an import is short-lived (minutes); the result (rows written or not) is in the database either way.
/// </summary>
internal sealed class ImportJobs
{
    private readonly ConcurrentDictionary<Guid, ImportProgress> _jobs = new();

    public ImportProgress Start(Guid ownerUserId, string kind)
    {
        foreach (var old in _jobs.Values.Where(j => j.Done && j.FinishedAt < DateTimeOffset.UtcNow.AddHours(-6)).ToList())
        {
            _jobs.TryRemove(old.Id, out _);
            foreach (var file in new[] { old.ErrorWorkbook, old.ResultFile }.OfType<string>())
            {
                File.Delete(file);
            }
        }

        var job = new ImportProgress(Guid.CreateVersion7(), ownerUserId, kind);
        _jobs[job.Id] = job;
        return job;
    }

    /// <summary>A job of this kind the person started that is still running: a second click finds it instead of starting another.</summary>
    public ImportProgress? Running(Guid ownerUserId, string kind) => _jobs.Values.FirstOrDefault(j => j.OwnerUserId == ownerUserId && j.Kind == kind && !j.Done);

    /// <summary>Only the person who started a job reads it.</summary>
    public ImportProgress? Find(Guid id, Guid? userId) => _jobs.TryGetValue(id, out var job) && job.OwnerUserId == userId ? job : null;
}

/// <summary>
/// The rows an import refused, as the admin wrote them, each with its reasons in a last column: fix them in place and
/// import the file again (the reason column is ignored), and exactly those rows are added.
/// </summary>
internal static class ImportErrorWorkbook
{
    public const string ReasonColumn = "错误原因";

    /// <summary>Reads the uploaded sheet again (streamed) and writes its failed rows to a file of their own; returns its path.</summary>
    public static async Task<string> WriteAsync(string uploadedSheet, ImportProgress job, string sheetName, CancellationToken ct)
    {
        var reasons = job.AllErrors().GroupBy(e => e.Row)
            .ToDictionary(g => g.Key, g => string.Join("；", g.Select(e => e.Column.Length > 0 ? $"{e.Column}：{e.Message}" : e.Message).Distinct()));
        var path = Path.Combine(Path.GetTempPath(), $"wenming-import-errors-{job.Id:N}.xlsx");
        await using var source = File.OpenRead(uploadedSheet);
        await using var target = File.Create(path);
        await SheetWriter.WriteAsync(target, FailedRows(source, reasons), sheetName, ct);
        return path;
    }

    private static IEnumerable<IReadOnlyDictionary<string, object?>> FailedRows(Stream source, Dictionary<int, string> reasons)
    {
        var rowNumber = 1; // the header is row 1, as the reasons count
        foreach (var row in Sheets.Rows(source))
        {
            rowNumber++;
            if (reasons.TryGetValue(rowNumber, out var reason))
            {
                var copy = row.Where(c => c.Key != ReasonColumn).ToDictionary(c => c.Key, c => c.Value);
                copy[ReasonColumn] = reason;
                yield return copy;
            }
        }
    }
}
