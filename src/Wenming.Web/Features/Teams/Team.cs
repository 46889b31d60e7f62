using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Teams;

/// <summary>总队 → 支队 / 大队 → 分队 → 小队.</summary>
internal enum TeamLevel
{
    Corps = 1,
    Detachment = 2,
    Brigade = 3,
    Squad = 4,
    Group = 5,
}

internal enum MembershipStatus
{
    Requested = 1,
    Member = 2,
    Declined = 3,
    Left = 4,
}

/// <summary>A volunteer team (志愿服务队), attached to a unit and usually to one platform.</summary>
internal sealed class Team : IDistrictOwned
{
    private Team()
    {
    }

    public Team(Guid districtId, Guid unitId, Guid? parentTeamId, TeamLevel level, string name, Guid? platformId, string? description,
        DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        ParentTeamId = parentTeamId;
        Level = level;
        Name = name;
        PlatformId = platformId;
        Description = description;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UnitId { get; private set; }
    public Guid? ParentTeamId { get; private set; }
    public TeamLevel Level { get; private set; }
    public string Name { get; private set; } = "";
    public Guid? PlatformId { get; private set; }
    public string? Description { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Unit? Unit { get; private set; }

    public static string LevelName(TeamLevel level) => level switch
    {
        TeamLevel.Corps => "总队",
        TeamLevel.Detachment => "支队",
        TeamLevel.Brigade => "大队",
        TeamLevel.Squad => "分队",
        TeamLevel.Group => "小队",
        _ => level.ToString(),
    };

    public static bool TryParseLevel(string? text, out TeamLevel level)
    {
        level = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (Enum.TryParse(text, true, out level) && Enum.IsDefined(level))
        {
            return true;
        }

        foreach (var l in Enum.GetValues<TeamLevel>())
        {
            if (LevelName(l) == text.Trim())
            {
                level = l;
                return true;
            }
        }

        return false;
    }
}

/// <summary>A volunteer in a team: asked to join, then a member (or declined), perhaps a leader.</summary>
internal sealed class TeamMember : IDistrictOwned
{
    private TeamMember()
    {
    }

    public TeamMember(Guid districtId, Guid teamId, Guid volunteerId, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        TeamId = teamId;
        VolunteerId = volunteerId;
        Status = MembershipStatus.Requested;
        RequestedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid TeamId { get; private set; }
    public Guid VolunteerId { get; private set; }
    public MembershipStatus Status { get; private set; }
    public bool IsLeader { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public Guid? DecidedById { get; private set; }
    public Team? Team { get; private set; }
    public Volunteer? Volunteer { get; private set; }

    public void Accept(Guid byUserId, DateTimeOffset now, bool asLeader = false)
    {
        if (Status != MembershipStatus.Requested)
        {
            throw new DomainException("membership-not-requested", "只能处理待审核的入队申请", 409);
        }

        Status = MembershipStatus.Member;
        IsLeader = asLeader;
        DecidedAt = now;
        DecidedById = byUserId;
    }

    public void Decline(Guid byUserId, DateTimeOffset now)
    {
        if (Status != MembershipStatus.Requested)
        {
            throw new DomainException("membership-not-requested", "只能处理待审核的入队申请", 409);
        }

        Status = MembershipStatus.Declined;
        DecidedAt = now;
        DecidedById = byUserId;
    }
}

/// <summary>What a team offers (服务菜单, "亮出我的服务"): residents of the team's unit subtree can order it.</summary>
internal sealed class MenuItem : IDistrictOwned
{
    private MenuItem()
    {
    }

    public MenuItem(Guid districtId, Guid teamId, Guid unitId, string title, Guid platformId, string? description, string? availability,
        int capacity, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        TeamId = teamId;
        UnitId = unitId;
        Title = title;
        PlatformId = platformId;
        Description = description;
        Availability = availability;
        Capacity = capacity;
        IsActive = true;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid TeamId { get; private set; }

    /// <summary>The area served: this unit's subtree (the team's unit unless the team narrowed it).</summary>
    public Guid UnitId { get; private set; }

    public string Title { get; private set; } = "";
    public Guid PlatformId { get; private set; }
    public string? Description { get; private set; }
    public string? Availability { get; private set; }
    public int Capacity { get; private set; }
    public bool IsActive { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Team? Team { get; private set; }
    public Unit? Unit { get; private set; }

    public void Withdraw() => IsActive = false;
}

/// <summary>Where a raised need stands. Received is 0 so that needs raised before statuses existed read as received.</summary>
internal enum DemandStatus
{
    Received = 0,
    Answered = 1,
    BecameMenuItem = 2,
    BecameProject = 3,
    Declined = 4,
}

/// <summary>
/// A need nobody's menu covers yet (需求菜单, "点出你的需求"): teams read these to decide what to offer next. An admin of its
/// unit or above answers it, turns it into a menu item or a project, or declines it with a reason; the resident who raised
/// it sees the answer and what it became.
/// </summary>
internal sealed class Demand : IDistrictOwned
{
    private Demand()
    {
    }

    public Demand(Guid districtId, Guid unitId, Guid? platformId, string text, Guid raisedById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UnitId = unitId;
        PlatformId = platformId;
        Text = text;
        RaisedById = raisedById;
        CreatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UnitId { get; private set; }
    public Guid? PlatformId { get; private set; }
    public string Text { get; private set; } = "";
    public Guid RaisedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public Unit? Unit { get; private set; }
    public DemandStatus Status { get; private set; }

    /// <summary>What the resident reads: the answer, or the reason a need was declined.</summary>
    public string? Answer { get; private set; }

    public Guid? AnsweredById { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }
    public Guid? MenuItemId { get; private set; }
    public Guid? ProjectId { get; private set; }
    public int Version { get; private set; }

    /// <summary>Only a need nobody has answered yet is answered; a later word comes with what it became, or the decline.</summary>
    public static bool CanAnswer(DemandStatus status) => status == DemandStatus.Received;

    /// <summary>A need that became a menu item or a project, or was declined, is settled.</summary>
    public static bool IsOpen(DemandStatus status) => status is DemandStatus.Received or DemandStatus.Answered;

    public const int MaxAnswer = 500;

    public static string StatusName(DemandStatus status) => status switch
    {
        DemandStatus.Answered => "已答复",
        DemandStatus.BecameMenuItem => "已纳入服务菜单",
        DemandStatus.BecameProject => "已立项",
        DemandStatus.Declined => "暂不采纳",
        _ => "已收到",
    };

    public void Reply(string answer, Guid byId, DateTimeOffset now)
    {
        if (!CanAnswer(Status))
        {
            throw Settled();
        }

        Record(DemandStatus.Answered, answer, byId, now);
    }

    public void Decline(string reason, Guid byId, DateTimeOffset now)
    {
        if (!IsOpen(Status))
        {
            throw Settled();
        }

        Record(DemandStatus.Declined, reason, byId, now);
    }

    /// <summary>The need is met by a menu item or a project; an answer given earlier stays unless a new one comes with it.</summary>
    public void Became(Guid? menuItemId, Guid? projectId, string? answer, Guid byId, DateTimeOffset now)
    {
        if (!IsOpen(Status))
        {
            throw Settled();
        }

        MenuItemId = menuItemId;
        ProjectId = projectId;
        Record(menuItemId is not null ? DemandStatus.BecameMenuItem : DemandStatus.BecameProject, answer ?? Answer, byId, now);
    }

    private void Record(DemandStatus status, string? answer, Guid byId, DateTimeOffset now)
    {
        Status = status;
        Answer = answer;
        AnsweredById = byId;
        AnsweredAt = now;
        Version++;
    }

    private DomainException Settled() => new("demand-settled", $"这条需求已经处理（{StatusName(Status)}），不能再更改", 409);
}

internal sealed class TeamMappings : IEntityTypeConfiguration<Team>, IEntityTypeConfiguration<TeamMember>, IEntityTypeConfiguration<MenuItem>,
    IEntityTypeConfiguration<Demand>
{
    public void Configure(EntityTypeBuilder<Team> b)
    {
        b.ToTable("teams");
        b.Property(t => t.Name).HasMaxLength(100);
        b.Property(t => t.Description).HasMaxLength(1000);
        b.Property(t => t.Level).HasConversion<int>();
        b.HasIndex(t => new { t.DistrictId, t.UnitId });
        b.HasOne(t => t.Unit).WithMany().HasForeignKey(t => t.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Team>().WithMany().HasForeignKey(t => t.ParentTeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<District>().WithMany().HasForeignKey(t => t.DistrictId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<TeamMember> b)
    {
        b.ToTable("team_members");
        b.Property(m => m.Status).HasConversion<int>();
        b.HasIndex(m => new { m.TeamId, m.VolunteerId }).IsUnique();
        b.HasIndex(m => m.VolunteerId);
        b.HasOne(m => m.Team).WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(m => m.Volunteer).WithMany().HasForeignKey(m => m.VolunteerId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<MenuItem> b)
    {
        b.ToTable("menu_items");
        b.Property(m => m.Title).HasMaxLength(100);
        b.Property(m => m.Description).HasMaxLength(1000);
        b.Property(m => m.Availability).HasMaxLength(100);
        b.HasIndex(m => new { m.DistrictId, m.UnitId, m.IsActive });
        b.HasOne(m => m.Team).WithMany().HasForeignKey(m => m.TeamId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(m => m.Unit).WithMany().HasForeignKey(m => m.UnitId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Demand> b)
    {
        b.ToTable("demands");
        b.Property(d => d.Text).HasMaxLength(500);
        b.Property(d => d.Answer).HasMaxLength(Demand.MaxAnswer);
        b.Property(d => d.Status).HasConversion<int>();
        b.Property(d => d.Version).IsConcurrencyToken();
        b.HasIndex(d => new { d.DistrictId, d.CreatedAt });
        b.HasIndex(d => d.RaisedById);
        b.HasOne<MenuItem>().WithMany().HasForeignKey(d => d.MenuItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Activities.Project>().WithMany().HasForeignKey(d => d.ProjectId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(d => d.Unit).WithMany().HasForeignKey(d => d.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}
