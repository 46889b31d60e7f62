using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.RedYellowList;

internal sealed class ConductMappings : IEntityTypeConfiguration<ConductItem>, IEntityTypeConfiguration<ConductEvent>, IEntityTypeConfiguration<ConductRules>,
    IEntityTypeConfiguration<ConductBenefit>, IEntityTypeConfiguration<BenefitOverride>
{
    public void Configure(EntityTypeBuilder<ConductItem> b)
    {
        b.ToTable("conduct_items");
        b.Property(i => i.Id).ValueGeneratedNever();
        b.Property(i => i.Title).HasMaxLength(30);
        b.Property(i => i.Colour).HasConversion<int>();
        b.HasIndex(i => new { i.DistrictId, i.Colour, i.Title }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(i => i.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ConductEvent> b)
    {
        b.ToTable("conduct_events", t => t.HasCheckConstraint("CK_conduct_events_points", "\"Points\" > 0 AND \"Moved\" >= 0"));
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.Colour).HasConversion<int>();
        b.Property(e => e.Status).HasConversion<int>();
        b.Property(e => e.ItemTitle).HasMaxLength(30);
        b.Property(e => e.ResidentName).HasMaxLength(50);
        b.Property(e => e.UnitPath).HasMaxLength(400);
        b.Property(e => e.Evidence).HasMaxLength(500);
        b.Property(e => e.PhotoName).HasMaxLength(100);
        b.Property(e => e.PhotoType).HasMaxLength(50);
        b.Property(e => e.RecordedByName).HasMaxLength(50);
        b.Property(e => e.AppealReason).HasMaxLength(500);
        b.Property(e => e.DecidedByName).HasMaxLength(50);
        b.Property(e => e.DecisionNote).HasMaxLength(500);
        b.Property(e => e.Version).IsConcurrencyToken();
        b.HasIndex(e => new { e.ResidentUserId, e.OccurredOn });
        b.HasIndex(e => new { e.UnitPath, e.RecordedAt });
        b.HasIndex(e => new { e.DistrictId, e.Status });
        b.HasOne<ConductItem>().WithMany().HasForeignKey(e => e.ItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.ResidentUserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Organization.Unit>().WithMany().HasForeignKey(e => e.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ConductRules> b)
    {
        b.ToTable("conduct_rules");
        b.HasKey(r => r.DistrictId);
        b.Property(r => r.Board).HasConversion<int>();
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ConductBenefit> b)
    {
        b.ToTable("conduct_benefits");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Name).HasMaxLength(30);
        b.HasIndex(x => new { x.DistrictId, x.Name }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(x => x.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<BenefitOverride> b)
    {
        b.ToTable("conduct_benefit_overrides");
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Mode).HasConversion<int>();
        b.Property(x => x.Reason).HasMaxLength(500);
        b.Property(x => x.ByName).HasMaxLength(50);
        b.HasIndex(x => new { x.ResidentUserId, x.BenefitId, x.At });
        b.HasOne<AppUser>().WithMany().HasForeignKey(x => x.ResidentUserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ConductBenefit>().WithMany().HasForeignKey(x => x.BenefitId).OnDelete(DeleteBehavior.Restrict);
    }
}
