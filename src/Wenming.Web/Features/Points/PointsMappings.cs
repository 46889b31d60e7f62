using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Points;

internal sealed class PointsMappings : IEntityTypeConfiguration<PointsAccount>, IEntityTypeConfiguration<PointsTransfer>, IEntityTypeConfiguration<PointsRules>,
    IEntityTypeConfiguration<PointsEarning>, IEntityTypeConfiguration<ShopItem>, IEntityTypeConfiguration<ShopStocking>, IEntityTypeConfiguration<Redemption>
{
    public void Configure(EntityTypeBuilder<PointsAccount> b)
    {
        b.ToTable("points_accounts", t => t.HasCheckConstraint("CK_points_accounts_floor", "\"Kind\" = 1 OR \"Balance\" >= 0"));
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Kind).HasConversion<int>();
        b.HasIndex(a => new { a.DistrictId, a.Kind, a.OwnerId }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(a => a.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    /// <summary>Append-only: triggers made by the migration refuse an update or a delete of a transfer.</summary>
    public void Configure(EntityTypeBuilder<PointsTransfer> b)
    {
        b.ToTable("points_transfers", t => t.HasCheckConstraint("CK_points_transfers_amount", "\"Amount\" > 0 AND \"DebitAccountId\" <> \"CreditAccountId\""));
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.Kind).HasConversion<int>();
        b.Property(t => t.Reason).HasMaxLength(300);
        b.Property(t => t.ActorName).HasMaxLength(50);
        b.Property(t => t.SourceRef).HasMaxLength(100);
        b.Property(t => t.IdempotencyKey).HasMaxLength(120);
        b.Property(t => t.UnitPath).HasMaxLength(400);
        b.HasIndex(t => new { t.DistrictId, t.IdempotencyKey }).IsUnique();
        b.HasIndex(t => t.PendingId).IsUnique().HasFilter("\"PendingId\" IS NOT NULL");
        b.HasIndex(t => new { t.DebitAccountId, t.CreatedAt });
        b.HasIndex(t => new { t.CreditAccountId, t.CreatedAt });
        b.HasIndex(t => new { t.UnitPath, t.CreatedAt });
        b.HasOne<PointsAccount>().WithMany().HasForeignKey(t => t.DebitAccountId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PointsAccount>().WithMany().HasForeignKey(t => t.CreditAccountId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PointsTransfer>().WithMany().HasForeignKey(t => t.PendingId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<PointsRules> b)
    {
        b.ToTable("points_rules");
        b.HasKey(r => r.DistrictId);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<PointsEarning> b)
    {
        b.ToTable("points_earnings");
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.ServiceKey).HasMaxLength(120);
        b.HasIndex(e => new { e.VolunteerId, e.ServiceKey }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<ShopItem> b)
    {
        b.ToTable("shop_items", t => t.HasCheckConstraint("CK_shop_items_stock", "\"Quantity\" >= 0 AND \"Price\" > 0"));
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.Name).HasMaxLength(50);
        b.Property(i => i.Description).HasMaxLength(200);
        b.Property(i => i.Donor).HasMaxLength(100);
        b.HasIndex(i => new { i.UnitId, i.Name });
        b.HasOne<Unit>().WithMany().HasForeignKey(i => i.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ShopStocking> b)
    {
        b.ToTable("shop_stockings");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Donor).HasMaxLength(100);
        b.Property(s => s.ByName).HasMaxLength(50);
        b.HasIndex(s => new { s.ItemId, s.At });
        b.HasOne<ShopItem>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Redemption> b)
    {
        b.ToTable("shop_redemptions", t => t.HasCheckConstraint("CK_shop_redemptions_payer", "(\"VolunteerId\" IS NULL) <> (\"ResidentUserId\" IS NULL)"));
        b.Ignore(r => r.PaidFrom);
        b.Ignore(r => r.PayerId);
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.Status).HasConversion<int>();
        b.Property(r => r.ItemName).HasMaxLength(50);
        b.Property(r => r.RequestKey).HasMaxLength(150);
        b.Property(r => r.SettledByName).HasMaxLength(50);
        b.HasIndex(r => new { r.DistrictId, r.RequestKey }).IsUnique();
        b.HasIndex(r => new { r.VolunteerId, r.CreatedAt });
        b.HasIndex(r => new { r.ResidentUserId, r.CreatedAt });
        b.HasIndex(r => new { r.UnitId, r.Status, r.CreatedAt });
        b.HasOne<ShopItem>().WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Volunteers.Volunteer>().WithMany().HasForeignKey(r => r.VolunteerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Accounts.AppUser>().WithMany().HasForeignKey(r => r.ResidentUserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PointsTransfer>().WithMany().HasForeignKey(r => r.ReserveTransferId).OnDelete(DeleteBehavior.Restrict);
    }
}
