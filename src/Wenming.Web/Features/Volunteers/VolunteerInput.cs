using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

/// <summary>A registration or correction as a client sends it (API body, the registration page, an Excel row).</summary>
internal sealed record VolunteerInput
{
    public string? Name { get; init; }
    public string? Gender { get; init; }
    public string? IdType { get; init; }
    public string? IdNumber { get; init; }
    public DateOnly? BirthDate { get; init; }

    /// <summary>Used when an admin registers someone; a volunteer registering themself keeps their account's phone.</summary>
    public string? Phone { get; init; }

    public string? PoliticalStatus { get; init; }
    public string? Education { get; init; }
    public string? Occupation { get; init; }
    public IReadOnlyList<string>? Skills { get; init; }
    public IReadOnlyList<string>? ServiceCategories { get; init; }
    public IReadOnlyList<Guid>? PreferredPlatformIds { get; init; }
    public int? Availability { get; init; }
    public Guid? HomeUnitId { get; init; }
    public string? EmergencyContactName { get; init; }
    public string? EmergencyContactPhone { get; init; }
    public string? GuardianName { get; init; }
    public string? GuardianPhone { get; init; }

    /// <summary>A skill written in a district's own words (an import keeps it): at most this long.</summary>
    public const int MaxFreeSkillLength = 30;

    /// <summary>Checks every field and reports all problems at once, keyed by field.</summary>
    /// <param name="freeSkills">Skills outside the district's list are kept as written (an import of a district's own roster)
    /// rather than refused; the caller reports them.</param>
    public (VolunteerProfile Profile, IdType IdType, string IdNumber) Validate(string? accountPhone, bool needsIdentity,
        IReadOnlySet<string> skills, IReadOnlySet<string> categories, bool freeSkills = false)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var name = Name?.Trim() ?? "";
        if (!PersonNames.IsValid(name))
        {
            Add("name", PersonNames.Rule);
        }

        var gender = Gender?.Trim() switch
        {
            "Male" or "male" or "男" or "M" => Volunteers.Gender.Male,
            "Female" or "female" or "女" or "F" => Volunteers.Gender.Female,
            _ => (Gender?)null,
        };

        var idType = Volunteers.IdType.ResidentId;
        var idNumber = "";
        var birthDate = BirthDate;
        if (needsIdentity)
        {
            if (!string.IsNullOrWhiteSpace(IdType) && !Enum.TryParse(IdType, ignoreCase: true, out idType))
            {
                Add("idType", "证件类型应为 ResidentId、Passport、HongKongMacaoPermit、TaiwanPermit、ForeignPermanentResident 或 Other");
            }

            idNumber = IdNumbers.Normalize(IdNumber ?? "");
            if (idType == Volunteers.IdType.ResidentId)
            {
                if (!IdNumbers.IsValidResidentId(idNumber, out var fromId))
                {
                    Add("idNumber", "身份证号码无效：应为 18 位，出生日期正确，且末位校验码符合国家标准 GB 11643");
                }
                else
                {
                    birthDate = fromId;
                    // The ID's gender digit is authoritative where the form left it out.
                    gender ??= (idNumber[16] - '0') % 2 == 1 ? Volunteers.Gender.Male : Volunteers.Gender.Female;
                }
            }
            else if (idNumber.Length is < 5 or > 30 || !idNumber.All(char.IsAsciiLetterOrDigit))
            {
                Add("idNumber", "证件号码应为 5 到 30 位字母或数字");
            }
        }

        if (gender is null)
        {
            Add("gender", "请选择性别");
        }

        if (birthDate is null)
        {
            Add("birthDate", "请填写出生日期");
        }

        var phone = accountPhone ?? Phones.Normalize(Phone);
        if (phone is null)
        {
            Add("phone", "请输入正确的 11 位手机号");
        }

        if (HomeUnitId is null && needsIdentity)
        {
            Add("homeUnitId", "请选择所属的新时代文明实践站");
        }

        foreach (var s in Skills ?? [])
        {
            if (freeSkills ? s.Length > MaxFreeSkillLength : !skills.Contains(s))
            {
                Add("skills", freeSkills ? $"技能“{s[..10]}…”过长（不超过 {MaxFreeSkillLength} 个字）" : $"“{s}”不在本区的技能列表中");
            }
        }

        foreach (var c in ServiceCategories ?? [])
        {
            if (!categories.Contains(c))
            {
                Add("serviceCategories", $"“{c}”不在本区的服务类别中");
            }
        }

        if (Availability is < 0 or >= 1 << 21)
        {
            Add("availability", "每周可服务时段无效");
        }

        CheckPhone(EmergencyContactPhone, "emergencyContactPhone", Add);
        CheckPhone(GuardianPhone, "guardianPhone", Add);
        CheckLength(PoliticalStatus, 20, "politicalStatus", Add);
        CheckLength(Education, 20, "education", Add);
        CheckLength(Occupation, 50, "occupation", Add);
        CheckName(EmergencyContactName, "emergencyContactName", Add);
        CheckName(GuardianName, "guardianName", Add);

        InputException.ThrowIfAny(errors);
        var profile = new VolunteerProfile(name, gender!.Value, birthDate!.Value, phone!, Blank(PoliticalStatus), Blank(Education),
            Blank(Occupation), Skills ?? [], ServiceCategories ?? [], PreferredPlatformIds ?? [], Availability ?? 0,
            Blank(EmergencyContactName), Blank(EmergencyContactPhone), Blank(GuardianName), Blank(GuardianPhone));
        return (profile, idType, idNumber);
    }

    private static void CheckPhone(string? phone, string field, Action<string, string> add)
    {
        if (!string.IsNullOrWhiteSpace(phone) && (phone.Length > 20 || !phone.All(c => char.IsAsciiDigit(c) || c is '-' or ' ' or '+')))
        {
            add(field, "电话号码格式不正确");
        }
    }

    private static void CheckName(string? name, string field, Action<string, string> add)
    {
        if (!string.IsNullOrWhiteSpace(name) && !PersonNames.IsValid(name))
        {
            add(field, PersonNames.Rule);
        }
    }

    private static void CheckLength(string? value, int max, string field, Action<string, string> add)
    {
        if (value is not null && value.Trim().Length > max)
        {
            add(field, $"不超过 {max} 个字");
        }
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
