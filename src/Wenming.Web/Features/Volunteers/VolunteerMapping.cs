using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

internal sealed class VolunteerMapping : IEntityTypeConfiguration<Volunteer>
{
    public void Configure(EntityTypeBuilder<Volunteer> b)
    {
        b.ToTable("volunteers");
        b.Property(v => v.Number).HasMaxLength(20);
        b.Property(v => v.Name).HasMaxLength(50);
        b.Property(v => v.IdNumberCipher).HasMaxLength(200);
        b.Property(v => v.IdNumberHash).HasMaxLength(64);
        b.Property(v => v.IdNumberMasked).HasMaxLength(40);
        b.Property(v => v.Phone).HasMaxLength(20);
        b.Property(v => v.PoliticalStatus).HasMaxLength(20);
        b.Property(v => v.Education).HasMaxLength(20);
        b.Property(v => v.Occupation).HasMaxLength(50);
        b.Property(v => v.EmergencyContactName).HasMaxLength(50);
        b.Property(v => v.EmergencyContactPhone).HasMaxLength(20);
        b.Property(v => v.GuardianName).HasMaxLength(50);
        b.Property(v => v.GuardianPhone).HasMaxLength(20);
        b.Property(v => v.StatusReason).HasMaxLength(200);
        b.Property(v => v.PhotoName).HasMaxLength(100);
        b.Property(v => v.PhotoType).HasMaxLength(20);
        b.Property(v => v.Gender).HasConversion<int>();
        b.Property(v => v.IdType).HasConversion<int>();
        b.Property(v => v.Status).HasConversion<int>();
        b.Property(v => v.Version).IsConcurrencyToken();
        // One person per ID number per installation: the keyed hash is unique across every district.
        b.HasIndex(v => v.IdNumberHash).IsUnique();
        b.HasIndex(v => new { v.DistrictId, v.Number }).IsUnique();
        b.HasIndex(v => v.UserId).IsUnique();
        b.HasIndex(v => new { v.HomeUnitId, v.Status });
        b.HasOne(v => v.HomeUnit).WithMany().HasForeignKey(v => v.HomeUnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AppUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(v => v.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}
