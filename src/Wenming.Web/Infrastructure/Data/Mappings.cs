using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Data;

internal sealed class DistrictMapping : IEntityTypeConfiguration<District>
{
    public void Configure(EntityTypeBuilder<District> b)
    {
        b.ToTable("districts");
        b.Property(d => d.Code).HasMaxLength(12);
        b.HasIndex(d => d.Code).IsUnique();
        b.Property(d => d.Name).HasMaxLength(100);
        b.Property(d => d.EnglishName).HasMaxLength(100);
        b.Property(d => d.TimeZone).HasMaxLength(64);
        b.Property(d => d.WorkflowPreset).HasMaxLength(32);
    }
}

internal sealed class UnitMapping : IEntityTypeConfiguration<Unit>
{
    public void Configure(EntityTypeBuilder<Unit> b)
    {
        b.ToTable("units");
        b.Property(u => u.Name).HasMaxLength(100);
        b.Property(u => u.Code).HasMaxLength(40);
        b.Property(u => u.Path).HasMaxLength(400);
        b.Property(u => u.Address).HasMaxLength(200);
        b.Property(u => u.OpeningHours).HasMaxLength(100);
        b.Property(u => u.HeadName).HasMaxLength(50);
        b.Property(u => u.Phone).HasMaxLength(30);
        b.Property(u => u.Kind).HasConversion<int>();
        b.Property(u => u.Version).IsConcurrencyToken();
        b.Ignore(u => u.IsClosed);
        b.HasIndex(u => u.Path);
        b.HasIndex(u => new { u.DistrictId, u.Code }).IsUnique();
        b.HasIndex(u => u.ParentId);
        b.HasOne<District>().WithMany().HasForeignKey(u => u.DistrictId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Unit>().WithMany().HasForeignKey(u => u.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PlatformMapping : IEntityTypeConfiguration<Platform>
{
    public void Configure(EntityTypeBuilder<Platform> b)
    {
        b.ToTable("platforms");
        b.Property(p => p.Name).HasMaxLength(50);
        b.HasIndex(p => new { p.DistrictId, p.SortOrder });
        b.HasOne<District>().WithMany().HasForeignKey(p => p.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RoleAssignmentMapping : IEntityTypeConfiguration<RoleAssignment>
{
    public void Configure(EntityTypeBuilder<RoleAssignment> b)
    {
        b.ToTable("role_assignments");
        b.Property(r => r.Role).HasConversion<int>();
        b.Ignore(r => r.IsActive);
        b.HasIndex(r => new { r.UserId, r.RevokedAt });
        b.HasIndex(r => r.UnitId);
        b.HasOne(r => r.Unit).WithMany().HasForeignKey(r => r.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(r => r.User).WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SmsCodeMapping : IEntityTypeConfiguration<SmsCode>
{
    public void Configure(EntityTypeBuilder<SmsCode> b)
    {
        b.ToTable("sms_codes");
        b.Property(s => s.Phone).HasMaxLength(20);
        b.Property(s => s.CodeHash).HasMaxLength(64);
        b.HasIndex(s => new { s.Phone, s.CreatedAt });
    }
}

internal sealed class AuditEntryMapping : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.Property(a => a.Action).HasMaxLength(60);
        b.Property(a => a.ActorPhone).HasMaxLength(20);
        b.Property(a => a.TargetType).HasMaxLength(40);
        b.Property(a => a.TargetId).HasMaxLength(64);
        b.Property(a => a.UnitPath).HasMaxLength(400);
        b.Property(a => a.Detail).HasMaxLength(2000);
        b.Property(a => a.Ip).HasMaxLength(64);
        b.HasIndex(a => new { a.DistrictId, a.At });
    }
}

internal sealed class AppUserMapping : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(u => u.DisplayName).HasMaxLength(50);
        b.HasIndex(u => u.DistrictId);
    }
}
