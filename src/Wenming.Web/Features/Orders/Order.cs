using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

internal enum OrderState
{
    /// <summary>Filed for a resident by a grid worker; waits for the resident to confirm.</summary>
    AwaitingConfirmation = 1,
    Open = 2,
    InService = 3,
    Delivered = 4,
    Closed = 5,
    UnderReview = 6,
    Cancelled = 7,
    Rejected = 8,
    Merged = 9,
}

internal enum OrderChannel
{
    App = 1,
    GridWorker = 2,
    Open311 = 3,
}

/// <summary>
/// Who is acting on an order, and how they stand to it: worked out once per request from the caller's scope, so the
/// order's own methods can say yes or no.
/// </summary>
internal sealed record OrderActor(Guid? UserId, string Name, bool AdministersHolder, bool IsRequester, bool LeadsHolderTeam, Guid? VolunteerId)
{
    public static readonly OrderActor System = new(null, "系统", true, false, false, null);

    public bool IsSystem => UserId is null;
}

/// <summary>The places an order moves between: its place's ancestors by kind, found once per request.</summary>
internal sealed record OrderPlaces(IReadOnlyDictionary<UnitKind, Guid> Ancestors, Guid PlaceUnitId)
{
    public Guid At(UnitKind? level, Guid current) =>
        level is { } l && Ancestors.TryGetValue(l, out var id) ? id : current;
}

/// <summary>
/// A resident's need moving through the district's workflow (点单 → … → 评单). The state changes only through the
/// methods below; each checks the step the workflow is at and who is acting, and writes the timeline. The
/// <see cref="Version"/> token lets one of two concurrent moves win and the other get 409.
/// </summary>
internal sealed class Order : IDistrictOwned, IRaisesEvents
{
    public const int MaxPhotos = 9;

    private Order()
    {
    }

    public Order(Guid districtId, WorkflowDefinition workflow, string number, OrderDetails details, Guid placeUnitId, OrderChannel channel,
        Guid? requesterUserId, Guid? filedById, DateTimeOffset now)
    {
        Id = Ids.New();
        DistrictId = districtId;
        WorkflowId = workflow.Id;
        Workflow = workflow;
        Number = number;
        Title = details.Title;
        Description = details.Description;
        PlatformId = details.PlatformId;
        MenuItemId = details.MenuItemId;
        Address = details.Address;
        Latitude = details.Latitude;
        Longitude = details.Longitude;
        WantedAt = details.WantedAt;
        ContactName = details.ContactName;
        ContactPhone = details.ContactPhone;
        UnitId = placeUnitId;
        HolderUnitId = placeUnitId;
        Channel = channel;
        RequesterUserId = requesterUserId;
        FiledById = filedById;
        CreatedAt = now;
        UpdatedAt = now;
    }

    public Guid Id { get; private set; }
    public Guid DistrictId { get; private set; }
    public Guid WorkflowId { get; private set; }
    public string Number { get; private set; } = "";
    public string Title { get; private set; } = "";
    public string? Description { get; private set; }
    public Guid PlatformId { get; private set; }
    public Guid? MenuItemId { get; private set; }

    /// <summary>Where the service is wanted: the resident's station, grid or building.</summary>
    public Guid UnitId { get; private set; }

    public string? Address { get; private set; }

    /// <summary>WGS-84; phone maps' GCJ-02 is converted on the way in.</summary>
    public double? Latitude { get; private set; }

    public double? Longitude { get; private set; }
    public DateTimeOffset? WantedAt { get; private set; }
    public string ContactName { get; private set; } = "";
    public string ContactPhone { get; private set; } = "";
    public OrderChannel Channel { get; private set; }
    public Guid? RequesterUserId { get; private set; }
    public Guid? FiledById { get; private set; }
    public string? PartnerName { get; private set; }
    public OrderState State { get; private set; }
    public int StepIndex { get; private set; }
    public DateTimeOffset? StepDueAt { get; private set; }
    public DateTimeOffset? OverdueNotifiedAt { get; private set; }
    public Guid HolderUnitId { get; private set; }
    public Guid? HolderTeamId { get; private set; }
    public Guid? HolderVolunteerId { get; private set; }

    /// <summary>At a 抢单 step and not yet taken: every active volunteer of the district may see and claim it.</summary>
    public bool OpenForClaim { get; private set; }
    public string? ConfirmTokenHash { get; private set; }
    public DateTimeOffset? ConfirmedAt { get; private set; }
    public Guid? PossibleDuplicateOfId { get; private set; }
    public Guid? MergedIntoId { get; private set; }

    /// <summary>The project (项目库) this order counts towards, if any.</summary>
    public Guid? ProjectId { get; private set; }
    public int? Rating { get; private set; }
    public string? RatingComment { get; private set; }
    public DateTimeOffset? RatedAt { get; private set; }
    public string? DeliveryNote { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public int Version { get; private set; }

    private OrderEvent? _pendingEvent;

    private List<IOutboxEvent>? _outbox;

    public bool HasEvents => _outbox is { Count: > 0 };

    public IReadOnlyList<IOutboxEvent> TakeEvents()
    {
        var taken = _outbox ?? [];
        _outbox = null;
        return taken;
    }

    public WorkflowDefinition? Workflow { get; private set; }
    public Unit? Unit { get; private set; }
    public Unit? HolderUnit { get; private set; }
    public List<OrderEvent> Events { get; private set; } = [];
    public List<OrderAssignment> Assignments { get; private set; } = [];
    public List<OrderPhoto> Photos { get; private set; } = [];

    public WorkflowStep Step => Steps[Math.Min(StepIndex, Steps.Count - 1)];

    /// <summary>The states an order ends in: only a reopen (of a closed one) moves it again.</summary>
    public static readonly OrderState[] FinishedStates = [OrderState.Closed, OrderState.Cancelled, OrderState.Rejected, OrderState.Merged];

    public static bool IsFinishedState(OrderState state) => Array.IndexOf(FinishedStates, state) >= 0;

    public bool IsFinished => IsFinishedState(State);

    private IReadOnlyList<WorkflowStep> Steps => (Workflow ?? throw new InvalidOperationException("Load the order with its workflow.")).Steps;

    /// <summary>
    /// Sets the place and the holder as units on an order written without the change tracker (which would otherwise set
    /// them from the units it tracks), for what reads them after placing: the view and the live board.
    /// </summary>
    public void ShowUnits(Unit place, Unit holder)
    {
        if (place.Id != UnitId || holder.Id != HolderUnitId)
        {
            throw new InvalidOperationException("The units are not this order's place and holder.");
        }

        (Unit, HolderUnit) = (place, holder);
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may make <paramref name="action"/> now, and if not, why: null for yes, else the
    /// refusal (409 for the order's state, 403 for who is acting, 422 for a rule). The one guard: the order's view offers
    /// exactly the moves this allows, and each move below starts by asking it. What a move is given (a team, stars, a
    /// place) is checked after it, by the move.
    /// </summary>
    public Exception? Refusal(OrderAction action, OrderActor actor) => action switch
    {
        OrderAction.Confirm => ConfirmedAt is not null ? new DomainException("order-already-confirmed", "该需求已经确认过了", 409)
            : Channel != OrderChannel.GridWorker || IsFinished ? new DomainException("order-not-confirmable", "该订单不需要居民确认", 409)
            : !actor.IsSystem && (RequesterUserId is null || actor.UserId != RequesterUserId) ? new AccessDeniedException("只有被登记的居民本人可以确认")
            : null,
        OrderAction.Collect or OrderAction.Draft => WrongStep(action == OrderAction.Collect ? StepKind.Collect : StepKind.Draft, OrderState.Open)
                                                    ?? (Exception?)NotAdmin(actor),
        OrderAction.Dispatch => State != OrderState.Open || Step.Kind is not (StepKind.Dispatch or StepKind.Accept)
            ? new DomainException("order-wrong-step", $"订单当前在“{Step.Name}”环节，不能派单", 409)
            : NotAdmin(actor),
        OrderAction.Accept => (Exception?)WrongStep(StepKind.Accept, OrderState.Open) ?? AcceptRefusal(actor),
        OrderAction.Resolve => State != OrderState.Open ? NotHandling() : NotAdmin(actor),
        OrderAction.Escalate => State is not (OrderState.Open or OrderState.InService or OrderState.AwaitingConfirmation)
            ? new DomainException("order-not-open", "只有办理中的订单可以上报", 409)
            : !actor.AdministersHolder && !actor.LeadsHolderTeam ? new AccessDeniedException("只有当前承办单位或队伍可以上报")
            : HolderUnit is { ParentId: null } ? new DomainException("order-at-top", "订单已在中心，无法再上报", 422)
            : null,
        OrderAction.Reject => State is not (OrderState.Open or OrderState.InService) ? NotHandling()
            : !actor.AdministersHolder && !actor.LeadsHolderTeam && !HoldsAsVolunteer(actor) ? new AccessDeniedException("只有当前承办方可以退单")
            : CurrentRound.Any(a => a.CheckInAt is not null && a.CheckOutAt is null) ? new DomainException("order-in-service", "志愿者正在服务中，不能退单", 409)
            : null,
        OrderAction.Assign => (Exception?)WrongStep(StepKind.Deliver, OrderState.InService)
                              ?? (actor.LeadsHolderTeam || actor.AdministersHolder ? null : new AccessDeniedException("只有承办队伍的队长或承办单位管理员可以指派志愿者")),
        OrderAction.CheckIn => ServiceRefusal(actor, out var a) ?? (a!.CheckInAt is not null ? new DomainException("order-already-checked-in", "您已签到", 409) : null),
        OrderAction.CheckOut => ServiceRefusal(actor, out var a)
                                ?? (a!.CheckInAt is null ? new DomainException("order-not-checked-in", "请先签到", 409)
                                    : a.CheckOutAt is not null ? new DomainException("order-already-checked-out", "您已签退", 409)
                                    : null),
        OrderAction.Deliver => (Exception?)WrongStep(StepKind.Deliver, OrderState.InService)
                               ?? (!TakesPart(actor)
                                   ? new AccessDeniedException("只有参与服务的志愿者、队长或承办单位可以确认送达")
                                   : !CurrentRound.Any(x => x.CheckOutAt is not null) ? new DomainException("order-no-service", "还没有志愿者完成签到和签退，不能确认送达", 422)
                                   : CurrentRound.Any(x => x.CheckInAt is not null && x.CheckOutAt is null) ? new DomainException("order-still-in-service", "还有志愿者未签退", 422)
                                   : null),
        OrderAction.Rate => State != OrderState.Delivered || Step.Kind != StepKind.Rate ? new DomainException("order-not-delivered", "服务送达后才能评价", 409)
            : actor.IsRequester ? null
            : new AccessDeniedException("只有点单的群众（或代点单的网格员）可以评价"),
        OrderAction.Review => State != OrderState.UnderReview ? new DomainException("order-not-under-review", "该订单不在复核中", 409) : NotAdmin(actor),
        OrderAction.Reopen => State != OrderState.Closed ? new DomainException("order-not-closed", "只有已结单的订单可以重新打开", 409)
            : actor.IsRequester || actor.AdministersHolder ? null
            : new AccessDeniedException("只有点单人或上级管理员可以重新打开订单"),
        OrderAction.Cancel => !actor.IsRequester ? new AccessDeniedException("只有点单的群众（或代点单的网格员）可以取消")
            : State is not (OrderState.AwaitingConfirmation or OrderState.Open or OrderState.InService) || CurrentRound.Any(x => x.CheckInAt is not null)
                ? new DomainException("order-cannot-cancel", "服务已开始或已结束，不能取消", 409)
                : null,
        OrderAction.Merge => State is not (OrderState.Open or OrderState.InService) ? NotHandling() : NotAdmin(actor),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public bool Allows(OrderAction action, OrderActor actor) => Refusal(action, actor) is null;

    /// <summary>The moves open to <paramref name="actor"/>: the buttons on the order's page and <c>actions</c> in its view.</summary>
    public IReadOnlyList<OrderAction> ActionsFor(OrderActor actor) => [.. OrderActions.All.Where(a => Allows(a, actor))];

    /// <summary>At an accept step open to volunteers and not given to a team: the first volunteer to accept takes it (抢单).</summary>
    public bool AcceptIsClaim => Step.Kind == StepKind.Accept && Step.Performer == Accounts.Role.Volunteer && HolderTeamId is null;

    /// <summary>Records how the order was filed, completes the entry steps, and hands it to the first handling step.</summary>
    public void File(OrderActor actor, OrderPlaces places, string? confirmTokenHash, string? partnerName, DateTimeOffset now)
    {
        PartnerName = partnerName;
        var byGridWorker = Channel == OrderChannel.GridWorker;
        var hasPatrol = Steps[0].Kind == StepKind.Patrol;
        if (byGridWorker && hasPatrol)
        {
            Append(OrderEventKinds.File, 0, actor, now, "网格员巡单登记");
            ConfirmTokenHash = confirmTokenHash;
            var place = Workflow!.IndexOf(StepKind.Place);
            if (place > 0)
            {
                // 群众点单 after 巡单: the resident confirms what the grid worker recorded.
                Enter(place, places.At(Steps[place].Level, UnitId), null, null, now);
                State = OrderState.AwaitingConfirmation;
                return;
            }
        }

        ConfirmTokenHash = byGridWorker ? confirmTokenHash : null;
        var entryNote = Channel switch
        {
            OrderChannel.GridWorker => "网格员代为点单",
            OrderChannel.Open311 => $"经 Open311 接口（{partnerName}）点单",
            _ => null,
        };
        Append(OrderEventKinds.Place, hasPatrol ? 1 : 0, actor, now, entryNote);
        EnterHandling(places, now);
    }

    /// <summary>The resident says the need a grid worker filed for them is theirs (SMS link or signed in).</summary>
    public void Confirm(OrderActor actor, OrderPlaces places, DateTimeOffset now)
    {
        Require(OrderAction.Confirm, actor);
        ConfirmedAt = now;
        if (State == OrderState.AwaitingConfirmation)
        {
            Append(OrderAction.Confirm, actor, now, "居民确认需求");
            EnterHandling(places, now);
        }
        else
        {
            Append(OrderAction.Confirm, actor, now, "居民确认了网格员代点的需求");
            Touch(now);
        }
    }

    /// <summary>集单 / 制单 by an admin of the holding unit or above.</summary>
    public void CompleteUnitStep(OrderAction action, OrderActor actor, OrderPlaces places, string? note, DateTimeOffset now)
    {
        if (action is not (OrderAction.Collect or OrderAction.Draft))
        {
            throw new ArgumentOutOfRangeException(nameof(action));
        }

        Require(action, actor);
        Append(action, actor, now, note);
        Advance(places, now);
    }

    /// <summary>派单 down a level: the order stays at the dispatch step, held by the unit below.</summary>
    public void DispatchDown(OrderActor actor, Unit child, Unit holder, DateTimeOffset now)
    {
        Require(OrderAction.Dispatch, actor);
        if (!DispatchTargets.MayPassDown(holder, child))
        {
            throw new DomainException("order-dispatch-target", "只能派给本单位的下一级所、站", 422);
        }

        HolderUnitId = child.Id;
        HolderTeamId = null;
        Append(OrderAction.Dispatch, actor, now, $"派单至 {child.Name}");
        RestartClock(now);
    }

    /// <summary>派单 to a team: the dispatch step ends; the team's leader accepts next (or its volunteers deliver).</summary>
    public void DispatchToTeam(OrderActor actor, Unit holder, Guid teamId, string teamName, Unit teamUnit, DateTimeOffset now)
    {
        Require(OrderAction.Dispatch, actor);
        if (DispatchTargets.TeamRefusal(holder, teamUnit, Step.OneLevelAtATime) is { } refusal)
        {
            throw new DomainException("order-dispatch-target", refusal, 422);
        }

        var atAccept = Step.Kind == StepKind.Accept;
        Append(OrderAction.Dispatch, actor, now, $"派单至 {teamName}");
        Enter(atAccept ? StepIndex : StepIndex + 1, teamUnit.Id, teamId, null, now);
    }

    /// <summary>
    /// 接单: by the holding unit's admin, the holding team's leader, or (抢单, <see cref="AcceptIsClaim"/>) the first
    /// volunteer, who is then the one assigned.
    /// </summary>
    public void Accept(OrderActor actor, OrderPlaces places, string? note, DateTimeOffset now)
    {
        Require(OrderAction.Accept, actor);
        if (AcceptIsClaim)
        {
            var volunteerId = actor.VolunteerId!.Value;
            Append(OrderAction.Accept, actor, now, "志愿者抢单");
            Assignments.Add(new OrderAssignment(DistrictId, Id, volunteerId, actor.UserId, now));
            HolderVolunteerId = volunteerId;
            Advance(places, now, keepHolder: true);
            return;
        }

        Append(OrderAction.Accept, actor, now, note);
        Advance(places, now, keepHolder: Step.Performer != Accounts.Role.Admin);
    }

    /// <summary>The holding unit handles the order itself: straight to the service step, its admins assign volunteers.</summary>
    public void Resolve(OrderActor actor, string? note, DateTimeOffset now)
    {
        Require(OrderAction.Resolve, actor);
        Append(OrderAction.Resolve, actor, now, note ?? "本单位直接办理");
        Enter(Workflow!.IndexOf(StepKind.Deliver), HolderUnitId, null, null, now);
    }

    /// <summary>上报: the unit above takes it over, by hand (<see cref="OrderAction.Escalate"/>) or when the step's deadline passes.</summary>
    public void Escalate(OrderActor actor, Unit parent, bool automatic, string? note, DateTimeOffset now)
    {
        Require(OrderAction.Escalate, automatic ? OrderActor.System : actor);
        if (parent.Id != HolderUnit?.ParentId && HolderUnit is not null)
        {
            throw new InvalidOperationException("An order escalates to its holder's parent.");
        }

        if (automatic)
        {
            Append(OrderEventKinds.EscalateTimeout, StepIndex, actor, now, note ?? $"“{Step.Name}”超时，自动上报 {parent.Name}");
        }
        else
        {
            Append(OrderAction.Escalate, actor, now, note ?? $"上报 {parent.Name}");
        }

        HolderUnitId = parent.Id;
        HolderTeamId = null;
        HolderVolunteerId = null;
        RestartClock(now);
    }

    /// <summary>Past the deadline with nowhere higher to go (or a step that only warns): marked and told, once per step.</summary>
    public void MarkOverdue(DateTimeOffset now)
    {
        OverdueNotifiedAt = now;
        Append(OrderEventKinds.Overdue, StepIndex, OrderActor.System, now, $"“{Step.Name}”已超时");
        Touch(now);
    }

    /// <summary>Closes an order whose step ends by closing on timeout (an unanswered rating, an unconfirmed patrol record).</summary>
    public void CloseOnTimeout(DateTimeOffset now)
    {
        var unconfirmed = State == OrderState.AwaitingConfirmation;
        Append(OrderEventKinds.CloseTimeout, StepIndex, OrderActor.System, now, unconfirmed ? "居民未在时限内确认，自动关闭" : "评价期满，自动结单");
        State = unconfirmed ? OrderState.Cancelled : OrderState.Closed;
        ClosedAt = now;
        StepDueAt = null;
        Touch(now);
    }

    /// <summary>退单: back a step, to whoever held it before, with the reason on the timeline.</summary>
    public void Reject(OrderActor actor, string reason, DateTimeOffset now)
    {
        Require(OrderAction.Reject, actor);
        var previous = PreviousPlace();
        EndRound(now);
        Append(OrderAction.Reject, actor, now, reason);
        if (previous is null)
        {
            State = OrderState.Rejected;
            ClosedAt = now;
            StepDueAt = null;
            Touch(now);
            return;
        }

        Enter(previous.Value.Step, previous.Value.Unit, previous.Value.Team, null, now);
    }

    /// <summary>The team's leader (or the handling admin) names the volunteers who will go.</summary>
    public void Assign(OrderActor actor, IReadOnlyList<(Guid Id, string Name)> volunteers, DateTimeOffset now)
    {
        Require(OrderAction.Assign, actor);
        var added = volunteers.Where(v => !CurrentRound.Any(a => a.VolunteerId == v.Id)).ToList();
        if (added.Count == 0)
        {
            throw new DomainException("order-already-assigned", "这些志愿者已在本单中", 409);
        }

        foreach (var v in added)
        {
            Assignments.Add(new OrderAssignment(DistrictId, Id, v.Id, actor.UserId, now));
        }

        Append(OrderAction.Assign, actor, now, "指派：" + string.Join("、", added.Select(v => v.Name)));
        Touch(now);
    }

    public void CheckIn(OrderActor actor, double? lat, double? lng, double? metersAway, int radiusMeters, DateTimeOffset now)
    {
        Require(OrderAction.CheckIn, actor);
        RequireNear(metersAway, radiusMeters, "签到");
        OwnAssignment(actor)!.CheckIn(lat, lng, now);
        if (Assignments.Count(a => a.CheckInAt is not null) == 1)
        {
            StepDueAt = null; // the service has started; its deadline is met
        }

        Append(OrderAction.CheckIn, actor, now, metersAway is { } m ? $"签到（距服务地点 {m:0} 米）" : "签到");
        Touch(now);
    }

    public void CheckOut(OrderActor actor, double? lat, double? lng, double? metersAway, int radiusMeters, DateTimeOffset now)
    {
        Require(OrderAction.CheckOut, actor);
        RequireNear(metersAway, radiusMeters, "签退");
        var assignment = OwnAssignment(actor)!;
        assignment.CheckOut(lat, lng, now);
        Append(OrderAction.CheckOut, actor, now, $"签退，服务 {assignment.Minutes} 分钟");
        Touch(now);
    }

    /// <summary>送单 done: what was done is noted; everyone who went has checked out.</summary>
    public void Deliver(OrderActor actor, string? note, OrderPlaces places, DateTimeOffset now)
    {
        Require(OrderAction.Deliver, actor);
        DeliveryNote = note;
        DeliveredAt = now;
        Append(OrderAction.Deliver, actor, now, note);
        Raise(new OrderDelivered(DistrictId, Id, Number, PlatformId, MenuItemId, UnitId, HolderUnitId, HolderTeamId, now,
            [.. CurrentRound.Where(a => a.CheckOutAt is not null).Select(a => new ServedBy(a.VolunteerId, a.CheckInAt, a.CheckOutAt, a.Minutes))], Title, Address,
            actor.VolunteerId is null ? actor.UserId : null, actor.VolunteerId is null ? actor.Name : null));
        Advance(places, now, keepHolder: true);
    }

    /// <summary>评单: 1–5 stars; 1–2 reopens the order for the unit above the one that delivered it.</summary>
    public void Rate(OrderActor actor, int stars, string? comment, Unit? reviewUnit, DateTimeOffset now)
    {
        Require(OrderAction.Rate, actor);
        Rating = stars;
        RatingComment = comment;
        RatedAt = now;
        Append(OrderAction.Rate, actor, now, $"{stars} 星" + (string.IsNullOrWhiteSpace(comment) ? "" : "：" + comment));
        var review = stars <= 2 ? reviewUnit : null;
        Raise(new OrderRated(DistrictId, Id, stars, review is not null, now, ServedInRound(), Title));
        if (review is not null)
        {
            OpenReview(review, now, $"差评，转 {review.Name} 复核");
            return;
        }

        Close(now);
    }

    /// <summary>复核 after a bad rating or a reopen: close it, or send it back to be done again.</summary>
    public void Review(OrderActor actor, bool redo, string? note, DateTimeOffset now)
    {
        Require(OrderAction.Review, actor);
        Append(OrderAction.Review, actor, now, (redo ? "复核：重新办理" : "复核：结单") + (string.IsNullOrWhiteSpace(note) ? "" : "，" + note));
        Raise(new OrderReviewed(DistrictId, Id, redo, now, redo ? ServedInRound() : null, Title));
        if (!redo)
        {
            Close(now);
            return;
        }

        var back = Steps.ToList().FindLastIndex(s => s.Kind == StepKind.Dispatch);
        back = back >= 0 ? back : Workflow!.IndexOf(StepKind.Deliver);
        Rating = null;
        RatedAt = null;
        DeliveredAt = null;
        ClosedAt = null;
        EndRound(now);
        Enter(back, HolderUnitId, null, null, now);
    }

    /// <summary>A closed order taken up again, by the resident who asked or by an admin over it.</summary>
    public void Reopen(OrderActor actor, Unit reviewUnit, string reason, DateTimeOffset now)
    {
        Require(OrderAction.Reopen, actor);
        Append(OrderAction.Reopen, actor, now, reason);
        OpenReview(reviewUnit, now, $"转 {reviewUnit.Name} 复核");
    }

    /// <summary>The resident withdraws the order; possible until a volunteer has started the service.</summary>
    public void Cancel(OrderActor actor, string? reason, DateTimeOffset now)
    {
        Require(OrderAction.Cancel, actor);
        EndRound(now);
        Append(OrderAction.Cancel, actor, now, reason);
        Raise(new OrderCancelled(DistrictId, Id, now));
        State = OrderState.Cancelled;
        ClosedAt = now;
        StepDueAt = null;
        Touch(now);
    }

    public void LinkProject(OrderActor actor, Guid? projectId, string projectName, DateTimeOffset now)
    {
        if (NotAdmin(actor) is { } refusal)
        {
            throw refusal;
        }

        ProjectId = projectId;
        Append(OrderEventKinds.Project, StepIndex, actor, now, projectId is null ? "移出项目" : $"归入项目：{projectName}");
        Touch(now);
    }

    /// <summary>A new order may repeat one already open nearby: the station sees the flag and may merge.</summary>
    public void FlagPossibleDuplicate(Guid otherOrderId) => PossibleDuplicateOfId = otherOrderId;

    public void MergeInto(OrderActor actor, Order other, DateTimeOffset now)
    {
        Require(OrderAction.Merge, actor);
        if (other.Id == Id || other.IsFinished)
        {
            throw new DomainException("order-merge-target", "只能合并到另一张办理中的订单", 422);
        }

        MergedIntoId = other.Id;
        Append(OrderAction.Merge, actor, now, $"与订单 {other.Number} 合并");
        State = OrderState.Merged;
        ClosedAt = now;
        StepDueAt = null;
        Touch(now);
        other.Append(OrderAction.Merge, actor, now, $"合并了订单 {Number}");
        other.Touch(now);
    }

    /// <summary>Those who took part may add photos once the service has started; checked before the upload is read.</summary>
    public void RequireMayAddPhoto(OrderActor actor)
    {
        if (!TakesPart(actor))
        {
            throw new AccessDeniedException("只有参与服务的志愿者、队长或承办单位可以上传照片");
        }

        if (State is not (OrderState.InService or OrderState.Delivered))
        {
            throw new DomainException("order-photo-state", "服务开始后才能上传照片", 409);
        }
    }

    public void AddPhoto(OrderActor actor, string fileName, string contentType, DateTimeOffset now)
    {
        RequireMayAddPhoto(actor);
        if (Photos.Count >= MaxPhotos)
        {
            throw new DomainException("order-photo-limit", $"每张订单最多 {MaxPhotos} 张照片", 422);
        }

        Photos.Add(new OrderPhoto(DistrictId, Id, fileName, contentType, actor.UserId, now));
        Append(OrderEventKinds.Photo, StepIndex, actor, now, "上传服务照片");
        Touch(now);
    }

    private void Raise(IOutboxEvent e) => (_outbox ??= []).Add(e);

    private void Require(OrderAction action, OrderActor actor)
    {
        if (Refusal(action, actor) is { } refusal)
        {
            throw refusal;
        }
    }

    private DomainException? WrongStep(StepKind kind, OrderState state) =>
        State == state && Step.Kind == kind ? null
        : new DomainException("order-wrong-step", IsFinished ? "订单已不在办理中" : $"订单当前在“{Step.Name}”环节，不能执行此操作", 409);

    private DomainException NotHandling() => new("order-not-open", IsFinished ? "订单已不在办理中" : $"订单当前在“{Step.Name}”环节，不能执行此操作", 409);

    private static AccessDeniedException? NotAdmin(OrderActor actor) =>
        actor.AdministersHolder ? null : new AccessDeniedException("只有承办单位（或其上级）的管理员可以办理此环节");

    private Exception? AcceptRefusal(OrderActor actor)
    {
        if (Step.Performer == Accounts.Role.Admin)
        {
            return NotAdmin(actor);
        }

        if (AcceptIsClaim)
        {
            return actor.VolunteerId is null ? new DomainException("order-not-volunteer", "只有在册的志愿者可以抢单", 422)
                : actor.IsRequester ? new DomainException("order-own", "不能接自己点的单", 422)
                : null;
        }

        return HolderTeamId is null ? new DomainException("order-no-team", "该订单还没有派给队伍", 409)
            : actor.LeadsHolderTeam ? null
            : new AccessDeniedException("只有接单队伍的队长或其上级管理员可以接单");
    }

    private Exception? ServiceRefusal(OrderActor actor, out OrderAssignment? assignment)
    {
        assignment = OwnAssignment(actor);
        return State != OrderState.InService ? new DomainException("order-not-in-service", "订单不在服务环节", 409)
            : assignment is null ? new AccessDeniedException(actor.VolunteerId is null ? "只有被指派的志愿者可以签到签退" : "您没有被指派到这张订单")
            : null;
    }

    private OrderAssignment? OwnAssignment(OrderActor actor) => actor.VolunteerId is { } v ? CurrentRound.FirstOrDefault(a => a.VolunteerId == v) : null;

    private bool IsAssigned(OrderActor actor) => OwnAssignment(actor) is not null;

    /// <summary>Serves the order: a volunteer sent, the holding team's leader, or an admin over the holder.</summary>
    public bool TakesPart(OrderActor actor) => IsAssigned(actor) || actor.LeadsHolderTeam || actor.AdministersHolder;

    private bool HoldsAsVolunteer(OrderActor actor) => actor.VolunteerId is { } v && v == HolderVolunteerId;

    private void EnterHandling(OrderPlaces places, DateTimeOffset now)
    {
        var first = Workflow!.FirstHandlingStep;
        Enter(first, places.At(Steps[first].Level, UnitId), null, null, now);
    }

    private void Advance(OrderPlaces places, DateTimeOffset now, bool keepHolder = false)
    {
        var next = StepIndex + 1;
        var step = Steps[next];
        var unit = keepHolder && step.Level is null ? HolderUnitId : places.At(step.Level, HolderUnitId);
        Enter(next, unit, keepHolder ? HolderTeamId : null, keepHolder ? HolderVolunteerId : null, now);
    }

    private void Enter(int index, Guid holderUnitId, Guid? teamId, Guid? volunteerId, DateTimeOffset now)
    {
        StepIndex = index;
        HolderUnitId = holderUnitId;
        HolderTeamId = teamId;
        HolderVolunteerId = volunteerId;
        State = Steps[index].Kind switch
        {
            StepKind.Deliver => OrderState.InService,
            StepKind.Rate => OrderState.Delivered,
            StepKind.Patrol or StepKind.Place => OrderState.AwaitingConfirmation,
            _ => OrderState.Open,
        };
        RestartClock(now);
    }

    private void RestartClock(DateTimeOffset now)
    {
        var hours = Step.DeadlineHours;
        StepDueAt = hours > 0 ? now.AddHours(hours) : null;
        OverdueNotifiedAt = null;
        Touch(now);
    }

    private void OpenReview(Unit reviewUnit, DateTimeOffset now, string note)
    {
        State = OrderState.UnderReview;
        HolderUnitId = reviewUnit.Id;
        HolderTeamId = null;
        HolderVolunteerId = null;
        ClosedAt = null;
        StepDueAt = now.AddHours(72);
        OverdueNotifiedAt = null;
        Append(OrderEventKinds.ReviewOpen, StepIndex, OrderActor.System, now, note);
        Touch(now);
    }

    private void Close(DateTimeOffset now)
    {
        State = OrderState.Closed;
        ClosedAt = now;
        StepDueAt = null;
        Touch(now);
    }

    /// <summary>
    /// Closes the current round of service: the volunteers sent are taken off the order (their minutes stay as the record
    /// of what they did), so a redone order is served, checked and delivered afresh.
    /// </summary>
    private void EndRound(DateTimeOffset now)
    {
        foreach (var a in Assignments.Where(a => a.WithdrawnAt is null))
        {
            a.Withdraw(now);
        }
    }

    private IEnumerable<OrderAssignment> CurrentRound => Assignments.Where(a => a.WithdrawnAt is null);

    /// <summary>The volunteers who served in the current round (checked out): whom a rating of it concerns.</summary>
    private List<Guid> ServedInRound() => [.. CurrentRound.Where(a => a.CheckOutAt is not null).Select(a => a.VolunteerId).Distinct()];

    /// <summary>Ends every move: the event it wrote learns where the order went, and the version moves on.</summary>
    private void Touch(DateTimeOffset now)
    {
        OpenForClaim = State == OrderState.Open && Step.Kind == StepKind.Accept && Step.Performer == Accounts.Role.Volunteer
                       && HolderTeamId is null && HolderVolunteerId is null;
        _pendingEvent?.SetOutcome(StepIndex, HolderUnitId, HolderTeamId);
        _pendingEvent = null;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>
    /// Where the order was before it came to its current holder, replaying the timeline: each move pushes a place, each
    /// rejection pops one, so rejecting twice goes back two places.
    /// </summary>
    private (int Step, Guid Unit, Guid? Team)? PreviousPlace()
    {
        var first = Workflow!.FirstHandlingStep;
        var stack = new List<(int Step, Guid Unit, Guid? Team)>();
        foreach (var e in Events.OrderBy(e => e.Sequence))
        {
            if (e.Action is OrderEventKinds.ReviewOpen || e.Action == OrderActions.Name(OrderAction.Review))
            {
                // A review starts the order's handling afresh: nothing before it is a place to go back to.
                stack.Clear();
                if (e.Action == OrderEventKinds.ReviewOpen)
                {
                    continue;
                }
            }

            if (e.Action == OrderActions.Name(OrderAction.Reject))
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            var deliver = Workflow.IndexOf(StepKind.Deliver);
            if (e.ToStepIndex < first || e.ToStepIndex > deliver || e.HolderUnitId is not { } unit || e.Action is OrderEventKinds.Overdue)
            {
                continue;
            }

            var place = (e.ToStepIndex, unit, e.HolderTeamId);
            if (stack.Count == 0 || stack[^1] != place)
            {
                stack.Add(place);
            }
        }

        if (stack.Count > 0 && stack[^1] == (StepIndex, HolderUnitId, HolderTeamId))
        {
            stack.RemoveAt(stack.Count - 1);
        }

        return stack.Count > 0 ? stack[^1] : null;
    }

    private void Append(OrderAction action, OrderActor actor, DateTimeOffset now, string? note) =>
        Append(OrderActions.Name(action), StepIndex, actor, now, note);

    private void Append(string action, int stepIndex, OrderActor actor, DateTimeOffset now, string? note)
    {
        var step = Steps[Math.Min(stepIndex, Steps.Count - 1)];
        Events.Add(new OrderEvent(DistrictId, Id, Events.Count + 1, now, action, stepIndex, step.Name, actor.UserId, actor.Name, HolderUnitId,
            HolderTeamId, note));
        _pendingEvent = Events[^1];
    }

    private static void RequireNear(double? metersAway, int radiusMeters, string what)
    {
        if (metersAway is { } m && m > radiusMeters)
        {
            throw new DomainException("order-too-far", $"{what}位置距服务地点 {m:0} 米，超出允许的 {radiusMeters} 米", 422);
        }
    }
}

/// <summary>What was asked: the part of an order the resident (or grid worker) supplies.</summary>
internal sealed record OrderDetails(string Title, string? Description, Guid PlatformId, Guid? MenuItemId, string? Address, double? Latitude,
    double? Longitude, DateTimeOffset? WantedAt, string ContactName, string ContactPhone);
