using System.Collections.Concurrent;

namespace Wenming.Web.Infrastructure.Jobs;

internal sealed record RowError(int Row, string Column, string Message);

/// <summary>What an import reports while it runs and when it ends; read by the page that polls it.</summary>
internal sealed class ImportProgress(Guid id, Guid ownerUserId, string kind)
{
    private readonly ConcurrentQueue<RowError> _errors = new();

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

    public int ErrorCount => _errors.Count;

    public IReadOnlyList<RowError> Errors(int max) => [.. _errors.Take(max)];

    public void Add(RowError error) => _errors.Enqueue(error);
}

/// <summary>
/// Imports run in the background and report progress here. Kept in memory: a job belongs to the instance that runs
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
        }

        var job = new ImportProgress(Guid.CreateVersion7(), ownerUserId, kind);
        _jobs[job.Id] = job;
        return job;
    }

    /// <summary>Only the person who started a job reads it.</summary>
    public ImportProgress? Find(Guid id, Guid? userId) => _jobs.TryGetValue(id, out var job) && job.OwnerUserId == userId ? job : null;
}
