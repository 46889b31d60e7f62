using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Records;

/// <summary>One line of a certificate: a service as its record shows it.</summary>
internal sealed record CertifiedService(DateOnly Day, string Title, string Organizer, decimal Hours);

/// <summary>An issuing unit, with its person in charge and contact.</summary>
internal sealed record CertifyingUnit(string Name, string? Head, string? Phone);

/// <summary>
/// 志愿服务记录证明: what was certified, kept as it was issued (the database refuses an update). Its digest covers every fact
/// it states, so verification tells a genuine, unchanged certificate from anything else; its code is what the QR links to.
/// </summary>
internal sealed class Certificate : IDistrictOwned
{
    private Certificate()
    {
    }

    public Certificate(Guid districtId, string code, string number, Guid volunteerId, string name, string idKind, string idNumberMasked,
        string? volunteerNumber, DateOnly from, DateOnly to, long minutes, IReadOnlyList<CertifiedService> services, IReadOnlyList<CertifyingUnit> issuers,
        string handlerName, Guid? issuedById, DateTimeOffset issuedAt)
    {
        Id = Ids.New();
        DistrictId = districtId;
        Code = code;
        Number = number;
        VolunteerId = volunteerId;
        Name = name;
        IdKind = idKind;
        IdNumberMasked = idNumberMasked;
        VolunteerNumber = volunteerNumber;
        From = from;
        To = to;
        Minutes = minutes;
        ServicesJson = JsonSerializer.Serialize(services, Json);
        IssuersJson = JsonSerializer.Serialize(issuers, Json);
        HandlerName = handlerName;
        IssuedById = issuedById;
        // Whole seconds: what every store keeps exactly, so the digest computed now is the one computed when read back.
        IssuedAt = new DateTimeOffset(issuedAt.UtcTicks - (issuedAt.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Digest = ComputeDigest();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }

    /// <summary>The verification code the QR links to: random, unguessable.</summary>
    public string Code { get; private set; } = "";

    /// <summary>The certificate's number as printed: the district's division code, the issue date and a serial part.</summary>
    public string Number { get; private set; } = "";

    public Guid VolunteerId { get; private set; }
    public string Name { get; private set; } = "";
    public string IdKind { get; private set; } = "";
    public string IdNumberMasked { get; private set; } = "";
    public string? VolunteerNumber { get; private set; }
    public DateOnly From { get; private set; }
    public DateOnly To { get; private set; }
    public long Minutes { get; private set; }
    public string ServicesJson { get; private set; } = "[]";
    public string IssuersJson { get; private set; } = "[]";
    public string HandlerName { get; private set; } = "";
    public Guid? IssuedById { get; private set; }
    public DateTimeOffset IssuedAt { get; private set; }
    public string Digest { get; private set; } = "";

    public IReadOnlyList<CertifiedService> Services => JsonSerializer.Deserialize<List<CertifiedService>>(ServicesJson, Json) ?? [];

    public IReadOnlyList<CertifyingUnit> Issuers => JsonSerializer.Deserialize<List<CertifyingUnit>>(IssuersJson, Json) ?? [];

    public decimal Hours => RecordRules.Hours(Minutes);

    /// <summary>Whether the stored facts are the ones it was issued with.</summary>
    public bool IsIntact => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Digest), Encoding.ASCII.GetBytes(ComputeDigest()));

    private string ComputeDigest()
    {
        var facts = string.Join('\n', Code, Number, VolunteerId.ToString("N"), Name, IdKind, IdNumberMasked, VolunteerNumber ?? "",
            From.ToString("O", CultureInfo.InvariantCulture), To.ToString("O", CultureInfo.InvariantCulture), Minutes.ToString(CultureInfo.InvariantCulture),
            ServicesJson, IssuersJson, HandlerName, IssuedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(facts)));
    }
}
