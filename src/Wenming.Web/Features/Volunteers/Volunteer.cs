using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

internal enum Gender
{
    Male = 1,
    Female = 2,
}

/// <summary>在册 (Active) is the state after a station approves an application.</summary>
internal enum VolunteerStatus
{
    Applied = 1,
    Active = 2,
    Suspended = 3,
    Left = 4,
    Rejected = 5,
}

/// <summary>What a volunteer states about themself (registration and later corrections).</summary>
internal sealed record VolunteerProfile(
    string Name,
    Gender Gender,
    DateOnly BirthDate,
    string Phone,
    string? PoliticalStatus,
    string? Education,
    string? Occupation,
    IReadOnlyList<string> Skills,
    IReadOnlyList<string> ServiceCategories,
    IReadOnlyList<Guid> PreferredPlatformIds,
    int Availability,
    string? EmergencyContactName,
    string? EmergencyContactPhone,
    string? GuardianName,
    string? GuardianPhone);

/// <summary>
/// A registered volunteer (志愿者). The ID number is stored encrypted with a keyed hash beside it for duplicate checks;
/// the public identifier is <see cref="Number"/> (志愿者编号), never the ID number. Status moves only through the
/// methods here.
/// </summary>
internal sealed class Volunteer : IDistrictOwned
{
    public const int GuardianAge = 14;

    private Volunteer()
    {
    }

    public Volunteer(Guid districtId, Guid userId, Guid homeUnitId, IdType idType, string idNumberCipher, string idNumberHash,
        string idNumberMasked, VolunteerProfile profile, DateOnly today, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        UserId = userId;
        HomeUnitId = homeUnitId;
        IdType = idType;
        IdNumberCipher = idNumberCipher;
        IdNumberHash = idNumberHash;
        IdNumberMasked = idNumberMasked;
        Status = VolunteerStatus.Applied;
        AppliedAt = now;
        Apply(profile, today, now);
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid HomeUnitId { get; private set; }
    public string? Number { get; private set; }
    public string Name { get; private set; } = "";
    public Gender Gender { get; private set; }
    public IdType IdType { get; private set; }
    public string? IdNumberCipher { get; private set; }
    public string IdNumberHash { get; private set; } = "";
    public string IdNumberMasked { get; private set; } = "";
    public DateOnly BirthDate { get; private set; }
    public string Phone { get; private set; } = "";
    public string? PoliticalStatus { get; private set; }
    public string? Education { get; private set; }
    public string? Occupation { get; private set; }
    public List<string> Skills { get; private set; } = [];
    public List<string> ServiceCategories { get; private set; } = [];
    public List<Guid> PreferredPlatformIds { get; private set; } = [];

    /// <summary>Weekly availability: bit (day * 3 + part), Monday = 0, parts morning / afternoon / evening.</summary>
    public int Availability { get; private set; }

    public string? EmergencyContactName { get; private set; }
    public string? EmergencyContactPhone { get; private set; }
    public string? GuardianName { get; private set; }
    public string? GuardianPhone { get; private set; }
    public VolunteerStatus Status { get; private set; }
    public string? StatusReason { get; private set; }
    public DateTimeOffset AppliedAt { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public Guid? ApprovedById { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }
    public string? PhotoName { get; private set; }
    public string? PhotoType { get; private set; }

    public Organization.Unit? HomeUnit { get; private set; }

    public static int AgeOn(DateOnly birthDate, DateOnly today) =>
        today.Year - birthDate.Year - (today < birthDate.AddYears(today.Year - birthDate.Year) ? 1 : 0);

    /// <summary>Registration and self-correction: a minor needs a guardian on record.</summary>
    public void Apply(VolunteerProfile profile, DateOnly today, DateTimeOffset now)
    {
        if (Status == VolunteerStatus.Left)
        {
            throw new DomainException("volunteer-left", "该志愿者已注销，不能修改资料");
        }

        if (AgeOn(profile.BirthDate, today) < GuardianAge && (string.IsNullOrWhiteSpace(profile.GuardianName) || string.IsNullOrWhiteSpace(profile.GuardianPhone)))
        {
            throw new DomainException("guardian-required", "未满 14 周岁的志愿者须由监护人同意并登记监护人姓名和电话");
        }

        Name = profile.Name;
        Gender = profile.Gender;
        BirthDate = profile.BirthDate;
        Phone = profile.Phone;
        PoliticalStatus = profile.PoliticalStatus;
        Education = profile.Education;
        Occupation = profile.Occupation;
        Skills = [.. profile.Skills.Distinct()];
        ServiceCategories = [.. profile.ServiceCategories.Distinct()];
        PreferredPlatformIds = [.. profile.PreferredPlatformIds.Distinct()];
        Availability = profile.Availability;
        EmergencyContactName = profile.EmergencyContactName;
        EmergencyContactPhone = profile.EmergencyContactPhone;
        GuardianName = profile.GuardianName;
        GuardianPhone = profile.GuardianPhone;
        Touch(now);
    }

    public void Approve(string number, Guid byUserId, DateTimeOffset now)
    {
        if (Status != VolunteerStatus.Applied)
        {
            throw new DomainException("volunteer-not-applied", "只能审核待审核的申请", 409);
        }

        Status = VolunteerStatus.Active;
        Number = number;
        ApprovedAt = now;
        ApprovedById = byUserId;
        StatusReason = null;
        Touch(now);
    }

    public void SetPhoto(string name, string contentType, DateTimeOffset now)
    {
        PhotoName = name;
        PhotoType = contentType;
        Touch(now);
    }

    /// <summary>A bulk import opens the account after checking the row: the record is built first, then tied to it.</summary>
    public void AttachAccount(Guid userId)
    {
        if (UserId != Guid.Empty)
        {
            throw new InvalidOperationException("The volunteer already has an account.");
        }

        UserId = userId;
    }

    public void Reject(string reason, DateTimeOffset now)
    {
        if (Status != VolunteerStatus.Applied)
        {
            throw new DomainException("volunteer-not-applied", "只能审核待审核的申请", 409);
        }

        Status = VolunteerStatus.Rejected;
        StatusReason = reason;
        Touch(now);
    }

    public void Suspend(string reason, DateTimeOffset now)
    {
        if (Status != VolunteerStatus.Active)
        {
            throw new DomainException("volunteer-not-active", "只能暂停在册的志愿者", 409);
        }

        Status = VolunteerStatus.Suspended;
        StatusReason = reason;
        Touch(now);
    }

    public void Reinstate(DateTimeOffset now)
    {
        if (Status != VolunteerStatus.Suspended)
        {
            throw new DomainException("volunteer-not-suspended", "只能恢复已暂停的志愿者", 409);
        }

        Status = VolunteerStatus.Active;
        StatusReason = null;
        Touch(now);
    }

    /// <summary>
    /// The volunteer leaves: personal data is pseudonymised (name, phones, ID number, contacts), the number and the
    /// service records stay, so hours already certified remain provable.
    /// </summary>
    public void Leave(string pseudonymHash, DateTimeOffset now)
    {
        if (Status == VolunteerStatus.Left)
        {
            throw new DomainException("volunteer-left", "该志愿者已注销", 409);
        }

        Status = VolunteerStatus.Left;
        Name = "已注销志愿者";
        Phone = "";
        IdNumberCipher = null;
        IdNumberHash = pseudonymHash;
        IdNumberMasked = "";
        EmergencyContactName = null;
        EmergencyContactPhone = null;
        GuardianName = null;
        GuardianPhone = null;
        Occupation = null;
        PhotoName = null;
        PhotoType = null;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}
