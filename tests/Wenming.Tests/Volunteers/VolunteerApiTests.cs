using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Volunteers;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Volunteers;

public sealed class VolunteerApiTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static int _sequence = 500;

    /// <summary>A valid resident ID number no other test uses.</summary>
    internal static string NewIdNumber(string region = HongtaCode)
    {
        var body = $"{region}1990{Random.Shared.Next(1, 12):D2}{Random.Shared.Next(1, 28):D2}{Interlocked.Increment(ref _sequence) % 1000:D3}";
        return body + IdNumbers.CheckCharacter(body);
    }

    /// <summary>A resident of the first station who has an account and no volunteer record yet.</summary>
    internal static async Task<(HttpClient Client, string Phone)> NewResidentAsync(TestHost host)
    {
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var phone = $"1360{Random.Shared.Next(1000000, 9999999)}";
        using var granted = await admin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone, displayName = "新居民", role = "Resident" });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        await host.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.UserName == phone);
            user.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<Wenming.Web.Features.Accounts.AppUser>().HashPassword(user, "Demo#2026");
            return await db.SaveChangesAsync();
        });
        return (await host.ClientAsAsync(phone), phone);
    }

    /// <summary>A new volunteer of the first station, registered and approved, signed in; with their volunteer id.</summary>
    internal static async Task<(HttpClient Client, Guid VolunteerId)> NewVolunteerAsync(TestHost host, string name = "新志愿者")
    {
        var (client, _) = await NewResidentAsync(host);
        using var registered = await client.PostJsonAsync("/api/v1/volunteers", new
        {
            name,
            idNumber = NewIdNumber(),
            homeUnitId = await host.UnitIdAsync($"{HongtaCode}-01-001"),
            emergencyContactName = "家属",
            emergencyContactPhone = "13900001111",
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = (await registered.JsonAsync()).GetProperty("id").GetGuid();
        using var approved = await (await host.ClientAsAsync(TestHost.Phone(Hongta, "02"))).PostAsync($"/api/v1/volunteers/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        return (client, id);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_resident_registers_the_station_approves_and_a_number_and_role_follow(string provider)
    {
        var host = TestHosts.Get(provider);
        var (resident, phone) = await NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var idNumber = NewIdNumber();

        using var registered = await resident.PostJsonAsync("/api/v1/volunteers", new
        {
            name = "李志愿",
            idNumber,
            homeUnitId = station,
            skills = new[] { "急救" },
            serviceCategories = new[] { "社区服务" },
            emergencyContactName = "李家属",
            emergencyContactPhone = "13900001111",
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var mine = await registered.JsonAsync();
        Assert.Equal("Applied", mine.GetProperty("status").GetString());
        Assert.Equal(idNumber, mine.GetProperty("idNumber").GetString()); // the owner sees their own number in full
        Assert.Equal(phone, mine.GetProperty("phone").GetString());
        var id = mine.GetProperty("id").GetGuid();

        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var asAdmin = await admin.GetJsonAsync($"/api/v1/volunteers/{id}");
        Assert.Equal(IdNumbers.Mask(idNumber), asAdmin.GetProperty("idNumber").GetString());
        Assert.Matches(@"^1\d{2}\*{4}\d{4}$", asAdmin.GetProperty("phone").GetString()!);
        Assert.Equal(JsonNull, asAdmin.GetProperty("birthDate").ValueKind);

        using var approved = await admin.PostAsync($"/api/v1/volunteers/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var number = (await approved.JsonAsync()).GetProperty("number").GetString()!;
        Assert.StartsWith(HongtaCode, number, StringComparison.Ordinal);
        using var twice = await admin.PostAsync($"/api/v1/volunteers/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        using var fresh = await host.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { phone, password = "Demo#2026" });
        var roles = (await fresh.JsonAsync()).GetProperty("user").GetProperty("roles").EnumerateArray().Select(r => r.GetProperty("role").GetString()).ToList();
        Assert.Contains("Volunteer", roles);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_same_ID_number_cannot_register_twice_even_in_another_district(string provider)
    {
        var host = TestHosts.Get(provider);
        var (first, _) = await NewResidentAsync(host);
        var (second, _) = await NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var idNumber = NewIdNumber();

        using var ok = await first.PostJsonAsync("/api/v1/volunteers", new { name = "王一", idNumber, homeUnitId = station });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var again = await second.PostJsonAsync("/api/v1/volunteers", new { name = "王二", idNumber = idNumber.ToLowerInvariant(), homeUnitId = station });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("urn:wenming:problem:volunteer-duplicate", (await again.JsonAsync()).GetProperty("type").GetString());

        // The demo volunteers' ID numbers of Jiulongpo are refused in Hongta too: one person per installation.
        var jiulongpoAdmin = await host.ClientAsAsync(TestHost.Phone(1, "02"));
        var jStation = await host.UnitIdAsync($"{JiulongpoCode}-01-001");
        using var crossDistrict = await jiulongpoAdmin.PostJsonAsync("/api/v1/volunteers?byAdmin=true", new { name = "王三", idNumber, homeUnitId = jStation, phone = "13711112222" });
        Assert.Equal(HttpStatusCode.Conflict, crossDistrict.StatusCode);
    }

    [Theory]
    [InlineData("田🔥晨刚", false)]
    [InlineData("王小明😀", false)]
    [InlineData("李❤丽", false)]
    [InlineData("张三3", false)]
    [InlineData("刘@强", false)]
    [InlineData("·阿依", false)]
    [InlineData("阿依··古丽", false)]
    [InlineData("👨‍👩‍👧", false)]
    [InlineData("阿依古丽·买买提", true)]
    [InlineData("买买提·艾则孜·热合曼江", true)]
    [InlineData("扎西", true)]
    [InlineData("𠮷田春香", true)]
    [InlineData("John Smith", true)]
    [InlineData("J. R. Smith", true)]
    [InlineData("阿依 · 古丽", false)]
    [InlineData("欧阳娜娜", true)]
    [InlineData("阿卜杜热合曼・买买提依明", true)]
    public void A_name_holds_letters_and_the_separators_names_use_never_emoji_or_symbols(string name, bool valid) =>
        Assert.Equal(valid, PersonNames.IsValid(name));

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_name_with_an_emoji_is_refused_by_the_api_and_by_the_import_and_a_minority_name_is_kept(string provider)
    {
        var host = TestHosts.Get(provider);
        var (resident, _) = await NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        using var emoji = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "田🔥晨刚", idNumber = NewIdNumber(), homeUnitId = station });
        Assert.Equal(HttpStatusCode.BadRequest, emoji.StatusCode);
        Assert.Contains("表情", (await emoji.JsonAsync()).GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        var minority = "阿依古丽·买买提" + PersonName("·")[1..];
        using var kept = await resident.PostJsonAsync("/api/v1/volunteers", new { name = minority, idNumber = NewIdNumber(), homeUnitId = station });
        Assert.Equal(HttpStatusCode.Created, kept.StatusCode);

        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        using var started = await admin.PostAsync("/api/v1/volunteers/import?mode=valid", VolunteerExcelTests.Upload(
        [
            VolunteerExcelTests.Row("田🔥晨刚", NewIdNumber(), $"1350{Random.Shared.Next(1000000, 9999999)}", $"{HongtaCode}-01-001"),
            VolunteerExcelTests.Row(PersonName("热依拉·"), NewIdNumber(), $"1350{Random.Shared.Next(1000000, 9999999)}", $"{HongtaCode}-01-001"),
        ]));
        var job = await VolunteerExcelTests.WaitAsync(admin, started);
        Assert.Equal(1, job.GetProperty("imported").GetInt32());
        var error = Assert.Single(job.GetProperty("errors").EnumerateArray());
        Assert.Equal(2, error.GetProperty("row").GetInt32());
        Assert.Contains("表情", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bad_ID_numbers_and_a_minor_without_guardian_are_refused_with_reasons(string provider)
    {
        var host = TestHosts.Get(provider);
        var (resident, _) = await NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");

        using var bad = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "赵", idNumber = "530402199003071235", homeUnitId = station });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.Contains("GB 11643", errors.GetProperty("idNumber")[0].GetString(), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("name", out _));

        var body = $"{HongtaCode}2015060100";
        var child = body + (Random.Shared.Next(0, 10));
        child = child[..17] + IdNumbers.CheckCharacter(child[..17]);
        using var minor = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "小明同学", idNumber = child, homeUnitId = station });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, minor.StatusCode);
        Assert.Equal("urn:wenming:problem:guardian-required", (await minor.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_reveals_an_ID_number_with_a_reason_and_the_reveal_is_audited(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var page = await admin.GetJsonAsync("/api/v1/volunteers?status=Active&pageSize=1");
        var id = page.GetProperty("items")[0].GetProperty("id").GetGuid();

        using var noReason = await admin.PostJsonAsync($"/api/v1/volunteers/{id}/reveal", new { field = "idNumber" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        using var revealed = await admin.PostJsonAsync($"/api/v1/volunteers/{id}/reveal", new { field = "idNumber", reason = "核对保险投保信息" });
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        var value = (await revealed.JsonAsync()).GetProperty("value").GetString()!;
        Assert.True(IdNumbers.IsValidResidentId(value, out _));
        Assert.True(await host.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "personal.revealed" && a.TargetId == id.ToString() && a.Detail!.Contains("核对保险"))));

        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "40"));
        using var refused = await leader.PostJsonAsync($"/api/v1/volunteers/{id}/reveal", new { field = "idNumber", reason = "想看看" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_volunteer_exports_corrects_and_leaves_and_their_data_is_pseudonymised(string provider)
    {
        var host = TestHosts.Get(provider);
        var (resident, phone) = await NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var idNumber = NewIdNumber();
        using var registered = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "钱多多", idNumber, homeUnitId = station });
        var id = (await registered.JsonAsync()).GetProperty("id").GetGuid();

        var export = await resident.GetStringAsync("/api/v1/volunteers/me/export");
        Assert.Contains(idNumber, export, StringComparison.Ordinal);
        using var corrected = await resident.PutAsJsonAsync("/api/v1/volunteers/me", new { name = "钱多", occupation = "退休教师" });
        Assert.Equal("退休教师", (await corrected.JsonAsync()).GetProperty("occupation").GetString());

        using var left = await resident.PostAsync("/api/v1/volunteers/me/leave", null);
        Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        var stored = await host.WithDbAsync(db => db.Set<Volunteer>().SingleAsync(v => v.Id == id));
        Assert.Equal(VolunteerStatus.Left, stored.Status);
        Assert.Null(stored.IdNumberCipher);
        Assert.Equal("", stored.Phone);
        Assert.DoesNotContain("钱", stored.Name, StringComparison.Ordinal);

        // The number is free again: the same person may register anew.
        using var back = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "钱多多", idNumber, homeUnitId = station });
        Assert.Equal(HttpStatusCode.Conflict, back.StatusCode); // the account still has its (left) record
        _ = phone;
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;
}

public sealed class VolunteerPhotoTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_volunteer_uploads_a_real_image_and_the_station_admin_sees_it(string provider)
    {
        var host = TestHosts.Get(provider);
        var (resident, _) = await VolunteerApiTests.NewResidentAsync(host);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        using var registered = await resident.PostJsonAsync("/api/v1/volunteers", new { name = "照片测试", idNumber = VolunteerApiTests.NewIdNumber(), homeUnitId = station });
        var id = (await registered.JsonAsync()).GetProperty("id").GetGuid();

        using var notImage = await resident.PostAsync("/api/v1/volunteers/me/photo",
            new MultipartFormDataContent { { new ByteArrayContent("<script>alert(1)</script>"u8.ToArray()), "file", "photo.jpg" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notImage.StatusCode);

        using var ok = await resident.PostAsync("/api/v1/volunteers/me/photo",
            new MultipartFormDataContent { { new ByteArrayContent(PolicyTests.Png), "file", "me.png" } });
        Assert.Equal(HttpStatusCode.NoContent, ok.StatusCode);

        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        using var photo = await admin.GetAsync($"/api/v1/volunteers/{id}/photo");
        Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        Assert.Equal("image/png", photo.Content.Headers.ContentType?.MediaType);
        Assert.Equal(PolicyTests.Png, await photo.Content.ReadAsByteArrayAsync());

        var neighbour = await host.ClientAsAsync(TestHost.Phone(Hongta, "03"));
        using var hidden = await neighbour.GetAsync($"/api/v1/volunteers/{id}/photo");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }
}

public sealed class VolunteerNumberTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Approvals_at_the_same_moment_get_distinct_numbers(string provider)
    {
        var host = TestHosts.Get(provider);
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var ids = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var (resident, _) = await VolunteerApiTests.NewResidentAsync(host);
            using var registered = await resident.PostJsonAsync("/api/v1/volunteers", new { name = PersonName("并发"), idNumber = VolunteerApiTests.NewIdNumber(), homeUnitId = station });
            ids.Add((await registered.JsonAsync()).GetProperty("id").GetGuid());
        }

        var admins = new[] { await host.ClientAsAsync(TestHost.Phone(Hongta, "02")), await host.ClientAsAsync(TestHost.Phone(Hongta, "01")) };
        var responses = await Task.WhenAll(ids.Select((id, i) => admins[i % 2].PostAsync($"/api/v1/volunteers/{id}/approve", null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var numbers = await Task.WhenAll(responses.Select(async r => (await r.JsonAsync()).GetProperty("number").GetString()));
        Assert.True(numbers.Length == numbers.Distinct().Count(), string.Join(", ", numbers));
    }
}
