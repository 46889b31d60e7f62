using Microsoft.Playwright;
using Wenming.Tests.Infrastructure;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Pages.HomePageTests;

namespace Wenming.Tests.Pages;

/// <summary>Hongta's 五单 in the browser: a resident orders on a phone, admins collect and dispatch, the team accepts, a volunteer serves, the resident rates.</summary>
public sealed class OrderPageTests
{
    [BrowserFact]
    public async Task A_resident_orders_on_a_phone_and_it_moves_through_the_five_steps_with_the_board_updating_live()
    {
        var host = TestHosts.Get("Sqlite");
        var baseUrl = host.CreateClient().BaseAddress!.ToString();
        Directory.CreateDirectory(ScreenshotFolder);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        string Shot(string name) => Path.Combine(ScreenshotFolder, $"order-{name}.png");

        // 群众点单 on a 360-px phone.
        var resident = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "20"), 360, 740);
        await resident.ClickAsync("#order-now");
        await resident.FillAsync("#title", "帮忙给行动不便的老人送药");
        await resident.FillAsync("#address", "聂耳社区 5 栋 302");
        await resident.FillAsync("#description", "每周三上午，药已在社区卫生站备好");
        await AssertFitsAsync(resident, 360);
        await resident.ScreenshotAsync(new() { Path = Shot("1-resident-orders-360"), FullPage = true });
        await resident.ClickAsync("#place-order");
        await resident.WaitForURLAsync("**/Orders/Detail?id=*");
        var orderUrl = resident.Url;
        var orderId = Guid.Parse(new Uri(orderUrl).Query.Split('&')[0].Split('=')[1]);
        Assert.Contains("所站集单", await resident.InnerTextAsync("#order-next"));
        await AssertFitsAsync(resident, 360);
        await resident.ScreenshotAsync(new() { Path = Shot("2-placed-360"), FullPage = true });

        // 所站集单 by the station admin.
        var station = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "02"), 1280, 800);
        await station.GotoAsync($"/Orders/Detail?id={orderId}");
        await station.ClickAsync("button[data-action=collect]");
        await station.WaitForSelectorAsync("#order-next:has-text('中心派单')");
        await station.ScreenshotAsync(new() { Path = Shot("3-collected"), FullPage = true });

        // The center's live board, open while the center dispatches in another tab.
        var board = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "00"), 1280, 800);
        await board.GotoAsync("/Orders/Board");
        await board.WaitForSelectorAsync("#board-live:not([hidden])");
        await board.WaitForSelectorAsync("#board-steps li[data-step='中心派单']");
        var accepting = int.Parse(await board.GetAttributeAsync("#board-steps li[data-step='志愿服务队接单']", "data-count") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await board.ScreenshotAsync(new() { Path = Shot("4-board-before-dispatch"), FullPage = true });

        var center = await board.Context.NewPageAsync();
        await center.GotoAsync($"/Orders/Detail?id={orderId}");
        var team = await Orders.OrderFlow.LeadersSquadAsync(host, $"{HongtaCode}-01-001");
        await center.SelectOptionAsync("#dispatch-team", team.ToString());
        await center.ScreenshotAsync(new() { Path = Shot("5-center-dispatches"), FullPage = true });
        await center.ClickAsync("#dispatch-form button[data-action=dispatch]");
        await center.WaitForSelectorAsync("#order-next:has-text('志愿服务队接单')");

        // No reload: SignalR tells the board, which refetches its figures.
        await board.WaitForSelectorAsync($"#board-steps li[data-step='志愿服务队接单'][data-count='{accepting + 1}']", new() { Timeout = 10_000 });
        await board.ScreenshotAsync(new() { Path = Shot("6-board-after-dispatch"), FullPage = true });

        // 志愿服务队接单: the team leader accepts and sends the demo volunteer.
        var leader = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "10"), 360, 740);
        await leader.GotoAsync($"/Orders/Detail?id={orderId}");
        await leader.ClickAsync("button[data-action=accept]");
        await leader.WaitForSelectorAsync("#assign-form");
        var volunteerId = await Orders.OrderFlow.VolunteerIdAsync(host, TestHost.Phone(Hongta, "11"));
        await leader.SelectOptionAsync("#assign-volunteer", volunteerId.ToString());
        await leader.ClickAsync("#assign-form button[data-action=assign]");
        await leader.WaitForSelectorAsync("#assignments");
        await leader.ScreenshotAsync(new() { Path = Shot("7-team-accepts-360"), FullPage = true });

        // The volunteer checks in and out where the service is (the phone's location), and reports it delivered.
        var place = await host.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            db.Set<Wenming.Web.Features.Orders.Order>().Where(o => o.Id == orderId).Select(o => new { o.Latitude, o.Longitude })));
        var volunteer = await SignInAsync(browser, baseUrl, TestHost.Phone(Hongta, "11"), 360, 740,
            new Geolocation { Latitude = (float)place.Latitude!.Value, Longitude = (float)place.Longitude!.Value });
        await volunteer.GotoAsync($"/Orders/Detail?id={orderId}");
        await volunteer.ClickAsync("button[data-action=check-in]");
        await volunteer.WaitForSelectorAsync("button[data-action=check-out]");
        await volunteer.ScreenshotAsync(new() { Path = Shot("8-volunteer-checked-in-360"), FullPage = true });
        await volunteer.ClickAsync("button[data-action=check-out]");
        await volunteer.WaitForSelectorAsync("button[data-action=deliver]");
        await volunteer.ClickAsync("button[data-action=deliver]");
        await volunteer.WaitForSelectorAsync("#order-next:has-text('等待群众评价')");
        await volunteer.ScreenshotAsync(new() { Path = Shot("9-delivered-360"), FullPage = true });

        // 群众评单.
        await resident.GotoAsync(orderUrl);
        await resident.CheckAsync("#rate-form input[name=stars][value='5']");
        await resident.FillAsync("#rate-form textarea", "志愿者很耐心，谢谢！");
        await resident.ClickAsync("#rate-form button[data-action=rate]");
        await resident.WaitForSelectorAsync("#order-state:has-text('已办结')");
        var timeline = await resident.InnerTextAsync("#timeline");
        foreach (var step in new[] { "所站集单", "中心派单", "志愿服务队接单", "志愿服务", "群众评单" })
        {
            Assert.Contains(step, timeline);
        }

        await AssertFitsAsync(resident, 360);
        await resident.ScreenshotAsync(new() { Path = Shot("10-rated-360"), FullPage = true });
        Assert.Equal(10, Directory.GetFiles(ScreenshotFolder, "order-*.png").Length);
    }
}
