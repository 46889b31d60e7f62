using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Honours;

internal sealed class HonourMappings : IEntityTypeConfiguration<HonourTitle>, IEntityTypeConfiguration<HonourAward>, IEntityTypeConfiguration<VoteRound>,
    IEntityTypeConfiguration<Nominee>, IEntityTypeConfiguration<HonourVote>, IEntityTypeConfiguration<HonourRules>
{
    public void Configure(EntityTypeBuilder<HonourTitle> b)
    {
        b.ToTable("honour_titles");
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.Name).HasMaxLength(20);
        b.Property(t => t.Recipient).HasConversion<int>();
        b.Property(t => t.Method).HasConversion<int>();
        b.HasIndex(t => new { t.DistrictId, t.Name }).IsUnique();
        b.HasOne<District>().WithMany().HasForeignKey(t => t.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    /// <summary>
    /// One volunteer (or, for a name not on the platform, one named person or household) holds a title once for a unit and
    /// period, a withdrawn award aside, whoever gives it twice at once; two volunteers of the same name are two people.
    /// </summary>
    public void Configure(EntityTypeBuilder<HonourAward> b)
    {
        b.ToTable("honour_awards");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.TitleName).HasMaxLength(20);
        b.Property(a => a.RecipientName).HasMaxLength(50);
        b.Property(a => a.Period).HasMaxLength(50);
        b.Property(a => a.Evidence).HasMaxLength(1000);
        b.Property(a => a.WithdrawReason).HasMaxLength(500);
        b.Property(a => a.Recipient).HasConversion<int>();
        b.Property(a => a.Method).HasConversion<int>();
        b.HasIndex(a => new { a.TitleId, a.UnitId, a.Period, a.RecipientName }, "IX_honour_awards_named").IsUnique()
            .HasFilter("\"WithdrawnAt\" IS NULL AND \"VolunteerId\" IS NULL");
        b.HasIndex(a => new { a.TitleId, a.UnitId, a.Period, a.VolunteerId }, "IX_honour_awards_volunteer").IsUnique()
            .HasFilter("\"WithdrawnAt\" IS NULL AND \"VolunteerId\" IS NOT NULL");
        b.HasIndex(a => new { a.UnitId, a.AwardedAt });
        b.HasIndex(a => a.VolunteerId).HasFilter("\"VolunteerId\" IS NOT NULL");
        b.HasOne<HonourTitle>().WithMany().HasForeignKey(a => a.TitleId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(a => a.Unit).WithMany().HasForeignKey(a => a.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Volunteers.Volunteer>().WithMany().HasForeignKey(a => a.VolunteerId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<VoteRound> b)
    {
        b.ToTable("honour_vote_rounds");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.Name).HasMaxLength(50);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasIndex(r => new { r.UnitId, r.ClosesAt });
        b.HasOne(r => r.Title).WithMany().HasForeignKey(r => r.TitleId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(r => r.Unit).WithMany().HasForeignKey(r => r.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Nominee> b)
    {
        b.ToTable("honour_nominees");
        b.Property(n => n.Id).ValueGeneratedNever();
        b.Property(n => n.Name).HasMaxLength(50);
        b.Property(n => n.Evidence).HasMaxLength(1000);
        b.HasIndex(n => new { n.RoundId, n.Name }).IsUnique();
        b.HasOne<VoteRound>().WithMany().HasForeignKey(n => n.RoundId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<HonourVote> b)
    {
        b.ToTable("honour_votes");
        b.Property(v => v.Id).ValueGeneratedNever();
        b.HasIndex(v => new { v.RoundId, v.UserId }).IsUnique();
        b.HasIndex(v => v.NomineeId);
        b.HasOne<VoteRound>().WithMany().HasForeignKey(v => v.RoundId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Nominee>().WithMany().HasForeignKey(v => v.NomineeId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<HonourRules> b)
    {
        b.ToTable("honour_rules");
        b.HasKey(r => r.DistrictId);
        b.Property(r => r.RatingWeight).HasPrecision(6, 2);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}
