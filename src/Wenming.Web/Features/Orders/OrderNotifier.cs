using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Orders;

/// <summary>
/// The live dispatch board. A connection joins one group per unit its admin or leader roles sit on; an order's move is
/// sent to the groups of every unit above its place and its holder, so each admin hears about their subtree only.
/// </summary>
[Authorize]
internal sealed class OrderBoardHub(AppDbContext db) : Hub
{
    public const string Path = "/hubs/orders";

    public static string Group(Guid unitId) => "unit:" + unitId.ToString("N");

    public override async Task OnConnectedAsync()
    {
        if (Guid.TryParse(Context.User?.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            using var system = db.Scope.AsSystem();
            var grants = await Infrastructure.Tenancy.ScopeLoader.LoadGrantsAsync(db, userId, Context.ConnectionAborted);
            foreach (var g in grants.Where(g => g.Role is Role.Admin or Role.Leader))
            {
                await Groups.AddToGroupAsync(Context.ConnectionId, Group(g.UnitId), Context.ConnectionAborted);
            }
        }

        await base.OnConnectedAsync();
    }
}

/// <summary>Tells the new holder (notice, board, SMS for residents without the app) once a move is saved.</summary>
internal sealed class OrderNotifier(AppDbContext db, IHubContext<OrderBoardHub> hub, ISmsSender sms, IHttpContextAccessor http, IConfiguration config,
    TimeProvider clock, ILogger<OrderNotifier> logger)
{
    private static readonly HashSet<string> HolderChanges =
    [
        OrderEventKinds.Place, OrderEventKinds.EscalateTimeout, OrderEventKinds.Overdue,
        .. new[]
        {
            OrderAction.Confirm, OrderAction.Collect, OrderAction.Draft, OrderAction.Dispatch, OrderAction.Accept, OrderAction.Resolve, OrderAction.Escalate,
            OrderAction.Reject, OrderAction.Rate, OrderAction.Reopen,
        }.Select(OrderActions.Name),
    ];

    /// <summary>Adds the holder's notice to the unit of work that saves the move.</summary>
    public void Stage(Order order, string action)
    {
        if (Notice(order, action) is { } notice)
        {
            db.Add(notice);
        }
    }

    /// <summary>The holder's notice of a move, if the move gives the order a holder to tell.</summary>
    public OrderNotice? Notice(Order order, string action)
    {
        if (!HolderChanges.Contains(action) || order.IsFinished)
        {
            return null;
        }

        var text = action switch
        {
            "escalate-timeout" => $"订单 {order.Number}「{order.Title}」超时未办，已上报给您",
            "overdue" => $"订单 {order.Number}「{order.Title}」已超时，请尽快办理",
            "reject" => $"订单 {order.Number}「{order.Title}」被退回，请重新办理",
            "rate" when order.State == OrderState.UnderReview => $"订单 {order.Number} 收到差评，请复核",
            _ => $"订单 {order.Number}「{order.Title}」待您“{order.Step.Name}”",
        };
        return new OrderNotice(order.DistrictId, order.Id, order.HolderUnitId, order.HolderTeamId, null, text, clock.GetUtcNow());
    }

    /// <summary>
    /// After the save: the live board, and an SMS to a resident who follows the order by phone. In a request whose writes
    /// commit with its idempotency record, after that commit (docs/adr/0008).
    /// </summary>
    public Task PublishAsync(Order order, string action, string? confirmToken, CancellationToken ct) =>
        db.AfterCommitAsync(() => PublishNowAsync(order, action, confirmToken, ct));

    private async Task PublishNowAsync(Order order, string action, string? confirmToken, CancellationToken ct)
    {
        try
        {
            var unitIds = await UnitsAboveAsync(order, ct);
            await hub.Clients.Groups([.. unitIds.Select(OrderBoardHub.Group)]).SendAsync("orderChanged",
                new { id = order.Id, number = order.Number, state = order.State.ToString(), step = order.Step.Name, action }, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The move is saved; a board that misses one message catches up on its next refresh.
            logger.LogWarning(e, "Board update for order {Order} failed", order.Id);
        }

        // Residents without the app (and anyone a grid worker filed for) follow their order by SMS, when there is a phone to
        // send to (a partner's user may have given none: the partner relays the updates).
        var text = SmsText(order, action, confirmToken);
        if (text is not null && order.ContactPhone.Length > 0 && (order.RequesterUserId is null || order.Channel == OrderChannel.GridWorker))
        {
            await sms.SendAsync(order.ContactPhone, text, ct);
        }
    }

    private string? SmsText(Order order, string action, string? confirmToken)
    {
        var head = $"【文明实践】您的服务需求「{order.Title}」（单号 {order.Number}）";
        return action switch
        {
            "place" when confirmToken is not null => $"【文明实践】网格员为您登记了服务需求「{order.Title}」（单号 {order.Number}）。确认请点击 {BaseUrl()}/o/{confirmToken}",
            "place" => head + "已受理。",
            "dispatch" when order.HolderTeamId is not null => head + "已派给志愿服务队。",
            "accept" or "resolve" => head + "已有人接单，志愿者将按约上门。",
            "deliver" => head + "已服务完成，欢迎评价。",
            "reject" when order.State == OrderState.Rejected => head + "未能受理，原因请咨询所在实践站。",
            "cancel" => head + "已取消。",
            _ => null,
        };
    }

    private string BaseUrl() => Infrastructure.PublicUrls.Base(http.HttpContext, config);

    private async Task<List<Guid>> UnitsAboveAsync(Order order, CancellationToken ct)
    {
        var paths = order.Unit is { } place && place.Id == order.UnitId && order.HolderUnit is { } holder && holder.Id == order.HolderUnitId
            ? [place.Path, holder.Path]
            : await db.Units.Where(u => u.Id == order.UnitId || u.Id == order.HolderUnitId).Select(u => u.Path).ToListAsync(ct);
        return [.. paths.SelectMany(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries)).Distinct().Select(s => Guid.ParseExact(s, "N"))];
    }
}
