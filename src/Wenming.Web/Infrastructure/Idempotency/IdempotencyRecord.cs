using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Wenming.Web.Infrastructure.Idempotency;

/// <summary>
/// One Idempotency-Key a caller used: the request it stood for and the response it got, to replay on a retry. While the
/// request runs, the record is its reservation (no status yet) until <see cref="LockedUntil"/>; the answer is written in
/// the transaction of the request's own writes (docs/adr/0008).
/// </summary>
internal sealed class IdempotencyRecord
{
    private IdempotencyRecord()
    {
    }

    public IdempotencyRecord(Guid id, Guid userId, string key, string request, string requestHash, DateTimeOffset createdAt, DateTimeOffset lockedUntil)
    {
        Id = id;
        UserId = userId;
        Key = key;
        Request = request;
        RequestHash = requestHash;
        CreatedAt = createdAt;
        LockedUntil = lockedUntil;
    }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public string Key { get; private set; } = "";
    public string Request { get; private set; } = "";
    public string RequestHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>
    /// Until when the reservation holds while the request has no answer: a retry after it takes the key over and runs
    /// again, since the process that reserved it is gone (or, if it still runs, its answer no longer finds its record and
    /// its writes roll back).
    /// </summary>
    public DateTimeOffset LockedUntil { get; private set; }

    /// <summary>
    /// Null while the first request is still running. 0 only in records written before docs/adr/0008, when a failure after
    /// the save left the outcome unknown; they age out with the rest.
    /// </summary>
    public int? StatusCode { get; private set; }

    public string? ContentType { get; private set; }
    public string? Location { get; private set; }
    public byte[]? Body { get; private set; }
}

internal sealed class IdempotencyRecordMapping : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_records");
        b.Property(r => r.Key).HasMaxLength(100);
        b.Property(r => r.Request).HasMaxLength(300);
        b.Property(r => r.RequestHash).HasMaxLength(64);
        b.Property(r => r.ContentType).HasMaxLength(100);
        b.Property(r => r.Location).HasMaxLength(300);
        b.HasIndex(r => new { r.UserId, r.Key }).IsUnique();
        b.HasIndex(r => r.CreatedAt);
    }
}
