using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

internal sealed class RecordMappings : IEntityTypeConfiguration<ServiceRecord>, IEntityTypeConfiguration<RecordRules>, IEntityTypeConfiguration<Certificate>,
    IEntityTypeConfiguration<CorrectionRequest>, IEntityTypeConfiguration<VolunteerTotal>, IEntityTypeConfiguration<StarCertification>
{
    /// <summary>One certification a star and volunteer, whoever certifies it twice at once.</summary>
    public void Configure(EntityTypeBuilder<StarCertification> b)
    {
        b.ToTable("star_certifications");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.UnitName).HasMaxLength(100);
        b.Property(c => c.CertifiedByName).HasMaxLength(50);
        b.HasIndex(c => new { c.VolunteerId, c.Star }).IsUnique();
        b.HasOne<Volunteers.Volunteer>().WithMany().HasForeignKey(c => c.VolunteerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Unit>().WithMany().HasForeignKey(c => c.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    /// <summary>Append-only: triggers made by the migration refuse an update or a delete of a record or a certificate.</summary>
    public void Configure(EntityTypeBuilder<ServiceRecord> b)
    {
        b.ToTable("service_records");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.Source).HasConversion<int>();
        b.Property(r => r.Title).HasMaxLength(100);
        b.Property(r => r.Address).HasMaxLength(200);
        b.Property(r => r.ConfirmedByName).HasMaxLength(50);
        b.Property(r => r.Reason).HasMaxLength(500);
        b.HasIndex(r => new { r.VolunteerId, r.StartedAt });
        b.HasIndex(r => new { r.Source, r.SourceId });
        b.HasIndex(r => r.SignupId).HasFilter("\"SignupId\" IS NOT NULL");
        b.HasIndex(r => new { r.TeamId, r.StartedAt }).HasFilter("\"TeamId\" IS NOT NULL");
        b.HasIndex(r => new { r.OrganizerUnitId, r.StartedAt });
        b.HasOne<Volunteers.Volunteer>().WithMany().HasForeignKey(r => r.VolunteerId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Unit>().WithMany().HasForeignKey(r => r.OrganizerUnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ServiceRecord>().WithMany().HasForeignKey(r => r.CorrectsId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<RecordRules> b)
    {
        b.ToTable("record_rules");
        b.HasKey(r => r.DistrictId);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Certificate> b)
    {
        b.ToTable("certificates");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Code).HasMaxLength(40);
        b.Property(c => c.Number).HasMaxLength(40);
        b.Property(c => c.Name).HasMaxLength(50);
        b.Property(c => c.IdKind).HasMaxLength(30);
        b.Property(c => c.IdNumberMasked).HasMaxLength(40);
        b.Property(c => c.VolunteerNumber).HasMaxLength(40);
        b.Property(c => c.HandlerName).HasMaxLength(50);
        b.Property(c => c.Digest).HasMaxLength(64);
        b.Ignore(c => c.Services);
        b.Ignore(c => c.Issuers);
        b.Ignore(c => c.Hours);
        b.Ignore(c => c.IsIntact);
        b.HasIndex(c => c.Code).IsUnique();
        b.HasIndex(c => new { c.DistrictId, c.Number }).IsUnique();
        b.HasIndex(c => new { c.VolunteerId, c.IssuedAt });
        b.HasOne<Volunteers.Volunteer>().WithMany().HasForeignKey(c => c.VolunteerId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<CorrectionRequest> b)
    {
        b.ToTable("record_correction_requests");
        b.Property(c => c.Status).HasConversion<int>();
        b.Property(c => c.Reason).HasMaxLength(500);
        b.Property(c => c.Decision).HasMaxLength(500);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasIndex(c => new { c.OrganizerUnitId, c.Status });
        b.HasIndex(c => c.RecordId);
        b.HasOne<ServiceRecord>().WithMany().HasForeignKey(c => c.RecordId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<VolunteerTotal> b)
    {
        b.ToTable("volunteer_totals");
        b.HasKey(t => t.VolunteerId);
        b.Property(t => t.Version).IsConcurrencyToken();
        // A district's ranking reads the top of this index in its own order (most minutes first, ties by volunteer): no sort.
        b.HasIndex(t => new { t.DistrictId, t.Minutes, t.VolunteerId }).IsDescending(false, true, false);
        b.HasOne<Volunteers.Volunteer>().WithOne().HasForeignKey<VolunteerTotal>(t => t.VolunteerId).OnDelete(DeleteBehavior.Restrict);
    }
}
