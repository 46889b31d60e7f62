using Microsoft.EntityFrameworkCore;
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
    Infrastructure.Files.IFileStore files,
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
        // What the form leaves out stays as it was.
        var completed = input with
        {
            BirthDate = input.BirthDate ?? v.BirthDate,
            Gender = input.Gender ?? v.Gender.ToString(),
            Availability = input.Availability ?? v.Availability,
            PreferredPlatformIds = input.PreferredPlatformIds ?? v.PreferredPlatformIds,
            GuardianName = input.GuardianName ?? v.GuardianName,
            GuardianPhone = input.GuardianPhone ?? v.GuardianPhone,
            Skills = input.Skills ?? v.Skills,
            ServiceCategories = input.ServiceCategories ?? v.ServiceCategories,
        };
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
        if (v.PhotoName is not null)
        {
            await files.DeleteAsync(v.PhotoName, ct);
        }

        v.Leave(protector.LookupHash("left:" + v.Id), clock.GetUtcNow());
        foreach (var role in db.RoleAssignments.Where(r => r.UserId == v.UserId && r.Role == Accounts.Role.Volunteer && r.RevokedAt == null))
        {
            role.Revoke(v.UserId, clock.GetUtcNow());
        }

        audit.Add("volunteer.left", "volunteer", v.Id.ToString(), v.HomeUnit!.Path, "self, pseudonymised");
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>A volunteer's photo: the person uploads it; they and those who oversee them can see it.</summary>
internal sealed class VolunteerPhotos(AppDbContext db, VolunteerQueries queries, Infrastructure.Files.IFileStore files, AuditLog audit, TimeProvider clock)
{
    public async Task SaveAsync(IFormFile? file, CancellationToken ct)
    {
        var v = await queries.MineAsync(ct) ?? throw new NotVisibleException();
        var (content, type) = await Infrastructure.Files.Images.ReadUploadAsync(file, ct);
        var name = $"volunteers/{v.Id:N}/photo";
        await files.SaveAsync(name, content, ct);
        v.SetPhoto(name, type, clock.GetUtcNow());
        audit.Add("volunteer.photo", "volunteer", v.Id.ToString(), v.HomeUnit!.Path, type);
        await db.SaveChangesAsync(ct);
    }

    public async Task<(byte[] Content, string Type)> ReadAsync(Guid id, CancellationToken ct)
    {
        var v = await db.Set<Volunteer>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.UserId == db.Scope.UserId, ct)
                ?? await VolunteerQueries.Overseen(db).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct)
                ?? throw new NotVisibleException();
        if (v.PhotoName is null || await files.ReadAsync(v.PhotoName, ct) is not { } content)
        {
            throw new NotVisibleException();
        }

        return (content, v.PhotoType ?? "application/octet-stream");
    }
}
