using System.Net;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Accounts;

public sealed class RoleTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static string NewPhone() => $"1370{Random.Shared.Next(1000000, 9999999)}";

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_admin_appoints_below_never_at_or_above_their_level(string provider)
    {
        var host = TestHosts.Get(provider);
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var instituteAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");
        var grid = await host.UnitIdAsync($"{HongtaCode}-01-001-G2");

        using var peer = await stationAdmin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone = NewPhone(), displayName = "甲", role = "Admin" });
        Assert.Equal(HttpStatusCode.Forbidden, peer.StatusCode);
        using var above = await stationAdmin.PostJsonAsync($"/api/v1/units/{institute}/roles", new { phone = NewPhone(), displayName = "乙", role = "Resident" });
        Assert.Equal(HttpStatusCode.NotFound, above.StatusCode);

        using var below = await stationAdmin.PostJsonAsync($"/api/v1/units/{grid}/roles", new { phone = NewPhone(), displayName = "丙", role = "Admin" });
        Assert.Equal(HttpStatusCode.Created, below.StatusCode);
        using var resident = await stationAdmin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone = NewPhone(), displayName = "丁", role = "Resident" });
        Assert.Equal(HttpStatusCode.Created, resident.StatusCode);
        using var stationAdminAppointed = await instituteAdmin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone = NewPhone(), displayName = "戊", role = "站管理员" });
        Assert.Equal(HttpStatusCode.Created, stationAdminAppointed.StatusCode);

        // The station admin cannot remove the institute admin's appointee at their own level, the institute admin can.
        var appointee = (await stationAdminAppointed.JsonAsync()).GetProperty("id").GetGuid();
        using var notYours = await stationAdmin.PostAsync($"/api/v1/roles/{appointee}/revoke", null);
        Assert.Equal(HttpStatusCode.Forbidden, notYours.StatusCode);
        using var revoked = await instituteAdmin.PostAsync($"/api/v1/roles/{appointee}/revoke", null);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.True(await host.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "role.revoked" && a.TargetId == appointee.ToString())));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_phone_registered_in_another_district_cannot_be_given_a_role_here(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");

        using var response = await admin.PostJsonAsync($"/api/v1/units/{station}/roles", new { phone = TestHost.Phone(1, "20"), role = "Resident" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("urn:wenming:problem:user-other-district", (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Role_lists_mask_phones(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");

        var holders = await admin.GetJsonAsync($"/api/v1/units/{station}/roles");

        Assert.NotEmpty(holders.EnumerateArray());
        Assert.All(holders.EnumerateArray(), h => Assert.Matches("^1[0-9]{2}\\*{4}[0-9]{4}$", h.GetProperty("phone").GetString()!));
    }
}
