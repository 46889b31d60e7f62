using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

internal sealed class OrderMappings : IEntityTypeConfiguration<WorkflowDefinition>, IEntityTypeConfiguration<Order>, IEntityTypeConfiguration<OrderEvent>,
    IEntityTypeConfiguration<OrderAssignment>, IEntityTypeConfiguration<OrderPhoto>, IEntityTypeConfiguration<OrderNotice>,
    IEntityTypeConfiguration<Open311Key>
{
    public void Configure(EntityTypeBuilder<WorkflowDefinition> b)
    {
        b.ToTable("workflows");
        b.Property(w => w.Name).HasMaxLength(100);
        b.Property(w => w.Preset).HasMaxLength(32);
        b.Property(w => w.StepsJson).HasMaxLength(8000);
        b.Ignore(w => w.Steps);
        b.Ignore(w => w.FirstHandlingStep);
        b.HasIndex(w => new { w.DistrictId, w.Version }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(w => w.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.ToTable("orders");
        b.Property(o => o.Number).HasMaxLength(20);
        b.Property(o => o.Title).HasMaxLength(100);
        b.Property(o => o.Description).HasMaxLength(1000);
        b.Property(o => o.Address).HasMaxLength(200);
        b.Property(o => o.ContactName).HasMaxLength(50);
        b.Property(o => o.ContactPhone).HasMaxLength(20);
        b.Property(o => o.PartnerName).HasMaxLength(100);
        b.Property(o => o.ConfirmTokenHash).HasMaxLength(64);
        b.Property(o => o.RatingComment).HasMaxLength(500);
        b.Property(o => o.DeliveryNote).HasMaxLength(1000);
        b.Property(o => o.State).HasConversion<int>();
        b.Property(o => o.Channel).HasConversion<int>();
        b.Property(o => o.Version).IsConcurrencyToken();
        b.Ignore(o => o.Step);
        b.Ignore(o => o.IsFinished);
        b.HasIndex(o => new { o.DistrictId, o.Number }).IsUnique();
        b.HasIndex(o => new { o.DistrictId, o.State, o.StepDueAt });
        b.HasIndex(o => new { o.HolderUnitId, o.State });
        b.HasIndex(o => new { o.UnitId, o.CreatedAt });
        b.HasIndex(o => o.RequesterUserId);
        // Every placed order writes each index: those on columns most orders leave empty are partial.
        b.HasIndex(o => o.HolderTeamId).HasFilter("\"HolderTeamId\" IS NOT NULL");
        b.HasIndex(o => o.ConfirmTokenHash).HasFilter("\"ConfirmTokenHash\" IS NOT NULL");
        b.HasIndex(o => new { o.DistrictId, o.OpenForClaim }).HasFilter("\"OpenForClaim\"");
        b.HasIndex(o => new { o.PlatformId, o.Latitude }); // the possible-duplicate check (open orders within 50 m); also the platform's key
        b.HasIndex(o => o.ProjectId).HasFilter("\"ProjectId\" IS NOT NULL");
        b.HasOne<Activities.Project>().WithMany().HasForeignKey(o => o.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(o => o.Workflow).WithMany().HasForeignKey(o => o.WorkflowId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(o => o.Unit).WithMany().HasForeignKey(o => o.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(o => o.HolderUnit).WithMany().HasForeignKey(o => o.HolderUnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Teams.Team>().WithMany().HasForeignKey(o => o.HolderTeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(o => o.PlatformId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(o => o.Events).WithOne().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(o => o.Assignments).WithOne().HasForeignKey(a => a.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(o => o.Photos).WithOne().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<OrderEvent> b)
    {
        b.ToTable("order_events");
        // Found through the order's timeline, never added on their own: tracked as new, not as existing rows to update.
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.Action).HasMaxLength(32);
        b.Property(e => e.StepName).HasMaxLength(40);
        b.Property(e => e.ActorName).HasMaxLength(100);
        b.Property(e => e.Note).HasMaxLength(500);
        b.HasIndex(e => new { e.OrderId, e.Sequence }).IsUnique();
        b.HasIndex(e => e.ActorUserId);
    }

    public void Configure(EntityTypeBuilder<OrderAssignment> b)
    {
        b.ToTable("order_assignments");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.HasIndex(a => new { a.VolunteerId, a.CheckOutAt });
        b.HasIndex(a => a.OrderId);
        b.HasOne(a => a.Volunteer).WithMany().HasForeignKey(a => a.VolunteerId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<OrderPhoto> b)
    {
        Infrastructure.Files.StoredPhoto.Map(b, "order_photos");
        b.Property(p => p.Id).ValueGeneratedNever();
    }

    public void Configure(EntityTypeBuilder<OrderNotice> b)
    {
        b.ToTable("order_notices");
        b.Property(n => n.Text).HasMaxLength(300);
        b.HasIndex(n => new { n.UnitId, n.CreatedAt });
        b.HasIndex(n => new { n.UserId, n.CreatedAt }).HasFilter("\"UserId\" IS NOT NULL");
    }

    public void Configure(EntityTypeBuilder<Open311Key> b)
    {
        b.ToTable("open311_keys");
        b.Property(k => k.Name).HasMaxLength(100);
        b.Property(k => k.KeyHash).HasMaxLength(64);
        b.HasIndex(k => k.KeyHash).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(k => k.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>A partner system's key for filing orders through Open311 (hashed; the key itself is shown once).</summary>
internal sealed class Open311Key : IDistrictOwned
{
    private Open311Key()
    {
    }

    public Open311Key(Guid districtId, string name, string keyHash, Guid? createdById, DateTimeOffset now)
    {
        Id = Infrastructure.Data.Ids.New();
        DistrictId = districtId;
        Name = name;
        KeyHash = keyHash;
        CreatedById = createdById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public string Name { get; private set; } = "";
    public string KeyHash { get; private set; } = "";
    public Guid? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    /// <summary>
    /// A new key for a named partner: 24 random bytes (192 bits) in URL-safe characters, safe in a form field or a query
    /// string. The key itself is returned to be shown once; only its hash is kept.
    /// </summary>
    public static (Open311Key Key, string ApiKey) Issue(Guid districtId, string name, Guid? createdById, DateTimeOffset now)
    {
        var apiKey = "wm311-" + Infrastructure.Tokens.New(24);
        return (new Open311Key(districtId, name, Infrastructure.Tokens.Hash(apiKey), createdById, now), apiKey);
    }

    public void Revoke(DateTimeOffset now) => RevokedAt = now;

    /// <summary>The key in use that <paramref name="apiKey"/> is, in any district (a partner names its district by the key).</summary>
    public static async Task<Open311Key?> InUseAsync(Infrastructure.Data.AppDbContext db, string apiKey, CancellationToken ct)
    {
        var hash = Infrastructure.Tokens.Hash(apiKey.Trim());
        return await db.Set<Open311Key>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, ct);
    }
}
