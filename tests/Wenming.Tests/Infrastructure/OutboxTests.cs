using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Wenming.Tests.Activities;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Orders;
using Wenming.Web.Infrastructure.Events;
using static Wenming.Tests.Infrastructure.TestData;
using static Wenming.Tests.Orders.OrderFlow;

namespace Wenming.Tests.Infrastructure;

/// <summary>A change and its event are written together, once; the dispatcher hands each event to each subscriber once.</summary>
public sealed class OutboxTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_delivered_order_makes_one_event_under_two_delivers_at_once_and_a_retry_and_each_subscriber_handles_it_once(string provider)
    {
        var host = TestHosts.Get(provider);
        var order = await ResidentOrdersAsync(host, Hongta, "帮忙换灯泡");
        var station = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        order = await ActAsync(station, order, "collect");
        var center = await host.ClientAsAsync(TestHost.Phone(Hongta, "00"));
        order = await ActAsync(center, order, "resolve");
        var volunteerId = await VolunteerIdAsync(host, TestHost.Phone(Hongta, "11"));
        order = await ActAsync(center, order, "assign", new { volunteerIds = new[] { volunteerId } });
        var volunteer = await host.ClientAsAsync(TestHost.Phone(Hongta, "11"));
        order = await ActAsync(volunteer, order, "check-in", Here(order));
        order = await ActAsync(volunteer, order, "check-out", Here(order));

        // The volunteer and the center admin report it delivered at the same moment; the volunteer's app then retries.
        var path = $"/api/v1/orders/{order.GetProperty("id")}/actions/deliver";
        var key = Guid.NewGuid().ToString();
        using var fromVolunteer = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(new { note = "换好了" }) };
        fromVolunteer.Headers.Add("Idempotency-Key", key);
        using var fromCenter = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(new { note = "已完成" }) };
        var answers = await Task.WhenAll(volunteer.SendAsync(fromVolunteer), center.SendAsync(fromCenter));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Conflict);
        using var retry = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent(new { note = "换好了" }) };
        retry.Headers.Add("Idempotency-Key", key);
        using var retried = await volunteer.SendAsync(retry);
        Assert.Equal(answers[0].StatusCode, retried.StatusCode);

        var orderId = order.GetProperty("id").GetGuid();
        var events = await host.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.SubjectId == orderId).ToListAsync());
        var delivered = Assert.Single(events, m => m.Kind == OrderDelivered.Name);
        var payload = delivered.Read<OrderDelivered>();
        Assert.Equal(volunteerId, Assert.Single(payload.ServedBy).VolunteerId);
        Assert.Equal(order.GetProperty("number").GetString(), payload.Number);

        // Handed out (the background dispatcher may have done it already), then again: the subscriber handled it once.
        var dispatcher = host.Services.GetRequiredService<OutboxDispatcher>();
        await dispatcher.DispatchPendingAsync(CancellationToken.None);
        await dispatcher.DispatchPendingAsync(CancellationToken.None);
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == CountingSubscriber.Action && a.TargetId == delivered.Id.ToString())));
        Assert.NotNull((await host.WithDbAsync(db => db.Set<OutboxMessage>().SingleAsync(m => m.Id == delivered.Id))).ProcessedAt);

        // A redelivery (as after a crash between the subscriber's commit and the message's mark) changes nothing.
        await host.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => m.Id == delivered.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAt, (DateTimeOffset?)null)));
        await dispatcher.DispatchPendingAsync(CancellationToken.None);
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == CountingSubscriber.Action && a.TargetId == delivered.Id.ToString())));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_move_whose_transaction_rolls_back_leaves_no_event(string provider)
    {
        var host = TestHosts.Get(provider);
        var placed = await ResidentOrdersAsync(host, Hongta, "想请人教用智能手机");
        var orderId = placed.GetProperty("id").GetGuid();
        var residentId = await host.WithDbAsync(db => db.Users.Where(u => u.UserName == TestHost.Phone(Hongta, "20")).Select(u => u.Id).SingleAsync());
        await host.WithDbAsync(async db =>
        {
            var order = await db.Set<Order>().Include(o => o.Workflow).Include(o => o.Events).Include(o => o.Assignments).SingleAsync(o => o.Id == orderId);
            await using var tx = await db.Database.BeginTransactionAsync();
            order.Cancel(new OrderActor(residentId, "居民", false, true, false, null), "不需要了", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            Assert.Equal(1, await db.Set<OutboxMessage>().CountAsync(m => m.SubjectId == orderId)); // written with the change…
            await tx.RollbackAsync();
            return 0;
        });
        Assert.Equal(0, await host.WithDbAsync(db => db.Set<OutboxMessage>().CountAsync(m => m.SubjectId == orderId))); // …and gone with it
        Assert.Equal("Open", State(await (await host.ClientAsAsync(TestHost.Phone(Hongta, "20"))).GetJsonAsync($"/api/v1/orders/{orderId}")));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Two_check_outs_at_once_credit_the_attendance_once(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Hongta, "02"));
        var person = (await ActivityTests.ResidentsAsync(host, $"{HongtaCode}-01-001", 1))[0];
        var id = await ActivityTests.UnderWayAsync(host, admin, person, "社区义诊", startedAgo: 20, checkedInAgo: 10);
        var here = ActivityTests.HongtaSite;
        // A double tap on a slow network: two check-outs at once.
        var taps = await Task.WhenAll(person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", here), person.PostJsonAsync($"/api/v1/activities/{id}/check-ins", here));
        Assert.All(taps, t => Assert.True(t.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, t.StatusCode.ToString()));

        var attendances = await host.WithDbAsync(db => db.Set<Attendance>().Where(a => a.ActivityId == id).Select(a => a.Id).ToListAsync());
        var credited = await host.WithDbAsync(db => db.Set<OutboxMessage>().Where(m => attendances.Contains(m.SubjectId) && m.Kind == AttendanceCredited.Name).ToListAsync());
        var one = Assert.Single(credited);
        Assert.InRange(one.Read<AttendanceCredited>().Minutes, 9, 11);
    }

    private static System.Net.Http.Json.JsonContent JsonContent(object body) => System.Net.Http.Json.JsonContent.Create(body);
}
