using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders;

/// <summary>What a resident (or a grid worker for them) sends to order a service.</summary>
internal sealed record OrderInput(
    string? Title,
    string? Description,
    Guid? PlatformId,
    Guid? MenuItemId,
    Guid? UnitId,
    string? Address,
    double? Latitude,
    double? Longitude,
    string? CoordinateSystem,
    DateTimeOffset? WantedAt,
    string? ContactName,
    string? ContactPhone);

/// <summary>The body of <c>POST /api/v1/orders/{id}/actions/{action}</c>; each action reads the fields it needs.</summary>
internal sealed record OrderActionInput(
    string? Note = null,
    string? Reason = null,
    Guid? UnitId = null,
    Guid? TeamId = null,
    Guid[]? VolunteerIds = null,
    double? Latitude = null,
    double? Longitude = null,
    string? CoordinateSystem = null,
    int? Stars = null,
    string? Comment = null,
    string? Outcome = null,
    Guid? IntoOrderId = null,
    int? Version = null);

/// <summary>Placing orders and moving them: every move goes through the order's own methods, then is told to whoever holds it next.</summary>
internal sealed class OrderUseCases(AppDbContext db, OrderAccess access, OrderNotifier notifier, AuditLog audit, DistrictCache cache, OrderNumbers numbers,
    TimeProvider clock)
{
    public static readonly string[] Actions =
    [
        "confirm", "collect", "draft", "dispatch", "accept", "resolve", "escalate", "reject", "assign", "check-in", "check-out", "deliver", "rate",
        "review", "reopen", "cancel", "merge",
    ];

    private const double DuplicateMeters = 50;

    private DataScope Scope => db.Scope;

    public async Task<Order> PlaceAsync(OrderInput input, CancellationToken ct) => await PlaceAsync(input, OrderChannel.App, null, null, ct);

    /// <summary>
    /// 点单 by a resident for themself, or 巡单 by a grid worker for a resident (with or without an account). Open311 partners
    /// come in through the same door with <paramref name="partnerName"/>.
    /// </summary>
    public async Task<Order> PlaceAsync(OrderInput input, OrderChannel channel, string? partnerName, Unit? partnerUnit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var now = clock.GetUtcNow();
        MenuItem? menuItem = null;
        if (input.MenuItemId is { } menuId)
        {
            var menu = db.Set<MenuItem>().Include(m => m.Unit).Where(m => m.IsActive);
            // A partner files for the whole district (the district filter applies); a person orders from the menu they can see.
            menu = channel == OrderChannel.Open311 ? menu : menu.VisibleOrAbove(Scope, m => m.UnitId, m => m.Unit!.Path);
            menuItem = await menu.FirstOrDefaultAsync(m => m.Id == menuId, ct);
            if (menuItem is null)
            {
                errors["menuItemId"] = ["所选服务不存在或已下架"];
            }
        }

        var title = (input.Title ?? menuItem?.Title)?.Trim();
        if (string.IsNullOrWhiteSpace(title) || title.Length is < 2 or > 100)
        {
            errors["title"] = ["请用 2 到 100 个字写明需要什么服务"];
        }

        if (input.Description is { Length: > 1000 })
        {
            errors["description"] = ["需求说明不超过 1000 字"];
        }

        var platformId = input.PlatformId ?? menuItem?.PlatformId;
        if (platformId is null)
        {
            errors["platformId"] = ["请选择服务平台"];
        }

        if (input.Address is { Length: > 200 })
        {
            errors["address"] = ["地址不超过 200 字"];
        }

        var point = ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);
        if (input.WantedAt is { } wanted && (wanted < now.AddHours(-1) || wanted > now.AddDays(90)))
        {
            errors["wantedAt"] = ["期望服务时间应在现在到 90 天之内"];
        }

        var gridWorkerFiling = channel == OrderChannel.App && !string.IsNullOrWhiteSpace(input.ContactPhone) && Scope.Has(Role.GridWorker)
                               && Phones.Normalize(input.ContactPhone) != Scope.Phone;
        if (gridWorkerFiling || channel == OrderChannel.Open311)
        {
            if (string.IsNullOrWhiteSpace(input.ContactName) || input.ContactName.Trim().Length > 50)
            {
                errors["contactName"] = ["请填写居民姓名（不超过 50 字）"];
            }

            // A partner's user may leave no phone (FixMyStreet sends one only when its user gave one): the partner relays the
            // order's updates then. A grid worker always gives the resident's.
            if (Phones.Normalize(input.ContactPhone) is null && (gridWorkerFiling || !string.IsNullOrWhiteSpace(input.ContactPhone)))
            {
                errors["contactPhone"] = ["请填写居民的 11 位手机号"];
            }
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        if (channel == OrderChannel.App && !Scope.IsSignedIn)
        {
            throw new AccessDeniedException("请先登录");
        }

        var unitId = partnerUnit?.Id ?? input.UnitId ?? Scope.Grants.OrderBy(g => g.Role is Role.Resident or Role.GridWorker ? 0 : 1).FirstOrDefault()?.UnitId;
        // A unit the caller holds a role on is theirs to order at; any other must be visible to them (or the partner's).
        var path = partnerUnit?.Path ?? Scope.Grants.FirstOrDefault(g => g.UnitId == unitId)?.UnitPath
            ?? (unitId is null ? null : await db.Units.VisibleTo(Scope).Where(u => u.Id == unitId).Select(u => u.Path).FirstOrDefaultAsync(ct));
        // The place and every unit above it, in one read: the order's holders come from these, and so do the board's groups.
        var line = path is null ? [] : await UnitDirectory.LineAsync(db, cache, Scope.DistrictId, path, ct);
        var unit = line.FirstOrDefault(u => u.Id == unitId);
        if (unit is null || unit.IsClosed)
        {
            throw unitId is null ? new AccessDeniedException("您还没有所属的实践站，请先在“我的”中选择") : new NotVisibleException();
        }

        if (gridWorkerFiling && !Scope.Grants.Any(g => g.Role == Role.GridWorker && unit.Path.StartsWith(g.UnitPath, StringComparison.Ordinal)))
        {
            throw new AccessDeniedException("网格员只能为本网格的居民代点单");
        }

        PlatformRules.EnsureKnown(await PlatformDirectory.AllAsync(db, cache, Scope.DistrictId, ct), platformId);

        var workflow = await Workflows.ForNewOrderAsync(db, cache, Scope.DistrictId, clock, ct);

        string contactName, contactPhone, actorName;
        Guid? requester = null;
        if (gridWorkerFiling || channel == OrderChannel.Open311)
        {
            contactName = input.ContactName!.Trim();
            contactPhone = Phones.Normalize(input.ContactPhone) ?? "";
            requester = contactPhone.Length == 0
                ? null
                : await db.Users.Where(u => u.UserName == contactPhone && u.DistrictId == Scope.DistrictId).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct);
            channel = gridWorkerFiling ? OrderChannel.GridWorker : channel;
            actorName = channel == OrderChannel.Open311
                ? $"{partnerName}（Open311）"
                : await MyNameAsync(ct) + "（网格员）";
        }
        else
        {
            contactName = actorName = await MyNameAsync(ct);
            contactPhone = Scope.Phone ?? "";
            requester = Scope.UserId;
        }

        var details = new OrderDetails(title!, input.Description?.Trim(), platformId!.Value, menuItem?.Id, input.Address?.Trim(),
            point?.Lat ?? unit.Latitude, point?.Lng ?? unit.Longitude, input.WantedAt?.ToUniversalTime(), contactName, contactPhone);
        var places = OrderAccess.Places(unit.Id, line);
        string? confirmToken = null;
        if (channel == OrderChannel.GridWorker)
        {
            confirmToken = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
        }

        Guid? duplicate = null;
        // Once the unit of work saved the order as usual (it had changes of its own to write with it, such as the district's
        // first workflow), a retry does the same: the first try's new rows were detached, and only adding the order again
        // adds them again.
        var tracked = false;
        for (var attempt = 1; ; attempt++)
        {
            var order = new Order(Scope.DistrictId, workflow, numbers.Next(Scope.DistrictId, now), details, unit.Id, channel, requester,
                channel == OrderChannel.GridWorker ? Scope.UserId : null, now);
            order.File(new OrderActor(Scope.UserId, actorName, false, true, false, null), places, confirmToken is null ? null : Open311Key.Hash(confirmToken),
                partnerName, now);
            // Only a point the caller gave says where the need is; the station's own point (the fallback) says nothing.
            if (attempt == 1 && point is not null)
            {
                duplicate = await FindDuplicateAsync(order, ct);
            }

            if (duplicate is { } d)
            {
                order.FlagPossibleDuplicate(d);
            }

            var notice = notifier.Notice(order, "place");
            try
            {
                // The order, its first events and the holder's notice: on PostgreSQL, new rows in one batch that the unit of
                // work does not track (nothing here reads them through it again), so the place and holder are set from the line.
                if (!tracked && await NewRows.TryInsertUntrackedAsync(db, notice is null ? [order, .. order.Events] : [order, .. order.Events, notice], ct))
                {
                    order.ShowUnits(line.First(u => u.Id == order.UnitId).Copy(), line.First(u => u.Id == order.HolderUnitId).Copy());
                }
                else
                {
                    tracked = true;
                    UnitDirectory.Track(db, line, order.UnitId, order.HolderUnitId);
                    db.Add(order);
                    if (notice is not null)
                    {
                        db.Add(notice);
                    }

                    await db.SaveInOneTripAsync(ct);
                }
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                if (!await NumberTakenAsync(order.Number, ct))
                {
                    throw;
                }

                // Two orders drew the same number the same day (one in a billion per pair): nothing was saved; draw again.
                foreach (var added in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
                {
                    added.State = EntityState.Detached;
                }

                continue;
            }

            await notifier.PublishAsync(order, "place", confirmToken, ct);
            return order;
        }
    }

    private async Task<bool> NumberTakenAsync(string number, CancellationToken ct) => await db.Set<Order>().AnyAsync(o => o.Number == number, ct);

    /// <summary>Moves an order by one of <see cref="Actions"/>; 404 if the caller cannot see it, 403/409/422 when the order's rules say no.</summary>
    public async Task<Order> ActAsync(Guid id, string action, OrderActionInput input, CancellationToken ct)
    {
        if (!Actions.Contains(action))
        {
            throw new DomainException("order-unknown-action", $"没有“{action}”这个操作", 404);
        }

        Order order;
        try
        {
            order = await access.LoadAsync(id, ct);
        }
        catch (NotVisibleException) when (action == "accept")
        {
            // Volunteers saw it while it was open to claim; losing the race is a conflict, not a vanished order.
            throw await TakenByAnotherVolunteerAsync(id, ct) ? new DomainException("order-already-taken", "该订单已被其他志愿者接走", 409) : new NotVisibleException();
        }

        if (input.Version is { } version && version != order.Version)
        {
            // The caller acted on what they saw; if the order moved since, they look again rather than act on a step they never saw.
            throw new DomainException("stale-version", "订单刚被他人处理过，请刷新后再操作", 409);
        }

        var actor = await access.ActorAsync(order, ct);
        var places = await access.PlacesAsync(order, ct);
        var now = clock.GetUtcNow();
        switch (action)
        {
            case "confirm":
                if (order.RequesterUserId is null || order.RequesterUserId != Scope.UserId)
                {
                    throw new AccessDeniedException("只有被登记的居民本人可以确认");
                }

                order.Confirm(actor, places, now);
                break;
            case "collect":
                order.CompleteUnitStep(StepKind.Collect, actor, places, Note(input.Note), now);
                break;
            case "draft":
                order.CompleteUnitStep(StepKind.Draft, actor, places, Note(input.Note), now);
                break;
            case "dispatch":
                await DispatchAsync(order, actor, places, input, now, ct);
                break;
            case "accept":
                await AcceptAsync(order, actor, places, input, now, ct);
                break;
            case "resolve":
                order.Resolve(actor, Note(input.Note), now);
                break;
            case "escalate":
                Order.RequireMayEscalate(actor);
                var parent = await ParentOfHolderAsync(order, ct) ?? throw new DomainException("order-at-top", "订单已在中心，无法再上报", 422);
                order.Escalate(actor, parent, automatic: false, Note(input.Note), now);
                break;
            case "reject":
                order.Reject(actor, Required(input.Reason ?? input.Note, "reason", "请写明退单理由"), now);
                break;
            case "assign":
                order.Assign(actor, await AssignableAsync(order, input.VolunteerIds, ct), now);
                break;
            case "check-in":
            case "check-out":
                var (lat, lng, meters) = Position(order, input);
                var radius = order.Workflow!.CheckInRadiusMeters;
                if (action == "check-in")
                {
                    order.CheckIn(actor, lat, lng, meters, radius, now);
                }
                else
                {
                    order.CheckOut(actor, lat, lng, meters, radius, now);
                }

                break;
            case "deliver":
                order.Deliver(actor, Note(input.Note), places, now);
                break;
            case "rate":
                if (input.Stars is not (>= 1 and <= 5) || input.Comment is { Length: > 500 })
                {
                    throw new InputException(new Dictionary<string, string[]> { ["stars"] = ["请给出 1 到 5 星，评价不超过 500 字"] });
                }

                order.Rate(actor, input.Stars.Value, input.Comment?.Trim(), await ReviewUnitAsync(order, ct), now);
                break;
            case "review":
                if (input.Outcome is not ("close" or "redo"))
                {
                    throw new InputException(new Dictionary<string, string[]> { ["outcome"] = ["复核结果应为 close（结单）或 redo（重新办理）"] });
                }

                order.Review(actor, input.Outcome == "redo", Note(input.Note), places, now);
                break;
            case "reopen":
                order.Reopen(actor, await ReviewUnitAsync(order, ct) ?? order.HolderUnit!, Required(input.Reason ?? input.Note, "reason", "请写明重新打开的理由"), now);
                break;
            case "cancel":
                order.Cancel(actor, Note(input.Reason ?? input.Note), now);
                break;
            case "merge":
                var into = input.IntoOrderId is { } intoId ? await access.LoadAsync(intoId, ct) : throw new InputException(
                    new Dictionary<string, string[]> { ["intoOrderId"] = ["请选择要合并到的订单"] });
                order.MergeInto(actor, into, now);
                break;
        }

        if (action is "escalate" or "reject" or "reopen" or "merge")
        {
            audit.Add("order." + action, "order", order.Id.ToString(), order.HolderUnit?.Path, order.Number);
        }

        notifier.Stage(order, action);
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(order, action, null, ct);
        return order;
    }

    private async Task<bool> TakenByAnotherVolunteerAsync(Guid id, CancellationToken ct) =>
        await access.VolunteerIdAsync(ct) is not null
        && await db.Set<Order>().AnyAsync(o => o.Id == id && o.HolderVolunteerId != null && o.Events.Any(e => e.Action == "accept" && e.Note == "志愿者抢单"), ct);

    /// <summary>The order an SMS confirmation link points to, if any (nothing changes).</summary>
    public async Task<Order?> FindByTokenAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 40)
        {
            return null;
        }

        var hash = Open311Key.Hash(token);
        return await db.Set<Order>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(o => o.ConfirmTokenHash == hash, ct);
    }

    /// <summary>The resident confirms a grid worker's record by the link in their SMS (no account needed).</summary>
    public async Task<Order?> ConfirmByTokenAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 40)
        {
            return null;
        }

        var hash = Open311Key.Hash(token);
        var id = await db.Set<Order>().IgnoreQueryFilters().Where(o => o.ConfirmTokenHash == hash).Select(o => new { o.Id, o.DistrictId }).FirstOrDefaultAsync(ct);
        if (id is null)
        {
            return null;
        }

        Scope.EnterSystem();
        var order = await access.LoadAsync(id.Id, ct);
        if (order.ConfirmedAt is not null || order.IsFinished)
        {
            return order;
        }

        order.Confirm(new OrderActor(order.RequesterUserId, order.ContactName + "（短信确认）", false, true, false, null), await access.PlacesAsync(order, ct),
            clock.GetUtcNow());
        notifier.Stage(order, "confirm");
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(order, "confirm", null, ct);
        return order;
    }

    public async Task<string> RevealContactAsync(Guid id, CancellationToken ct)
    {
        var order = await access.LoadAsync(id, ct);
        var actor = await access.ActorAsync(order, ct);
        var assigned = actor.VolunteerId is { } v && order.Assignments.Any(a => a.VolunteerId == v && a.WithdrawnAt is null);
        if (!actor.AdministersHolder && !actor.LeadsHolderTeam && !assigned && !actor.IsRequester)
        {
            throw new AccessDeniedException("只有承办单位、承办队伍和被指派的志愿者可以查看居民的完整电话");
        }

        await audit.WriteNowAsync("order.contact-revealed", "order", order.Id.ToString(), order.HolderUnit?.Path, order.Number, ct: ct);
        return order.ContactPhone;
    }

    private async Task DispatchAsync(Order order, OrderActor actor, OrderPlaces places, OrderActionInput input, DateTimeOffset now, CancellationToken ct)
    {
        var holder = order.HolderUnit!;
        order.RequireDispatchable(actor); // the step and the actor before the target: a wrong step is 409 whatever the target
        if (input.TeamId is { } teamId)
        {
            var team = await db.Set<Team>().Include(t => t.Unit).FirstOrDefaultAsync(t => t.Id == teamId, ct);
            // Teams of the holder's line: its own, those below it, and those above it that serve its area (the institute's brigade).
            if (team is null || !team.Unit!.Path.StartsWith(holder.Path, StringComparison.Ordinal) && !holder.Path.StartsWith(team.Unit.Path, StringComparison.Ordinal))
            {
                throw new DomainException("order-dispatch-target", "只能派给本单位、下级或上级单位的队伍", 422);
            }

            // 层层派单: a team further down is reached through the units between, one level at a time.
            if (order.Step.OneLevelAtATime && team.UnitId != holder.Id && !holder.Path.StartsWith(team.Unit.Path, StringComparison.Ordinal))
            {
                throw new DomainException("order-dispatch-target", "本区层层派单：请先派给下一级所、站，由其派给本单位的队伍", 422);
            }

            order.DispatchToTeam(actor, team.Id, team.Name, team.UnitId, places, now);
            return;
        }

        if (input.UnitId is { } unitId)
        {
            var child = await db.Units.FirstOrDefaultAsync(u => u.Id == unitId, ct)
                        ?? throw new DomainException("order-dispatch-target", "只能派给本单位的下一级所、站", 422);
            order.DispatchDown(actor, child, holder, now);
            return;
        }

        throw new InputException(new Dictionary<string, string[]> { ["teamId"] = ["请选择派往的队伍（teamId）或下级单位（unitId）"] });
    }

    private async Task AcceptAsync(Order order, OrderActor actor, OrderPlaces places, OrderActionInput input, DateTimeOffset now, CancellationToken ct)
    {
        if (order.Step.Kind != StepKind.Accept || order.State != OrderState.Open)
        {
            throw new DomainException("order-wrong-step", $"订单当前在“{order.Step.Name}”环节，不能接单", 409);
        }

        switch (order.Step.Performer)
        {
            case Role.Admin:
                order.CompleteUnitStep(StepKind.Accept, actor, places, Note(input.Note), now);
                break;
            case Role.Volunteer when order.HolderTeamId is null:
                var volunteerId = actor.VolunteerId ?? throw new DomainException("order-not-volunteer", "只有在册的志愿者可以抢单", 422);
                var radiusKm = order.Workflow!.ClaimRadiusKm;
                var home = await db.Set<Volunteer>().Where(v => v.Id == volunteerId).Select(v => new { v.HomeUnit!.Latitude, v.HomeUnit.Longitude }).SingleAsync(ct);
                if (order.Latitude is { } lat && order.Longitude is { } lng && home.Latitude is { } hLat && home.Longitude is { } hLng
                    && Geo.Meters(lat, lng, hLat, hLng) > radiusKm * 1000)
                {
                    throw new DomainException("order-too-far", $"该订单距您所在站点超过 {radiusKm:0.#} 公里，请由附近的志愿者接单", 422);
                }

                order.Claim(actor, volunteerId, places, now);
                break;
            default:
                order.AcceptForTeam(actor, places, Note(input.Note), now);
                break;
        }
    }

    /// <summary>Volunteers the caller may send: members of the holding team, or (for a unit handling it) active volunteers of its subtree.</summary>
    private async Task<IReadOnlyList<(Guid Id, string Name)>> AssignableAsync(Order order, Guid[]? ids, CancellationToken ct)
    {
        if (ids is not { Length: > 0 and <= 50 })
        {
            throw new InputException(new Dictionary<string, string[]> { ["volunteerIds"] = ["请选择 1 到 50 名志愿者"] });
        }

        var query = db.Set<Volunteer>().Where(v => ids.Contains(v.Id) && v.Status == VolunteerStatus.Active);
        query = order.HolderTeamId is { } teamId
            ? query.Where(v => db.Set<TeamMember>().Any(m => m.TeamId == teamId && m.VolunteerId == v.Id && m.Status == MembershipStatus.Member))
            : query.Where(v => v.HomeUnit!.Path.StartsWith(order.HolderUnit!.Path));
        var found = await query.Select(v => new { v.Id, v.Name }).ToListAsync(ct);
        if (found.Count != ids.Distinct().Count())
        {
            throw new DomainException("order-assign-outside", order.HolderTeamId is null ? "只能指派本单位在岗的志愿者" : "只能指派本队在岗的队员", 422);
        }

        return [.. found.Select(f => (f.Id, f.Name))];
    }

    private static (double? Lat, double? Lng, double? Meters) Position(Order order, OrderActionInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var point = ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);
        if (errors.Count > 0 || (point is null && order.Latitude is not null))
        {
            throw new InputException(errors.Count > 0 ? errors : new Dictionary<string, string[]> { ["latitude"] = ["签到签退需要您当前的位置，请允许定位"] });
        }

        double? meters = point is { } p && order.Latitude is { } lat && order.Longitude is { } lng ? Geo.Meters(p.Lat, p.Lng, lat, lng) : null;
        return (point?.Lat, point?.Lng, meters);
    }

    private static (double Lat, double Lng)? ReadPoint(double? lat, double? lng, string? system, Dictionary<string, string[]> errors)
    {
        if (lat is null && lng is null)
        {
            return null;
        }

        if (lat is not { } la || lng is not { } ln || !Geo.IsValid(la, ln))
        {
            errors["latitude"] = ["位置坐标无效"];
            return null;
        }

        switch ((system ?? "wgs84").Trim().ToLowerInvariant())
        {
            case "wgs84":
            case "wgs-84":
                return (la, ln);
            case "gcj02":
            case "gcj-02":
                return Geo.Gcj02ToWgs84(la, ln);
            default:
                errors["coordinateSystem"] = ["坐标系应为 wgs84 或 gcj02"];
                return null;
        }
    }

    /// <summary>The unit above the one that delivered (or holds) the order reviews a bad rating.</summary>
    private async Task<Unit?> ReviewUnitAsync(Order order, CancellationToken ct)
    {
        var parent = await ParentOfHolderAsync(order, ct);
        return parent ?? order.HolderUnit;
    }

    private async Task<Unit?> ParentOfHolderAsync(Order order, CancellationToken ct) =>
        order.HolderUnit!.ParentId is { } parentId ? await db.Units.FirstOrDefaultAsync(u => u.Id == parentId, ct) : null;

    private async Task<string> MyNameAsync(CancellationToken ct) =>
        Scope.DisplayName ?? await db.Users.Where(u => u.Id == Scope.UserId).Select(u => u.DisplayName).SingleAsync(ct);

    /// <summary>An open order of the same service within 50 m: perhaps the same need, filed twice.</summary>
    private async Task<Guid?> FindDuplicateAsync(Order order, CancellationToken ct)
    {
        if (order.Latitude is not { } lat || order.Longitude is not { } lng)
        {
            return null;
        }

        var (dLat, dLng) = Geo.Box(lat, DuplicateMeters);
        var query = db.Set<Order>().Where(o => o.PlatformId == order.PlatformId && o.State != OrderState.Closed && o.State != OrderState.Cancelled && o.State != OrderState.Rejected
                                               && o.State != OrderState.Merged
                                               && o.Latitude >= lat - dLat && o.Latitude <= lat + dLat && o.Longitude >= lng - dLng && o.Longitude <= lng + dLng);
        query = order.MenuItemId is { } menuId ? query.Where(o => o.MenuItemId == menuId) : query.Where(o => o.MenuItemId == null);
        var near = await query.OrderByDescending(o => o.CreatedAt).Take(20).Select(o => new { o.Id, o.Latitude, o.Longitude }).ToListAsync(ct);
        return near.FirstOrDefault(o => Geo.Meters(lat, lng, o.Latitude!.Value, o.Longitude!.Value) <= DuplicateMeters)?.Id;
    }

    private static string? Note(string? note)
    {
        if (note is { Length: > 500 })
        {
            throw new InputException(new Dictionary<string, string[]> { ["note"] = ["说明不超过 500 字"] });
        }

        return string.IsNullOrWhiteSpace(note) ? null : note.Trim();
    }

    private static string Required(string? text, string field, string message) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Length > 500
            ? throw new InputException(new Dictionary<string, string[]> { [field] = [message] })
            : text.Trim();
}

/// <summary>The district's current workflow: the newest version, created from the district's preset the first time.</summary>
internal static class Workflows
{
    public const string CacheKind = "workflow";

    public static async Task<WorkflowDefinition> CurrentAsync(AppDbContext db, Guid districtId, TimeProvider clock, CancellationToken ct)
    {
        var current = await NewestAsync(db, districtId, tracked: true, ct);
        if (current is not null)
        {
            return current;
        }

        var preset = await db.Districts.Where(d => d.Id == districtId).Select(d => d.WorkflowPreset).SingleAsync(ct);
        var created = WorkflowPresets.Create(districtId, preset, clock.GetUtcNow());
        db.Add(created);
        return created;
    }

    /// <summary>
    /// The current workflow for placing an order, from <see cref="DistrictCache"/>: a new version saved in another
    /// instance reaches new orders here within <see cref="DistrictCache.Longest"/>. The copy is attached to
    /// <paramref name="db"/> unchanged.
    /// </summary>
    public static async Task<WorkflowDefinition> ForNewOrderAsync(AppDbContext db, DistrictCache cache, Guid districtId, TimeProvider clock,
        CancellationToken ct)
    {
        var cached = await cache.GetAsync(CacheKind, districtId, c => NewestAsync(db, districtId, tracked: false, c), ct);
        if (cached is null)
        {
            return await CurrentAsync(db, districtId, clock, ct);
        }

        var copy = cached.Copy();
        db.Attach(copy);
        return copy;
    }

    private static async Task<WorkflowDefinition?> NewestAsync(AppDbContext db, Guid districtId, bool tracked, CancellationToken ct)
    {
        var query = db.Set<WorkflowDefinition>().Where(w => w.DistrictId == districtId);
        return await (tracked ? query : query.AsNoTracking()).OrderByDescending(w => w.Version).FirstOrDefaultAsync(ct);
    }
}

/// <summary>
/// A number people can read out on the phone: the date and six letters or digits that are hard to confuse. Drawn at
/// random, so two orders of a district may draw the same one on the same day (about one in a billion per pair): the
/// unique index refuses the second, and placing draws again.
/// </summary>
internal class OrderNumbers
{
    public virtual string Next(Guid districtId, DateTimeOffset now)
    {
        // Six characters from the random bits of a fresh GUID, which come from the system's secure generator too, more cheaply:
        // in a profile of placing orders, one call into RandomNumberGenerator took 5 % of it, the GUIDs of its three rows 3 %
        // together. 32 characters, five bits each: every character is equally likely.
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        Span<byte> bits = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bits);
        Span<char> code = stackalloc char[6];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = alphabet[bits[i] & 31];
        }

        return now.ToOffset(TimeSpan.FromHours(8)).ToString("yyMMdd", System.Globalization.CultureInfo.InvariantCulture) + new string(code);
    }
}
