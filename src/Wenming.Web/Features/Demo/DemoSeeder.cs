using Microsoft.AspNetCore.Identity;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Demo;

/// <summary>
/// Seeds the five demo districts on an empty database: each article's tree (center, sub-centers, institutes with their
/// real towns' names, stations, a few grids and buildings) and nine demo accounts per district (README lists them).
/// Deterministic: the same database every time.
/// </summary>
internal sealed class DemoSeeder(AppDbContext db, UserManager<AppUser> users, DemoPeopleSeeder people, TimeProvider clock, ILogger<DemoSeeder> logger)
{
    public const string Password = "Demo#2026";

    /// <summary>The demo roles: the last two digits of the phone 1380d0000rr, and where each is held.</summary>
    public static readonly (string Suffix, Role Role, string Where, string Name)[] Accounts =
    [
        ("00", Role.Admin, "center", "王建国"),
        ("01", Role.Admin, "institute", "李淑芬"),
        ("02", Role.Admin, "station", "张志强"),
        ("03", Role.Admin, "other-station", "刘海燕"),
        ("10", Role.TeamLeader, "station", "陈卫东"),
        ("11", Role.Volunteer, "station", "杨小红"),
        ("20", Role.Resident, "station", "赵桂兰"),
        ("30", Role.GridWorker, "grid", "黄国庆"),
        ("40", Role.Leader, "center", "周文明"),
    ];

    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"];
    private static readonly string[] GivenNames = ["建华", "秀英", "志明", "丽华", "国强", "桂芳", "德福", "玉兰", "永红", "春梅", "海波", "晓燕", "明亮", "淑珍", "立新", "红霞"];

    /// <summary>The demo resident is over 60: the platform offers her the elderly mode.</summary>
    public static readonly DateOnly ResidentBirth = new(1953, 4, 12);

    public static string Phone(int district, string suffix) => $"1380{district}0000{suffix}";

    public async Task SeedAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var passwordHash = new PasswordHasher<AppUser>().HashPassword(new AppUser(), Password);
        foreach (var d in DemoDistrictData.All)
        {
            await using var tx = await db.BeginOrJoinTransactionAsync(ct);
            var district = new District(Ids.New(), d.Code, d.Name, d.EnglishName, d.WorkflowPreset, now);
            db.Districts.Add(district);
            db.Add(Orders.WorkflowPresets.Create(district.Id, d.WorkflowPreset, now));
            // The documented demo partner key (README): partners' real keys are issued by the center admin and stored hashed.
            db.Add(new Orders.Open311Key(district.Id, "演示合作方", Infrastructure.Tokens.Hash($"demo-open311-{d.Code}"), null, now));
            var platforms = d.Platforms.Select((name, i) => new Platform(Ids.New(), district.Id, name, i + 1)).ToList();
            db.Platforms.AddRange(platforms);
            var allPlatforms = platforms.Select(p => p.Id).ToList();
            var random = new Random(d.Number);
            var areaCode = AreaCode(d.Code);

            var center = Unit.CreateRoot(district.Id, d.CenterName, d.Code, now);
            center.UpdateDetails(new UnitDetails(d.CenterName, d.Code, d.CenterAddress, d.Latitude, d.Longitude, "周一至周日 9:00-17:30",
                Person(random), Tel(areaCode, random), allPlatforms), now);
            var units = new List<Unit> { center };

            for (var i = 0; i < d.SubCenters.Count; i++)
            {
                var sub = center.AddChild(UnitKind.SubCenter, d.SubCenters[i], $"{d.Code}-F{i + 1:D2}", now);
                sub.UpdateDetails(Details(sub, d.CenterAddress, d.Latitude, d.Longitude, random, areaCode, [allPlatforms[i % allPlatforms.Count]], "周一至周五 9:00-17:00", 0.02), now);
                units.Add(sub);
            }

            Unit? firstStation = null, otherStation = null, firstInstitute = null, firstGrid = null;
            var institutes = new List<Unit>();
            var stations = new List<Unit>();
            for (var i = 0; i < d.Institutes.Count; i++)
            {
                var inst = d.Institutes[i];
                var town = inst.Name.Replace("新时代文明实践所", "", StringComparison.Ordinal);
                var institute = center.AddChild(UnitKind.Institute, inst.Name, $"{d.Code}-{i + 1:D2}", now);
                var (ilat, ilng) = (d.Latitude + Jitter(random, 0.15), d.Longitude + Jitter(random, 0.15));
                institute.UpdateDetails(Details(institute, $"{d.Name}{town}", ilat, ilng, random, areaCode, allPlatforms, "周一至周六 9:00-17:30", 0), now);
                units.Add(institute);
                institutes.Add(institute);
                firstInstitute ??= institute;

                var suffix = town.EndsWith("街道", StringComparison.Ordinal) ? "社区" : "村";
                foreach (var (name, j) in StationNames(inst, d.StationStems, i, suffix).Select((n, j) => (n, j)))
                {
                    var station = institute.AddChild(UnitKind.Station, name + "新时代文明实践站", $"{d.Code}-{i + 1:D2}-{j + 1:D3}", now);
                    var platformsRun = allPlatforms.Where((_, k) => (k + j) % 3 != 0).ToList();
                    station.UpdateDetails(Details(station, $"{d.Name}{town}{name}", ilat, ilng, random, areaCode, platformsRun,
                        "周二至周日 9:00-12:00，14:00-17:30", 0.03), now);
                    units.Add(station);
                    stations.Add(station);
                    if (i == 0 && j == 0)
                    {
                        firstStation = station;
                        for (var g = 1; g <= 3; g++)
                        {
                            var grid = station.AddChild(UnitKind.Grid, $"第{g}网格", $"{station.Code}-G{g}", now);
                            units.Add(grid);
                            firstGrid ??= grid;
                            for (var b = 1; b <= 2; b++)
                            {
                                units.Add(grid.AddChild(UnitKind.Building, $"{g}-{b}栋", $"{grid.Code}-B{b}", now));
                            }
                        }
                    }

                    if (i == 1 && j == 0)
                    {
                        otherStation = station;
                    }
                }
            }

            db.Units.AddRange(units);
            await db.SaveChangesAsync(ct);

            var demoUsers = new Dictionary<string, AppUser>();
            foreach (var (suffix, role, where, name) in Accounts)
            {
                var phone = Phone(d.Number, suffix);
                var user = new AppUser
                {
                    Id = Ids.New(),
                    UserName = phone,
                    PhoneNumber = phone,
                    PhoneNumberConfirmed = true,
                    DisplayName = name,
                    DistrictId = district.Id,
                    BirthDate = role == Role.Resident ? ResidentBirth : null,
                    PasswordHash = passwordHash,
                    LockoutEnabled = true,
                };
                var result = await users.CreateAsync(user);
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"Demo account {phone}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
                }

                var unit = where switch
                {
                    "center" => center,
                    "institute" => firstInstitute!,
                    "station" => firstStation!,
                    "other-station" => otherStation!,
                    _ => firstGrid!,
                };
                db.RoleAssignments.Add(new RoleAssignment(Ids.New(), district.Id, user.Id, unit.Id, role, null, now));
                demoUsers[suffix] = user;
            }

            await db.SaveChangesAsync(ct);
            await people.SeedAsync(new SeededDistrict(d, district, center, institutes, stations, platforms, demoUsers), ct);
            await tx.CommitAsync(ct);
            db.ChangeTracker.Clear();
            logger.LogInformation("Seeded demo district {Code} {Name}: {Units} units, volunteers and teams at {Scale} scale", d.Code, d.Name,
                units.Count, people.Full ? "full" : "default");
        }
    }

    private static IEnumerable<string> StationNames(DemoInstitute inst, IReadOnlyList<string> stems, int instituteIndex, string suffix)
    {
        var used = new HashSet<string>();
        foreach (var known in inst.KnownStations)
        {
            used.Add(known);
            yield return known;
        }

        var k = instituteIndex * 7;
        var round = 0;
        while (used.Count < inst.StationCount)
        {
            var stem = stems[k % stems.Count];
            var name = stem + (round == 0 ? "" : "新") + suffix;
            k++;
            if (k % stems.Count == instituteIndex * 7 % stems.Count)
            {
                round++;
            }

            if (used.Add(name))
            {
                yield return name;
            }
        }
    }

    private static UnitDetails Details(Unit unit, string address, double lat, double lng, Random random, string areaCode,
        IReadOnlyList<Guid> platforms, string hours, double spread) =>
        new(unit.Name, unit.Code, address, Math.Round(lat + Jitter(random, spread), 6), Math.Round(lng + Jitter(random, spread), 6), hours,
            Person(random), Tel(areaCode, random), platforms);

    private static double Jitter(Random random, double spread) => (random.NextDouble() - 0.5) * 2 * spread;

    private static string Person(Random random) => Surnames[random.Next(Surnames.Length)] + GivenNames[random.Next(GivenNames.Length)];

    private static string Tel(string areaCode, Random random) => $"{areaCode}-{random.Next(6000_0000, 6999_9999)}";

    private static string AreaCode(string divisionCode) => divisionCode[..2] switch
    {
        "50" => "023",
        "11" => "010",
        "53" => "0877",
        "63" => "0972",
        _ => "000",
    };
}
