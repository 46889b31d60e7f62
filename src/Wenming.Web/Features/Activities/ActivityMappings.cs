using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Activities;

/// <summary>A named, branded programme (志愿服务项目, 海淀友邻 …) that activities and orders belong to.</summary>
internal sealed class Project : IDistrictOwned
{
    private Project()
    {
    }

    public Project(Guid districtId, Guid unitId, Guid? teamId, string name, Guid? platformId, string? goals, DateOnly? startsOn, DateOnly? endsOn,
        string? partners, Guid? createdById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        TeamId = teamId;
        Name = name;
        PlatformId = platformId;
        Goals = goals;
        StartsOn = startsOn;
        EndsOn = endsOn;
        Partners = partners;
        CreatedById = createdById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UnitId { get; private set; }
    public Guid? TeamId { get; private set; }
    public string Name { get; private set; } = "";
    public Guid? PlatformId { get; private set; }
    public string? Goals { get; private set; }
    public DateOnly? StartsOn { get; private set; }
    public DateOnly? EndsOn { get; private set; }
    public string? Partners { get; private set; }
    public Guid? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Unit? Unit { get; private set; }
}

/// <summary>A line of a unit's yearly activity plan (年度活动计划): so many activities of a platform (or a library entry) in a month.</summary>
internal sealed class PlanEntry : IDistrictOwned
{
    private PlanEntry()
    {
    }

    public PlanEntry(Guid districtId, Guid unitId, int year, int month, Guid platformId, Guid? templateId, string title, int count, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        Year = year;
        Month = month;
        PlatformId = platformId;
        TemplateId = templateId;
        Title = title;
        Count = count;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UnitId { get; private set; }
    public int Year { get; private set; }
    public int Month { get; private set; }
    public Guid PlatformId { get; private set; }
    public Guid? TemplateId { get; private set; }
    public string Title { get; private set; } = "";
    public int Count { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Unit? Unit { get; private set; }
}

/// <summary>A photo of an activity, added by its organisers afterwards (or during).</summary>
internal sealed class ActivityPhoto : Infrastructure.Files.StoredPhoto
{
    private ActivityPhoto()
    {
    }

    public ActivityPhoto(Guid districtId, Guid activityId, string fileName, string contentType, Guid? uploadedById, DateTimeOffset now)
        : base(districtId, fileName, contentType, uploadedById, now) => ActivityId = activityId;

    public Guid ActivityId { get; private set; }
}

/// <summary>The secret part of a volunteer's private calendar URL (stored hashed; a new one replaces the old).</summary>
internal sealed class CalendarFeed : IDistrictOwned
{
    private CalendarFeed()
    {
    }

    public CalendarFeed(Guid districtId, Guid userId, string tokenHash, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UserId = userId;
        TokenHash = tokenHash;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UserId { get; private set; }
    public string TokenHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class ActivityMappings : IEntityTypeConfiguration<ActivityRules>, IEntityTypeConfiguration<ActivityTemplate>, IEntityTypeConfiguration<Activity>,
    IEntityTypeConfiguration<ActivitySignup>, IEntityTypeConfiguration<Attendance>, IEntityTypeConfiguration<Project>, IEntityTypeConfiguration<PlanEntry>,
    IEntityTypeConfiguration<CalendarFeed>, IEntityTypeConfiguration<ActivityPhoto>
{
    public void Configure(EntityTypeBuilder<ActivityPhoto> b)
    {
        Infrastructure.Files.StoredPhoto.Map(b, "activity_photos");
        b.HasIndex(p => p.ActivityId);
        b.HasOne<Activity>().WithMany().HasForeignKey(p => p.ActivityId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ActivityRules> b)
    {
        b.ToTable("activity_rules");
        b.HasKey(r => r.DistrictId);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasOne<District>().WithMany().HasForeignKey(r => r.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ActivityTemplate> b)
    {
        b.ToTable("activity_templates");
        b.Property(t => t.Title).HasMaxLength(100);
        b.Property(t => t.Description).HasMaxLength(2000);
        b.Property(t => t.Format).HasMaxLength(50);
        b.Property(t => t.Audience).HasMaxLength(100);
        b.Property(t => t.Materials).HasMaxLength(500);
        b.Property(t => t.ReturnReason).HasMaxLength(500);
        b.Property(t => t.Status).HasConversion<int>();
        b.Property(t => t.Version).IsConcurrencyToken();
        b.HasIndex(t => new { t.DistrictId, t.Status });
        b.HasOne<Unit>().WithMany().HasForeignKey(t => t.ProposedByUnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(t => t.PlatformId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Activity> b)
    {
        b.ToTable("activities");
        b.Property(a => a.Title).HasMaxLength(100);
        b.Property(a => a.Description).HasMaxLength(2000);
        b.Property(a => a.Address).HasMaxLength(200);
        b.Property(a => a.RolesJson).HasMaxLength(2000);
        b.Property(a => a.LectureForm).HasMaxLength(20);
        b.Property(a => a.VenueType).HasMaxLength(20);
        b.Property(a => a.Topic).HasMaxLength(100);
        b.Property(a => a.Summary).HasMaxLength(2000);
        b.Property(a => a.QrSecret).HasMaxLength(64);
        b.Property(a => a.Audience).HasConversion<int>();
        b.Property(a => a.Status).HasConversion<int>();
        b.Ignore(a => a.Roles);
        b.Ignore(a => a.IsLecture);
        b.HasIndex(a => new { a.DistrictId, a.StartsAt });
        b.HasIndex(a => new { a.UnitId, a.StartsAt });
        b.HasIndex(a => a.TeamId);
        b.HasIndex(a => a.ProjectId);
        b.HasOne(a => a.Unit).WithMany().HasForeignKey(a => a.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<ActivityTemplate>().WithMany().HasForeignKey(a => a.TemplateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Teams.Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Platform>().WithMany().HasForeignKey(a => a.PlatformId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<ActivitySignup> b)
    {
        b.ToTable("activity_signups");
        b.Property(s => s.Role).HasMaxLength(30);
        b.Property(s => s.Status).HasConversion<int>();
        b.HasIndex(s => new { s.ActivityId, s.Role, s.Status, s.CreatedAt });
        b.HasIndex(s => new { s.UserId, s.Status });
        b.HasOne(s => s.Activity).WithMany().HasForeignKey(s => s.ActivityId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Attendance> b)
    {
        b.ToTable("activity_attendance");
        b.Property(a => a.Method).HasConversion<int>();
        b.Property(a => a.Reason).HasMaxLength(300);
        // Two check-outs of one attendance at once: the second's UPDATE finds it checked out already, and only one is credited.
        b.Property(a => a.CheckOutAt).IsConcurrencyToken();
        b.HasIndex(a => new { a.UserId, a.Day });
        b.HasIndex(a => new { a.ActivityId, a.SignupId });
        b.HasOne<ActivitySignup>().WithMany().HasForeignKey(a => a.SignupId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.ToTable("projects");
        b.Property(p => p.Name).HasMaxLength(100);
        b.Property(p => p.Goals).HasMaxLength(2000);
        b.Property(p => p.Partners).HasMaxLength(500);
        b.HasIndex(p => new { p.DistrictId, p.Name }).IsUnique();
        b.HasOne(p => p.Unit).WithMany().HasForeignKey(p => p.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<PlanEntry> b)
    {
        b.ToTable("plan_entries");
        b.Property(p => p.Title).HasMaxLength(100);
        b.HasIndex(p => new { p.UnitId, p.Year, p.Month });
        b.HasOne(p => p.Unit).WithMany().HasForeignKey(p => p.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<CalendarFeed> b)
    {
        b.ToTable("calendar_feeds");
        b.Property(f => f.TokenHash).HasMaxLength(64);
        b.HasIndex(f => f.TokenHash).IsUnique();
        b.HasIndex(f => f.UserId).IsUnique();
    }
}
