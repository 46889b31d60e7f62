using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Teams;

namespace Wenming.Tests.Orders;

/// <summary>Ordering and moving orders through HTTP as the demo accounts, asserting each move as it goes.</summary>
internal static class OrderFlow
{
    public static async Task<JsonElement> PlaceAsync(HttpClient client, object body)
    {
        using var response = await client.PostJsonAsync("/api/v1/orders", body);
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"place: {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>A resident's order from the first platform of their district, at their station.</summary>
    public static async Task<JsonElement> ResidentOrdersAsync(TestHost host, int district, string title = "上门帮独居老人测血压")
    {
        var resident = await host.ClientAsAsync(TestHost.Phone(district, "20"));
        var platform = (await resident.GetJsonAsync("/api/v1/platforms")).EnumerateArray().First().GetProperty("id").GetGuid();
        return await PlaceAsync(resident, new { title, description = "每周一次，老人行动不便", platformId = platform, wantedAt = DateTimeOffset.UtcNow.AddDays(2) });
    }

    public static async Task<JsonElement> ActAsync(HttpClient client, JsonElement order, string action, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var id = order.GetProperty("id").GetGuid();
        using var response = await client.PostJsonAsync($"/api/v1/orders/{id}/actions/{action}", body ?? new { });
        var json = await response.JsonAsync();
        Assert.True(response.StatusCode == expected, $"{action}: expected {(int)expected}, got {(int)response.StatusCode} {json}");
        return expected == HttpStatusCode.OK ? json : order;
    }

    public static string Step(JsonElement order) => order.GetProperty("step").GetProperty("name").GetString()!;

    public static string State(JsonElement order) => order.GetProperty("state").GetString()!;

    public static Guid HolderUnit(JsonElement order) => order.GetProperty("holder").GetProperty("unit").GetProperty("id").GetGuid();

    public static IReadOnlyList<string> Actions(JsonElement order) => [.. order.GetProperty("actions").EnumerateArray().Select(a => a.GetString()!)];

    public static IReadOnlyList<string> Timeline(JsonElement order) =>
        [.. order.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("action").GetString()!)];

    /// <summary>The team the demo team leader (10) of the district leads: the first station's squad, or its institute's brigade.</summary>
    public static Task<Guid> LeadersSquadAsync(TestHost host, string stationCode)
    {
        var district = int.Parse(stationCode[..6] switch { "500107" => "1", "110108" => "2", "500154" => "3", "530402" => "4", _ => "5" }, System.Globalization.CultureInfo.InvariantCulture);
        var phone = TestHost.Phone(district, "10");
        return host.WithDbAsync(db => db.Set<TeamMember>().Where(m => m.IsLeader && m.Volunteer!.Phone == phone).Select(m => m.TeamId).FirstAsync());
    }

    public static Task<Guid> VolunteerIdAsync(TestHost host, string phone) =>
        host.WithDbAsync(db => db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.Phone == phone).Select(v => v.Id).SingleAsync());

    /// <summary>An order on a unit, filed by a partner (no requester among the demo accounts), in the Open state of its district's workflow.</summary>
    internal static Task<Order> OrderOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var platform = await db.Platforms.Where(p => p.DistrictId == unit.DistrictId).Select(p => p.Id).FirstAsync();
        var workflow = await Workflows.CurrentAsync(db, unit.DistrictId, TimeProvider.System, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var order = new Order(unit.DistrictId, workflow, "T" + Guid.NewGuid().ToString("N")[..10], new OrderDetails("策略测试订单", null, platform, null, null,
            unit.Latitude, unit.Longitude, null, "策略测试", "13900000000"), unit.Id, OrderChannel.Open311, null, null, now);
        var places = await new OrderAccess(db).PlacesAsync(unit.Id, unit.Path, CancellationToken.None);
        order.File(OrderActor.System, places, null, "策略测试", now);
        db.Add(order);
        await db.SaveChangesAsync();
        return order;
    });

    /// <summary>A photo on an order, as if a volunteer had uploaded it.</summary>
    internal static async Task<Guid> GivePhotoAsync(TestHost host, Guid orderId)
    {
        var name = $"orders/{orderId:N}/policy";
        await host.Services.GetRequiredService<Wenming.Web.Infrastructure.Files.IFileStore>().SaveAsync(name, PolicyTests.Png, CancellationToken.None);
        return await host.WithDbAsync(async db =>
        {
            var districtId = await db.Set<Order>().Where(o => o.Id == orderId).Select(o => o.DistrictId).SingleAsync();
            var photo = new OrderPhoto(districtId, orderId, name, "image/png", null, DateTimeOffset.UtcNow);
            db.Add(photo);
            await db.SaveChangesAsync();
            return photo.Id;
        });
    }

    public static object Here(JsonElement order) =>
        new { latitude = order.GetProperty("latitude").GetDouble(), longitude = order.GetProperty("longitude").GetDouble(), coordinateSystem = "wgs84" };
}
