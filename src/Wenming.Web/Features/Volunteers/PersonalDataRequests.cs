using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.PersonalData;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

internal sealed record RevealInput(string? Field, string? Reason);

internal sealed record Revealed(string Field, string Value);

/// <summary>
/// Personal data on request: an admin with the duty reveals one field of one record (audited, with the reason);
/// the volunteer sees, exports, corrects their own data, and may leave.
/// </summary>
internal sealed class PersonalDataRequests(
    AppDbContext db,
    VolunteerQueries queries,
    PersonalDataProtector protector,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<Revealed> RevealAsync(Guid id, RevealInput input, CancellationToken ct)
    {
        if (input.Field is not ("idNumber" or "phone") || string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Length > 200)
        {
            throw new InputException(new Dictionary<string, string[]>
            {
                ["field"] = input.Field is "idNumber" or "phone" ? [] : ["field 应为 idNumber 或 phone"],
                ["reason"] = string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Length > 200 ? ["请填写查看原因（不超过 200 字），将记入操作日志"] : [],
            }.Where(e => e.Value.Length > 0).ToDictionary());
        }

        var v = await VolunteerQueries.FindForAdminAsync(db, id, ct);
        var value = input.Field == "phone" ? v.Phone : v.IdNumberCipher is null ? "" : protector.Decrypt(v.IdNumberCipher);
        // Written before the value leaves: no reveal without its record.
        await audit.WriteNowAsync("personal.revealed", "volunteer", v.Id.ToString(), v.HomeUnit!.Path, $"{input.Field}: {input.Reason.Trim()}", ct: ct);
        return new Revealed(input.Field, value);
    }

    public async Task<VolunteerView> MineAsync(CancellationToken ct)
    {
        var v = await queries.MineAsync(ct) ?? throw new NotVisibleException();
        return queries.View(v, v.IdNumberCipher is null ? null : protector.Decrypt(v.IdNumberCipher), clock.GetUtcNow());
    }

    public async Task<VolunteerView> CorrectAsync(VolunteerInput input, CancellationToken ct)
    {
        var v = await queries.MineAsync(ct) ?? throw new NotVisibleException();
        var (skills, categories) = await RegisterVolunteer.ChoicesAsync(db, ct);
        var completed = input with { BirthDate = input.BirthDate ?? v.BirthDate, Gender = input.Gender ?? v.Gender.ToString() };
        var (profile, _, _) = completed.Validate(v.Phone, needsIdentity: false, skills, categories);
        // The ID number and its birth date are not self-corrected: a wrong ID number goes through the station.
        v.Apply(profile with { BirthDate = v.IdType == IdType.ResidentId ? v.BirthDate : profile.BirthDate }, Infrastructure.DistrictTime.Today(clock.GetUtcNow()), clock.GetUtcNow());
        audit.Add("volunteer.corrected", "volunteer", v.Id.ToString(), v.HomeUnit!.Path, "self");
        await db.SaveChangesAsync(ct);
        return await MineAsync(ct);
    }

    public async Task LeaveAsync(CancellationToken ct)
    {
        var v = await queries.MineAsync(ct) ?? throw new NotVisibleException();
        v.Leave(protector.LookupHash("left:" + v.Id), clock.GetUtcNow());
        foreach (var role in db.RoleAssignments.Where(r => r.UserId == v.UserId && r.Role == Accounts.Role.Volunteer && r.RevokedAt == null))
        {
            role.Revoke(v.UserId, clock.GetUtcNow());
        }

        audit.Add("volunteer.left", "volunteer", v.Id.ToString(), v.HomeUnit!.Path, "self, pseudonymised");
        await db.SaveChangesAsync(ct);
    }
}
