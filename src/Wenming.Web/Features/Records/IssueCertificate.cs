using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Records;

/// <summary>What anyone holding the code learns: enough to compare with the paper, nothing more (the name masked).</summary>
internal sealed record CertificateCheck(string Code, string Number, bool Genuine, string Message, string Name, string? VolunteerNumber, DateOnly From, DateOnly To,
    decimal Hours, int Services, IReadOnlyList<string> Issuers, string Handler, DateTimeOffset IssuedAt);

/// <summary>
/// 志愿服务记录证明 over a period. The volunteer gets all their confirmed records, each organising unit named as issuer; an
/// admin certifies only what units in their charge organised (谁记录谁证明). The same facts asked again give the same
/// certificate back.
/// </summary>
internal sealed class IssueCertificate(AppDbContext db, VolunteerRecords records, TimeProvider clock)
{
    private static readonly DateOnly Earliest = new(2000, 1, 1);

    public async Task<Certificate> RunAsync(Guid volunteerId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var volunteer = await records.ReachableAsync(volunteerId, ct);
        var scope = db.Scope;
        var own = volunteer.UserId == scope.UserId;
        if (!own && !scope.IsAdmin)
        {
            throw new AccessDeniedException("只有组织单位的管理员或志愿者本人可以开具服务证明");
        }

        var now = clock.GetUtcNow();
        var today = DistrictTime.Today(now);
        var start = from ?? Earliest;
        var end = to ?? today;
        if (start > end || end > today || start < Earliest)
        {
            throw new InputException(new Dictionary<string, string[]> { ["from"] = ["请选择 2000 年以后、不晚于今天的起止日期，开始不晚于结束"] });
        }

        var (lower, upper) = (DistrictTime.StartOf(start), DistrictTime.StartOf(end.AddDays(1)));
        var entries = await db.Set<ServiceRecord>().AsNoTracking()
            .Where(r => r.VolunteerId == volunteerId && r.StartedAt >= lower && r.StartedAt < upper).ToListAsync(ct);
        var unitIds = entries.Select(e => e.OrganizerUnitId).Distinct().ToList();
        var units = await db.Units.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        if (!own)
        {
            entries = [.. entries.Where(e => units.TryGetValue(e.OrganizerUnitId, out var u) && scope.CanAdminister(u.Path))];
            if (entries.Count == 0 && unitIds.Count > 0)
            {
                throw new AccessDeniedException("这些服务不是您管理的单位组织的：由组织单位出具证明");
            }
        }

        var services = entries.GroupBy(e => (e.Source, e.SourceId, e.SignupId))
            .Select(g => (First: g.OrderBy(e => e.Id).First(), Minutes: g.Sum(e => (long)e.Minutes))).Where(s => s.Minutes > 0)
            .OrderBy(s => s.First.StartedAt).ToList();
        if (services.Count == 0)
        {
            throw new InputException(new Dictionary<string, string[]> { ["from"] = ["所选期间没有已确认的服务记录"] });
        }

        var lines = services.Select(s => new CertifiedService(DistrictTime.Today(s.First.StartedAt), s.First.Title, units[s.First.OrganizerUnitId].Name,
            RecordRules.Hours(s.Minutes))).ToList();
        var issuers = services.Select(s => s.First.OrganizerUnitId).Distinct().Select(id => units[id])
            .Select(u => new CertifyingUnit(u.Name, u.HeadName, u.Phone)).ToList();
        var minutes = services.Sum(s => s.Minutes);
        var handler = own ? "平台自助开具" : scope.DisplayName ?? "管理员";

        var probe = new Certificate(scope.DistrictId, "", "", volunteer.Id, volunteer.Name, IdKind(volunteer.IdType), volunteer.IdNumberMasked, volunteer.Number,
            start, end, minutes, lines, issuers, handler, scope.UserId, now);
        var same = await db.Set<Certificate>().AsNoTracking()
            .Where(c => c.VolunteerId == volunteer.Id && c.From == start && c.To == end && c.Minutes == minutes && c.HandlerName == handler)
            .OrderByDescending(c => c.IssuedAt).Take(20).ToListAsync(ct);
        if (same.FirstOrDefault(c => c.ServicesJson == probe.ServicesJson && c.IssuersJson == probe.IssuersJson) is { } issued)
        {
            return issued;
        }

        var division = await db.Districts.Where(d => d.Id == scope.DistrictId).Select(d => d.Code).FirstAsync(ct);
        var code = Tokens.New(12);
        var number = $"{division}-{today:yyyyMMdd}-{code[..6].ToUpperInvariant().Replace('-', 'X').Replace('_', 'Y')}";
        var certificate = new Certificate(scope.DistrictId, code, number, volunteer.Id, volunteer.Name, IdKind(volunteer.IdType), volunteer.IdNumberMasked,
            volunteer.Number, start, end, minutes, lines, issuers, handler, scope.UserId, now);
        db.Add(certificate);
        await db.SaveChangesAsync(ct);
        return certificate;
    }

    /// <summary>Verification by the code on the paper (its QR code): for anyone, signed in or not.</summary>
    public async Task<(Certificate Certificate, CertificateCheck Check)> CheckAsync(string code, CancellationToken ct)
    {
        using var system = db.Scope.AsSystem();
        var c = code.Length is > 0 and <= 40
            ? await db.Set<Certificate>().AsNoTracking().FirstOrDefaultAsync(x => x.Code == code, ct)
            : null;
        if (c is null)
        {
            throw new NotVisibleException();
        }

        var genuine = c.IsIntact;
        var check = new CertificateCheck(c.Code, c.Number, genuine,
            genuine ? "此证明由平台出具，内容与出具时一致。" : "此证明的内容与出具时不一致，不能作为有效证明。",
            Masking.Name(c.Name), c.VolunteerNumber, c.From, c.To, c.Hours, c.Services.Count, [.. c.Issuers.Select(i => i.Name)], c.HandlerName, c.IssuedAt);
        return (c, check);
    }

    private static string IdKind(IdType type) => type switch
    {
        IdType.ResidentId => "居民身份证",
        IdType.Passport => "护照",
        IdType.HongKongMacaoPermit => "港澳居民来往内地通行证",
        IdType.TaiwanPermit => "台湾居民来往大陆通行证",
        IdType.ForeignPermanentResident => "外国人永久居留身份证",
        _ => "其他证件",
    };
}
