using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.PersonalData;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Volunteers;

/// <summary>The volunteer sheet: the template's columns, the masked export, the streamed import.</summary>
internal static class VolunteerSheet
{
    public static readonly string[] Columns =
        ["姓名", "身份证号", "手机号", "所属实践站编码", "性别", "政治面貌", "学历", "职业", "技能特长", "服务意向", "紧急联系人", "紧急联系电话"];

    public static Stream Template()
    {
        var body = "53040219900307123";
        var sample = new Dictionary<string, object?>
        {
            ["姓名"] = "张三",
            ["身份证号"] = body + IdNumbers.CheckCharacter(body),
            ["手机号"] = "13800001111",
            ["所属实践站编码"] = "530402-01-001",
            ["性别"] = "男",
            ["政治面貌"] = "群众",
            ["学历"] = "高中",
            ["职业"] = "退休职工",
            ["技能特长"] = "急救、驾驶",
            ["服务意向"] = "社区服务",
            ["紧急联系人"] = "张家属",
            ["紧急联系电话"] = "13900002222",
        };
        return SheetWriter.InMemory([sample], "志愿者");
    }
}

/// <summary>Exports the volunteers an admin or leader oversees, masked as everywhere else, streamed row by row.</summary>
internal sealed class ExportVolunteers(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<string> RunAsync(string? status, CancellationToken ct)
    {
        if (!db.Scope.Has(Role.Admin) && !db.Scope.Has(Role.Leader))
        {
            throw new AccessDeniedException("只有管理员和领导可以导出志愿者名单");
        }

        var query = VolunteerQueries.Overseen(db).AsNoTracking();
        VolunteerStatus? only = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            only = Enum.TryParse<VolunteerStatus>(status, true, out var s) && Enum.IsDefined(s)
                ? s
                : throw new InputException(new Dictionary<string, string[]> { ["status"] = [$"状态应为 {string.Join("、", Enum.GetNames<VolunteerStatus>())} 之一"] });
            query = query.Where(v => v.Status == s);
        }

        var today = DistrictTime.Today(clock.GetUtcNow());
        var rows = query.OrderBy(v => v.Number).AsEnumerable().Select(v => new Dictionary<string, object?>
        {
            ["志愿者编号"] = v.Number,
            ["姓名"] = v.Name,
            ["性别"] = VolunteerQueries.GenderName(v.Gender),
            ["年龄"] = Volunteer.AgeOn(v.BirthDate, today),
            ["手机号"] = Masking.Phone(v.Phone),
            ["身份证号"] = v.IdNumberMasked,
            ["所属实践站"] = v.HomeUnit!.Name,
            ["状态"] = VolunteerQueries.StatusName(v.Status),
            ["技能特长"] = string.Join("、", v.Skills),
            ["服务意向"] = string.Join("、", v.ServiceCategories),
            ["注册时间"] = TimeZoneInfo.ConvertTime(v.AppliedAt, DistrictTimeJsonConverter.Zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
        var file = Path.Combine(Path.GetTempPath(), $"wenming-export-{Guid.NewGuid():N}.xlsx");
        await using (var stream = File.Create(file))
        {
            await SheetWriter.WriteAsync(stream, rows, "志愿者", ct);
        }

        audit.Add("volunteer.exported", "volunteer", null, db.Scope.RootPaths(Role.Admin, Role.Leader) is [var top, ..] ? top : null, only?.ToString());
        await db.SaveChangesAsync(ct);
        return file;
    }
}

/// <summary>
/// Where an imported volunteer belongs: the places (stations, points, institutes) the admin administers, named in a row by
/// code or by name (a district's own roster has names, not codes). A row that names none belongs to the admin's own
/// station when they administer exactly one.
/// </summary>
internal sealed class HomePlaces
{
    public const string CodeColumn = "所属实践站编码";
    public const string NameColumn = "所属实践站";

    private readonly Dictionary<string, Guid> _byCode;
    private readonly ILookup<string, (Guid Id, string Code)> _byName;
    private readonly Guid? _own;

    private HomePlaces(IReadOnlyList<(Guid Id, string Code, string Name)> places, Guid? own)
    {
        _byCode = places.ToDictionary(p => p.Code, p => p.Id, StringComparer.OrdinalIgnoreCase);
        _byName = places.ToLookup(p => p.Name, p => (p.Id, p.Code));
        _own = own;
    }

    public static async Task<HomePlaces> LoadAsync(AppDbContext db, CancellationToken ct)
    {
        var places = await db.Units.VisibleTo(db.Scope, Role.Admin)
            .Where(u => u.ClosedAt == null && (u.Kind == UnitKind.Station || u.Kind == UnitKind.Point || u.Kind == UnitKind.Institute))
            .Select(u => new { u.Id, u.Code, u.Name, u.Path, u.Kind }).ToListAsync(ct);
        var roots = db.Scope.RootPaths(Role.Admin);
        var own = roots.Count == 1 ? places.FirstOrDefault(p => p.Path == roots[0] && p.Kind == UnitKind.Station)?.Id : null;
        return new HomePlaces([.. places.Select(p => (p.Id, p.Code, p.Name))], own);
    }

    /// <summary>The row's home place, or the column and reason it has none.</summary>
    public (Guid? Id, (string Column, string Message)? Error) Find(IDictionary<string, object?> row)
    {
        var code = Sheets.Text(row, CodeColumn);
        var column = code.Length > 0 ? CodeColumn : NameColumn;
        var given = code.Length > 0 ? code : Sheets.Text(row, NameColumn);
        if (given.Length == 0)
        {
            return _own is { } own ? (own, null) : (null, (column, "请填写所属实践站（编码或名称）"));
        }

        if (_byCode.TryGetValue(given, out var byCode))
        {
            return (byCode, null);
        }

        return _byName[given].ToList() switch
        {
            [var only] => (only.Id, null),
            [] => (null, (column, $"“{given}”不是您管辖的实践站的编码或名称")),
            var several => (null, (column, $"名称“{given}”对应多个单位（编码 {string.Join("、", several.Select(p => p.Code))}），请改填编码")),
        };
    }
}

/// <summary>
/// Imports volunteers registered by an admin: each row checked (ID check digit, duplicate in file or installation,
/// station in the admin's reach), written in batches inside one transaction. "all": any bad row rolls everything back;
/// "valid": the good rows are kept and the bad ones reported. Streamed: memory does not grow with the file.
/// </summary>
internal sealed class ImportVolunteers(AppDbContext db, PersonalDataProtector protector, VolunteerNumbers numbers, AuditLog audit, TimeProvider clock)
{
    private const int BatchSize = 1_000;

    public async Task RunAsync(Stream xlsx, bool validOnly, ImportProgress progress, CancellationToken ct)
    {
        var scope = db.Scope;
        var now = clock.GetUtcNow();
        var today = DistrictTime.Today(now);
        var (skills, categories) = await RegisterVolunteer.ChoicesAsync(db, ct);
        var places = await HomePlaces.LoadAsync(db, ct);
        // Duplicates within the file: 16 bytes of each keyed hash and the phone as a number keep this small.
        var seenHashes = new HashSet<UInt128>();
        var seenPhones = new HashSet<long>();
        var batch = new List<(int Row, Volunteer Volunteer, AppUser? NewUser, string Phone, Guid Station)>(BatchSize);

        await using var tx = await db.BeginOrJoinTransactionAsync(ct);
        var rowNumber = 1;
        var rows = Sheets.Rows(xlsx);

        try
        {
            foreach (var r in rows)
            {
                rowNumber++;
                progress.RowsRead++;
                var errorsBefore = progress.ErrorCount;
                void Err(string column, string message) => progress.Add(new RowError(rowNumber, column, message));

                var (station, stationError) = places.Find(r);
                if (stationError is { } why)
                {
                    Err(why.Column, why.Message);
                }

                var rowSkills = List(Sheets.Text(r, "技能特长"));
                foreach (var free in rowSkills.Where(s => !skills.Contains(s)).Distinct())
                {
                    progress.Warn(new RowError(rowNumber, "技能特长", $"“{free}”不在本区的技能列表中，已按原文保存"));
                }

                var input = new VolunteerInput
                {
                    Name = Sheets.Text(r, "姓名"),
                    IdNumber = Sheets.Text(r, "身份证号"),
                    Phone = Sheets.Text(r, "手机号"),
                    Gender = Blank(Sheets.Text(r, "性别")),
                    PoliticalStatus = Blank(Sheets.Text(r, "政治面貌")),
                    Education = Blank(Sheets.Text(r, "学历")),
                    Occupation = Blank(Sheets.Text(r, "职业")),
                    Skills = rowSkills,
                    ServiceCategories = List(Sheets.Text(r, "服务意向")),
                    EmergencyContactName = Blank(Sheets.Text(r, "紧急联系人")),
                    EmergencyContactPhone = Blank(Sheets.Text(r, "紧急联系电话")),
                    HomeUnitId = station ?? Guid.Empty,
                };
                (VolunteerProfile Profile, IdType IdType, string IdNumber)? valid = null;
                try
                {
                    valid = input.Validate(null, needsIdentity: true, skills, categories, freeSkills: true);
                }
                catch (InputException e)
                {
                    foreach (var (field, messages) in e.Errors)
                    {
                        Err(Column(field), string.Join("；", messages));
                    }
                }

                if (valid is { } v)
                {
                    var hash = protector.LookupHash($"{v.IdType}:{v.IdNumber}");
                    if (!seenHashes.Add(UInt128.Parse(hash.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
                    {
                        Err("身份证号", "与本表前面的行重复");
                    }

                    if (!seenPhones.Add(long.Parse(v.Profile.Phone, CultureInfo.InvariantCulture)))
                    {
                        Err("手机号", "与本表前面的行重复");
                    }

                    if (Volunteer.AgeOn(v.Profile.BirthDate, today) < Volunteer.GuardianAge)
                    {
                        Err("身份证号", "未满 14 周岁，须由监护人同意后在线登记");
                    }

                    if (progress.ErrorCount == errorsBefore && station is { } home)
                    {
                        var volunteer = new Volunteer(scope.DistrictId, Guid.Empty, home, v.IdType, protector.Encrypt(v.IdNumber), hash,
                            IdNumbers.Mask(v.IdNumber), v.Profile, today, now);
                        batch.Add((rowNumber, volunteer, null, v.Profile.Phone, home));
                    }
                }

                if (batch.Count == BatchSize)
                {
                    await WriteBatchAsync(batch, now, progress, ct);
                }
            }

            await WriteBatchAsync(batch, now, progress, ct);
            if (progress.ErrorCount > 0 && !validOnly)
            {
                await tx.RollbackAsync(ct);
                progress.Imported = 0;
            }
            else
            {
                audit.Add("volunteer.imported", "volunteer", null, scope.RootPaths(Role.Admin) is [var top, ..] ? top : null,
                    $"{progress.Imported} rows, {progress.ErrorCount} refused");
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                progress.Committed = true;
            }
        }
        catch
        {
            progress.Imported = 0;
            throw;
        }
    }

    /// <summary>Duplicates against the database, accounts for new phones, numbers and roles; then one save.</summary>
    private async Task WriteBatchAsync(List<(int Row, Volunteer Volunteer, AppUser? NewUser, string Phone, Guid Station)> batch,
        DateTimeOffset now, ImportProgress progress, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // A block of numbers for this batch (some may go unused when a row is refused below: numbers may have gaps).
        var (prefix, next) = await numbers.ReserveAsync(db, db.Scope.DistrictId, batch.Count, ct);

        var hashes = batch.Select(b => b.Volunteer.IdNumberHash).ToList();
        var taken = (await db.Set<Volunteer>().IgnoreQueryFilters().Where(v => hashes.Contains(v.IdNumberHash)).Select(v => v.IdNumberHash).ToListAsync(ct)).ToHashSet();
        var phones = batch.Select(b => b.Phone).ToList();
        var users = await db.Users.Where(u => phones.Contains(u.UserName!)).Select(u => new { u.Id, u.UserName, u.DistrictId }).ToListAsync(ct);
        var userByPhone = users.ToDictionary(u => u.UserName!);
        var userIds = users.Select(u => u.Id).ToList();
        var volunteerUsers = (await db.Set<Volunteer>().IgnoreQueryFilters().Where(v => userIds.Contains(v.UserId)).Select(v => v.UserId).ToListAsync(ct)).ToHashSet();

        var newUsers = new List<AppUser>();
        var volunteers = new List<Volunteer>();
        var roles = new List<RoleAssignment>();
        foreach (var (row, volunteer, _, phone, station) in batch)
        {
            if (taken.Contains(volunteer.IdNumberHash))
            {
                progress.Add(new RowError(row, "身份证号", "该证件号码已注册为志愿者"));
                continue;
            }

            Guid userId;
            if (userByPhone.TryGetValue(phone, out var existing))
            {
                if (existing.DistrictId != db.Scope.DistrictId || volunteerUsers.Contains(existing.Id))
                {
                    progress.Add(new RowError(row, "手机号", existing.DistrictId != db.Scope.DistrictId ? "该手机号已在其他区县注册" : "该手机号已注册为志愿者"));
                    continue;
                }

                userId = existing.Id;
            }
            else
            {
                var user = new AppUser
                {
                    Id = Ids.New(),
                    UserName = phone,
                    NormalizedUserName = phone,
                    PhoneNumber = phone,
                    DisplayName = volunteer.Name,
                    DistrictId = db.Scope.DistrictId,
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    ConcurrencyStamp = Guid.NewGuid().ToString(),
                    LockoutEnabled = true,
                };
                newUsers.Add(user);
                userId = user.Id;
            }

            volunteer.AttachAccount(userId);
            volunteer.Approve(VolunteerNumbers.Format(prefix, next++), db.Scope.UserId ?? Guid.Empty, now);
            volunteers.Add(volunteer);
            roles.Add(new RoleAssignment(Ids.New(), db.Scope.DistrictId, userId, station, Role.Volunteer, db.Scope.UserId, now));
            progress.Imported++;
        }

        // Rows checked above: written in bulk (COPY on PostgreSQL), accounts first for the foreign keys.
        await BulkInsert.WriteAsync(db, newUsers, ct);
        await BulkInsert.WriteAsync(db, volunteers, ct);
        await BulkInsert.WriteAsync(db, roles, ct);
        batch.Clear();
    }


    private static string? Blank(string s) => s.Length == 0 ? null : s;

    private static string[] List(string s) => s.Split(['、', ',', '，', ';', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Column(string field) => field switch
    {
        "name" => "姓名",
        "idNumber" or "idType" or "birthDate" => "身份证号",
        "phone" => "手机号",
        "gender" => "性别",
        "homeUnitId" => "所属实践站编码",
        "skills" => "技能特长",
        "serviceCategories" => "服务意向",
        "emergencyContactPhone" => "紧急联系电话",
        _ => field,
    };
}
