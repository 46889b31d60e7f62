using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Events;

/// <summary>
/// Something that happened, for whatever follows it (records, points, notices, dashboards): written by the entity that
/// changed, in the same transaction as the change, and handed to each subscriber by <see cref="OutboxDispatcher"/>.
/// </summary>
internal interface IOutboxEvent
{
    /// <summary>A stable name, <c>feature.past-tense</c>: subscribers choose by it.</summary>
    string Kind { get; }

    Guid DistrictId { get; }

    /// <summary>The entity it happened to.</summary>
    Guid SubjectId { get; }
}

/// <summary>An entity whose changes raise events; they are staged into the outbox when it is saved.</summary>
internal interface IRaisesEvents
{
    bool HasEvents { get; }

    IReadOnlyList<IOutboxEvent> TakeEvents();
}

/// <summary>One event in the outbox: append-only; only its delivery state changes.</summary>
internal sealed class OutboxMessage : IDistrictOwned
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private OutboxMessage()
    {
    }

    public OutboxMessage(IOutboxEvent e, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = e.DistrictId;
        Kind = e.Kind;
        SubjectId = e.SubjectId;
        Payload = JsonSerializer.Serialize(e, e.GetType(), Json);
        OccurredAt = now;
        Sequence = now.UtcTicks;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Kind { get; private set; } = "";
    public Guid SubjectId { get; private set; }
    public string Payload { get; private set; } = "{}";
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>The order of delivery (UTC ticks when it happened; SQLite cannot order by a time with an offset).</summary>
    public long Sequence { get; private set; }

    /// <summary>When every subscriber had it.</summary>
    public DateTimeOffset? ProcessedAt { get; private set; }

    public int Attempts { get; private set; }

    /// <summary>UTC ticks before which a failed delivery is not tried again.</summary>
    public long NextAttemptTicks { get; private set; }

    public string? LastError { get; private set; }

    public T Read<T>() where T : IOutboxEvent => JsonSerializer.Deserialize<T>(Payload, Json)!;
}

/// <summary>A subscriber has handled a message: written in the subscriber's own transaction, so it handles each message once.</summary>
internal sealed class OutboxReceipt
{
    private OutboxReceipt()
    {
    }

    public OutboxReceipt(Guid messageId, string subscriber, DateTimeOffset now)
    {
        MessageId = messageId;
        Subscriber = subscriber;
        HandledAt = now;
    }

    public Guid MessageId { get; private set; }
    public string Subscriber { get; private set; } = "";
    public DateTimeOffset HandledAt { get; private set; }
}

internal sealed class OutboxMessageMapping : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages");
        b.HasKey(m => m.Id);
        b.Property(m => m.Kind).HasMaxLength(64);
        b.Property(m => m.LastError).HasMaxLength(500);
        b.HasIndex(m => new { m.ProcessedAt, m.Sequence });
        b.HasIndex(m => new { m.SubjectId, m.Kind });
    }
}

internal sealed class OutboxReceiptMapping : IEntityTypeConfiguration<OutboxReceipt>
{
    public void Configure(EntityTypeBuilder<OutboxReceipt> b)
    {
        b.ToTable("outbox_receipts");
        b.HasKey(r => new { r.MessageId, r.Subscriber });
        b.Property(r => r.Subscriber).HasMaxLength(64);
    }
}
