using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Wenming.Web.Infrastructure.Idempotency;

/// <summary>One Idempotency-Key a caller used: the request it stood for and the response it got, to replay on a retry.</summary>
internal sealed class IdempotencyRecord
{
    private IdempotencyRecord()
    {
    }

    public IdempotencyRecord(Guid id, Guid userId, string key, string request, string requestHash, DateTimeOffset createdAt)
    {
        Id = id;
        UserId = userId;
        Key = key;
        Request = request;
        RequestHash = requestHash;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public string Key { get; private set; } = "";
    public string Request { get; private set; } = "";
    public string RequestHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>Null while the first request is still running.</summary>
    public int? StatusCode { get; private set; }

    public string? ContentType { get; private set; }
    public string? Location { get; private set; }
    public byte[]? Body { get; private set; }

    public void Complete(int status, string? contentType, string? location, byte[] body)
    {
        StatusCode = status;
        ContentType = contentType;
        Location = location;
        Body = body;
    }
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
