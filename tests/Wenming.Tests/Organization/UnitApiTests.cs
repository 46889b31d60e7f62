using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Organization;

public sealed class UnitApiTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_institute_admin_reads_their_unit_children_and_tree(string provider)
    {
        var host = TestHosts.Get(provider);
        var client = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");

        var unit = await client.GetJsonAsync($"/api/v1/units/{institute}");
        Assert.Equal("Institute", unit.GetProperty("kind").GetString());
        Assert.Equal("所", unit.GetProperty("kindName").GetString());

        var page = await client.GetJsonAsync($"/api/v1/units/{institute}/children?page=1&pageSize=3");
        Assert.Equal(3, page.GetProperty("items").GetArrayLength());
        Assert.True(page.GetProperty("total").GetInt32() >= 3);

        var tree = await client.GetJsonAsync($"/api/v1/units/{institute}/tree?depth=3");
        var stations = tree.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(page.GetProperty("total").GetInt32(), stations.Count);
        Assert.Contains(stations, s => s.GetProperty("children").EnumerateArray().Count(c => c.GetProperty("kind").GetString() == "Grid") == 3);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_district_and_a_sibling_subtree_answer_404(string provider)
    {
        var host = TestHosts.Get(provider);
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var sibling = await host.UnitIdAsync($"{HongtaCode}-02-001");
        var otherDistrict = await host.UnitIdAsync($"{JiulongpoCode}-01-001");

        foreach (var id in new[] { sibling, otherDistrict })
        {
            using var response = await stationAdmin.GetAsync($"/api/v1/units/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var centerAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        using var cross = await centerAdmin.GetAsync($"/api/v1/units/{otherDistrict}/tree");
        Assert.Equal(HttpStatusCode.NotFound, cross.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Creating_then_editing_with_a_stale_version_answers_409(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        var code = UniqueCode($"{HongtaCode}-01");

        using var created = await admin.PostJsonAsync("/api/v1/units", new
        {
            parentId = institute,
            kind = "站",
            name = "测试社区新时代文明实践站",
            code,
            address = "测试路 1 号",
            latitude = 24.35,
            longitude = 102.54,
            openingHours = "周一至周五",
            headName = "测试",
            phone = "0877-1234567",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.JsonAsync()).GetProperty("id").GetGuid();

        var update = new { name = "改名社区新时代文明实践站", code, version = 1 };
        using var ok = await admin.PutAsJsonAsync($"/api/v1/units/{id}", update);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, (await ok.JsonAsync()).GetProperty("version").GetInt32());

        using var stale = await admin.PutAsJsonAsync($"/api/v1/units/{id}", update);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("urn:wenming:problem:stale-version", (await stale.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_list_of_platforms_changed_in_place_is_saved_and_one_left_alone_is_not_written(string provider)
    {
        // The platform's own comparer for lists of plain values (ListComparer): the snapshot must be a copy, or a change made
        // to the list itself would compare equal to it and be lost.
        var host = TestHosts.Get(provider);
        var comparer = await host.WithDbAsync(db => Task.FromResult(db.Model.FindEntityType(typeof(Wenming.Web.Features.Organization.Unit))!
            .FindProperty(nameof(Wenming.Web.Features.Organization.Unit.PlatformIds))!.GetValueComparer()));
        Assert.IsType<Wenming.Web.Infrastructure.Data.ListComparer<Guid>>(comparer);
        var id = await host.UnitIdAsync($"{HongtaCode}-01");
        var original = await host.WithDbAsync(async db =>
        {
            var unit = await db.Units.SingleAsync(u => u.Id == id);
            db.ChangeTracker.DetectChanges();
            Assert.Equal(EntityState.Unchanged, db.Entry(unit).State);
            Assert.Equal(0, await db.SaveChangesAsync());
            return unit.PlatformIds.ToList();
        });
        Assert.NotEmpty(original);
        var taken = original[^1];

        Task<List<Guid>> SavedAsync() => host.WithDbAsync(db => db.Units.Where(u => u.Id == id).Select(u => u.PlatformIds).SingleAsync());
        Task<int> ChangeAsync(Action<List<Guid>> change) => host.WithDbAsync(async db =>
        {
            var unit = await db.Units.SingleAsync(u => u.Id == id);
            change(unit.PlatformIds);
            return await db.SaveChangesAsync();
        });

        try
        {
            Assert.Equal(1, await ChangeAsync(list => list.Remove(taken)));
            Assert.Equal(original[..^1], await SavedAsync());
        }
        finally
        {
            Assert.Equal(1, await ChangeAsync(list => list.Add(taken)));
        }

        Assert.Equal(original, await SavedAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Bad_input_gets_field_errors_in_Chinese_or_English_and_changes_nothing(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var institute = await host.UnitIdAsync($"{HongtaCode}-01");
        var before = await host.WithDbAsync(db => db.Units.CountAsync());

        using var zh = await admin.PostJsonAsync("/api/v1/units", new { parentId = institute, kind = "站", name = "", code = "bad code!", latitude = 200 });
        Assert.Equal(HttpStatusCode.BadRequest, zh.StatusCode);
        var problem = await zh.JsonAsync();
        Assert.Equal("请求内容有误", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("code", out _));
        Assert.True(errors.TryGetProperty("latitude", out _));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/units") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.AcceptLanguage.ParseAdd("en");
        using var en = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, en.StatusCode);
        Assert.Equal("The request is not valid", (await en.JsonAsync()).GetProperty("title").GetString());

        using var wrongKind = await admin.PostJsonAsync("/api/v1/units", new { parentId = institute, kind = "楼栋", name = "楼", code = UniqueCode("b") });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongKind.StatusCode);
        Assert.Equal(before, await host.WithDbAsync(db => db.Units.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Moving_a_station_carries_its_subtree_and_the_roles_held_there(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        var institute1 = await host.UnitIdAsync($"{HongtaCode}-01");
        var institute2 = await host.UnitIdAsync($"{HongtaCode}-02");
        var code = UniqueCode($"{HongtaCode}-01");

        using var created = await center.PostJsonAsync("/api/v1/units", new { parentId = institute1, kind = "Station", name = "迁移测试站", code });
        var station = (await created.JsonAsync()).GetProperty("id").GetGuid();
        using var grid = await center.PostJsonAsync("/api/v1/units", new { parentId = station, kind = "Grid", name = "迁移测试网格", code = code + "-G1" });
        var gridId = (await grid.JsonAsync()).GetProperty("id").GetGuid();
        var phone = $"1390{Random.Shared.Next(1000000, 9999999)}";
        using var granted = await center.PostJsonAsync($"/api/v1/units/{gridId}/roles", new { phone, displayName = "网格员甲", role = "GridWorker" });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);

        using var moved = await center.PostJsonAsync($"/api/v1/units/{station}/move", new { newParentId = institute2, version = 1 });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var (stationPath, gridPath, institute2Path, gridDepth) = await host.WithDbAsync(async db =>
        {
            var s = await db.Units.SingleAsync(u => u.Id == station);
            var g = await db.Units.SingleAsync(u => u.Id == gridId);
            var i2 = await db.Units.SingleAsync(u => u.Id == institute2);
            return (s.Path, g.Path, i2.Path, g.Depth);
        });
        Assert.StartsWith(institute2Path, stationPath, StringComparison.Ordinal);
        Assert.StartsWith(stationPath, gridPath, StringComparison.Ordinal);
        Assert.Equal(3, gridDepth);

        // The institute-2 admin's reach now includes the grid, and institute 1's no longer does.
        var admin1 = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        using var gone = await admin1.GetAsync($"/api/v1/units/{gridId}/roles");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var roles = await center.GetJsonAsync($"/api/v1/units/{gridId}/roles");
        Assert.Equal("网格员", Assert.Single(roles.EnumerateArray()).GetProperty("roleName").GetString());

        using var cycle = await center.PostJsonAsync($"/api/v1/units/{institute2}/move", new { newParentId = station, version = 1 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, cycle.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Closing_needs_an_admin_above_and_no_open_children(string provider)
    {
        var host = TestHosts.Get(provider);
        var stationAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var instituteAdmin = await host.ClientAsAsync(TestHost.Phone(Hongta, "01"));
        var station = await host.UnitIdAsync($"{HongtaCode}-01-001");

        using var own = await stationAdmin.PostJsonAsync($"/api/v1/units/{station}/close", new { version = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        using var withChildren = await instituteAdmin.PostJsonAsync($"/api/v1/units/{station}/close", new { version = 1 });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, withChildren.StatusCode);
        Assert.Equal("urn:wenming:problem:unit-has-children", (await withChildren.JsonAsync()).GetProperty("type").GetString());

        var code = UniqueCode("close");
        using var created = await stationAdmin.PostJsonAsync("/api/v1/units", new { parentId = station, kind = "点", name = "临时服务点", code });
        var point = (await created.JsonAsync()).GetProperty("id").GetGuid();
        using var closed = await stationAdmin.PostJsonAsync($"/api/v1/units/{point}/close", new { version = 1 });
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var page = await stationAdmin.GetJsonAsync($"/api/v1/units/{station}/children?pageSize=200");
        Assert.DoesNotContain(page.GetProperty("items").EnumerateArray(), u => u.GetProperty("id").GetGuid() == point);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_leader_reads_but_cannot_change_and_the_refusal_is_audited(string provider)
    {
        var host = TestHosts.Get(provider);
        var leader = await host.ClientAsAsync(TestHost.Phone(Hongta, "40"));
        var center = await host.UnitIdAsync(HongtaCode);
        var me = await leader.GetJsonAsync("/api/v1/me");

        (await leader.GetJsonAsync($"/api/v1/units/{center}/children")).GetProperty("total").GetInt32();
        using var refused = await leader.PostJsonAsync("/api/v1/units", new { parentId = center, kind = "Institute", name = "不该出现的所", code = UniqueCode("x") });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var userId = me.GetProperty("id").GetGuid();
        Assert.True(await host.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "permission.refused" && a.ActorUserId == userId)));
    }
}
