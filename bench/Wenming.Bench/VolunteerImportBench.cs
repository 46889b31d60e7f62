using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniExcelLibs;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Jobs;
using Wenming.Web.Infrastructure.PersonalData;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Bench;

/// <summary>
/// Volunteer import: 100,000 volunteers from one .xlsx (generated here) on PostgreSQL through the application's own
/// import, against a raw COPY of the same rows (accounts, volunteers, roles) in the same run; peak memory sampled
/// during the import, and a smaller file imported too, to show memory does not grow with the file.
/// </summary>
internal static class VolunteerImportBench
{
    private const int Stations = 100;

    public static async Task RunAsync(string[] args)
    {
        var rows = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 100_000;
        Console.WriteLine("Starting a throwaway PostgreSQL cluster…");
        using var cluster = PostgresCluster.Start("bench-import");
        var key = new byte[32];
        new Random(7).NextBytes(key);
        var protector = new PersonalDataProtector(key);

        var small = await RunOneAsync(cluster, "wenming_small", rows / 5, protector, measureRaw: false);
        var large = await RunOneAsync(cluster, "wenming_large", rows, protector, measureRaw: true);

        Console.WriteLine();
        Console.WriteLine($"import of {rows / 5,7:N0} rows: {small.Seconds,6:F1} s  {small.Rate,8:N0} rows/s  import's peak live heap {small.PeakMb,6:F0} MB  file {small.FileMb:F1} MB");
        Console.WriteLine($"import of {rows,7:N0} rows: {large.Seconds,6:F1} s  {large.Rate,8:N0} rows/s  import's peak live heap {large.PeakMb,6:F0} MB  file {large.FileMb:F1} MB");
        Console.WriteLine($"raw COPY of the same {rows:N0} rows (accounts, volunteers, roles): {large.RawSeconds:F1} s  {large.RawRate:N0} rows/s");
        Console.WriteLine($"import rate / raw rate: {large.Rate / large.RawRate:F2} (target ≥ 0.33)");
        Console.WriteLine($"import's peak live heap / file size at {rows:N0} rows: {large.PeakMb / large.FileMb:F2} (streamed: well under 1)");
        Console.WriteLine($"heap growth per extra row: {(large.PeakMb - small.PeakMb) * 1e6 / (rows - rows / 5):F0} bytes (the in-file duplicate check; the rows themselves are not kept)");
    }

    private static async Task<(double Seconds, double Rate, double PeakMb, double FileMb, double RawSeconds, double RawRate)> RunOneAsync(
        PostgresCluster cluster, string database, int rows, PersonalDataProtector protector, bool measureRaw)
    {
        var cs = cluster.ConnectionString(database);
        var services = Services(cs, protector);
        var (districtId, codes, admin) = await SetUpAsync(services);
        var file = Path.Combine(Path.GetTempPath(), $"wenming-bench-{rows}.xlsx");
        var generate = Stopwatch.StartNew();
        var sheet = Generate(rows, codes, seed: rows);
        await using (var stream = File.Create(file))
        {
            await stream.SaveAsAsync(sheet.Select(r => r.Row), sheetName: "志愿者");
        }

        Console.WriteLine($"{rows:N0} rows: generated {new FileInfo(file).Length / 1e6:F1} MB xlsx in {generate.Elapsed.TotalSeconds:F1} s");

        // What the import itself holds: its import's peak live heap above what was live before it started (the bench keeps the
        // generated rows for the raw run, which is not the import's memory).
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var progress = new ImportProgress(Guid.NewGuid(), admin.UserId!.Value, "volunteers");
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            // The live heap after a full collection, once a second: what the import holds on to, not its garbage.
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(1000);
            }
        });
        var import = Stopwatch.StartNew();
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<DataScope>().SetUser(admin.UserId.Value, districtId, admin.Phone, admin.Grants);
            await using var stream = File.OpenRead(file);
            await scope.ServiceProvider.GetRequiredService<ImportVolunteers>().RunAsync(stream, validOnly: false, progress, CancellationToken.None);
        }

        import.Stop();
        await sampling.CancelAsync();
        await sampler;
        if (!progress.Committed || progress.Imported != rows)
        {
            throw new InvalidOperationException($"import wrote {progress.Imported} of {rows} rows; first errors: " +
                                                string.Join("; ", progress.Errors(5).Select(e => $"{e.Row} {e.Column} {e.Message}")));
        }

        var seconds = import.Elapsed.TotalSeconds;
        var fileMb = new FileInfo(file).Length / 1e6;
        File.Delete(file);
        if (!measureRaw)
        {
            return (seconds, rows / seconds, (peak - baseline) / 1e6, fileMb, 0, 1);
        }

        var raw = await RawCopyAsync(cluster.ConnectionString(database + "_raw"), protector, sheet);
        return (seconds, rows / seconds, (peak - baseline) / 1e6, fileMb, raw, rows / raw);
    }

    /// <summary>
    /// The ceiling: the same people, already built and checked, written by the bulk writer alone (COPY of accounts,
    /// volunteers and roles) into a fresh database with the same schema.
    /// </summary>
    private static async Task<double> RawCopyAsync(string cs, PersonalDataProtector protector, List<(Dictionary<string, object?> Row, string IdNumber)> sheet)
    {
        var services = Services(cs, protector);
        var (districtId, codes, _) = await SetUpAsync(services);
        var stationIds = await ReadStationIdsAsync(services, codes);
        var now = DateTimeOffset.UtcNow;
        var users = new List<AppUser>(sheet.Count);
        var volunteers = new List<Volunteer>(sheet.Count);
        var roles = new List<RoleAssignment>(sheet.Count);
        for (var i = 0; i < sheet.Count; i++)
        {
            var (row, id) = sheet[i];
            var phone = (string)row["手机号"]!;
            var station = stationIds[(string)row["所属实践站编码"]!];
            var user = new AppUser { Id = Ids.New(), UserName = phone, NormalizedUserName = phone, PhoneNumber = phone, DisplayName = (string)row["姓名"]!, DistrictId = districtId, SecurityStamp = "s" };
            var profile = new VolunteerProfile(user.DisplayName, Gender.Male, DateOnly.ParseExact(id.Substring(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
                phone, "群众", "高中", null, ["急救"], ["社区服务"], [], 0, null, null, null, null);
            var volunteer = new Volunteer(districtId, user.Id, station, IdType.ResidentId, protector.Encrypt(id), protector.LookupHash($"ResidentId:{id}"),
                IdNumbers.Mask(id), profile, new DateOnly(2026, 11, 29), now);
            volunteer.Approve($"530402{i + 1:D7}", Guid.Empty, now);
            users.Add(user);
            volunteers.Add(volunteer);
            roles.Add(new RoleAssignment(Ids.New(), districtId, user.Id, station, Role.Volunteer, null, now));
        }

        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var clock = Stopwatch.StartNew();
        await using var tx = await db.Database.BeginTransactionAsync();
        await BulkInsert.WriteAsync(db, users, CancellationToken.None);
        await BulkInsert.WriteAsync(db, volunteers, CancellationToken.None);
        await BulkInsert.WriteAsync(db, roles, CancellationToken.None);
        await tx.CommitAsync();
        return clock.Elapsed.TotalSeconds;
    }

    private static ServiceProvider Services(string cs, PersonalDataProtector protector)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped<DataScope>();
        services.AddScoped<AuditLog>();
        services.AddSingleton(protector);
        services.AddScoped<ImportVolunteers>();
        services.AddScoped<VolunteerNumbers>();
        services.AddDbContext<AppDbContext, PostgresAppDbContext>(o => o.UseNpgsql(cs));
        return services.BuildServiceProvider();
    }

    /// <summary>A district with a center, one institute, 100 stations, the default lists, and an admin scope on the center.</summary>
    private static async Task<(Guid DistrictId, List<string> StationCodes, DataScope Admin)> SetUpAsync(ServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync();
        var now = DateTimeOffset.UtcNow;
        var district = new District(Ids.New(), "530402", "红塔区", "Hongta", "hongta", now);
        db.Districts.Add(district);
        var center = Unit.CreateRoot(district.Id, "中心", "530402", now);
        var institute = center.AddChild(UnitKind.Institute, "所", "530402-01", now);
        var stations = Enumerable.Range(1, Stations).Select(i => institute.AddChild(UnitKind.Station, $"站{i}", $"530402-01-{i:D3}", now)).ToList();
        db.Units.AddRange([center, institute, .. stations]);
        db.AddRange(OptionItem.Defaults(district.Id));
        await db.SaveChangesAsync();
        var admin = new DataScope();
        admin.SetUser(Guid.NewGuid(), district.Id, "13800000000", [new Grant(Guid.NewGuid(), Role.Admin, center.Id, center.Path, UnitKind.Center, center.Name)]);
        return (district.Id, [.. stations.Select(s => s.Code)], admin);
    }

    private static async Task<Dictionary<string, Guid>> ReadStationIdsAsync(ServiceProvider services, List<string> codes)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.Units.Where(u => codes.Contains(u.Code)).ToDictionaryAsync(u => u.Code, u => u.Id);
    }

    private static List<(Dictionary<string, object?> Row, string IdNumber)> Generate(int rows, List<string> stationCodes, int seed)
    {
        var random = new Random(seed);
        var list = new List<(Dictionary<string, object?>, string)>(rows);
        for (var i = 0; i < rows; i++)
        {
            var birth = new DateOnly(1960, 1, 1).AddDays(i / 1000 + random.Next(0, 40) * 365);
            var body = $"530402{birth:yyyyMMdd}{i % 1000:D3}";
            var id = body + IdNumbers.CheckCharacter(body);
            list.Add((new Dictionary<string, object?>
            {
                ["姓名"] = "志愿者" + i,
                ["身份证号"] = id,
                ["手机号"] = $"17{i:D9}",
                ["所属实践站编码"] = stationCodes[i % stationCodes.Count],
                ["性别"] = "",
                ["政治面貌"] = "群众",
                ["学历"] = "高中",
                ["职业"] = "",
                ["技能特长"] = "急救",
                ["服务意向"] = "社区服务",
                ["紧急联系人"] = "",
                ["紧急联系电话"] = "",
            }, id));
        }

        return list;
    }
}
