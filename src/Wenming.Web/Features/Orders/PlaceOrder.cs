using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Infrastructure;
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

/// <summary>
/// 点单 by a resident for themself, 巡单 by a grid worker for a resident (with or without an account), or an Open311
/// partner's request: checked, numbered, filed into the district's workflow and told to its first holder.
/// </summary>
internal sealed class PlaceOrder(AppDbContext db, OrderNotifier notifier, DistrictCache cache, OrderNumbers numbers, TimeProvider clock)
{
    private const double DuplicateMeters = 50;

    private DataScope Scope => db.Scope;

    public async Task<Order> RunAsync(OrderInput input, CancellationToken ct) => await RunAsync(input, OrderChannel.App, null, null, ct);

    /// <summary>
    /// 点单 by a resident for themself, or 巡单 by a grid worker for a resident (with or without an account). Open311 partners
    /// come in through the same door with <paramref name="partnerName"/>.
    /// </summary>
    public async Task<Order> RunAsync(OrderInput input, OrderChannel channel, string? partnerName, Unit? partnerUnit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var now = clock.GetUtcNow();
        MenuItem? menuItem = null;
        if (input.MenuItemId is { } menuId)
        {
            // By its key, then whether the caller may order it: a partner files for the whole district (the district filter
            // applies); a person orders from the menu they can see, their places' and those above them.
            menuItem = await db.Set<MenuItem>().Include(m => m.Unit).FirstOrDefaultAsync(m => m.Id == menuId && m.IsActive, ct);
            if (menuItem is not null && channel != OrderChannel.Open311 && !Scope.SeesOrAbove(menuItem.Unit!.Path))
            {
                menuItem = null;
            }

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

        var point = Geo.ReadPoint(input.Latitude, input.Longitude, input.CoordinateSystem, errors);
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
            confirmToken = Tokens.New(12);
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
            order.File(new OrderActor(Scope.UserId, actorName, false, true, false, null), places, confirmToken is null ? null : Tokens.Hash(confirmToken),
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

            var notice = notifier.Notice(order, OrderEventKinds.Place);
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

            await notifier.PublishAsync(order, OrderEventKinds.Place, confirmToken, ct);
            return order;
        }
    }

    private async Task<bool> NumberTakenAsync(string number, CancellationToken ct) => await db.Set<Order>().AnyAsync(o => o.Number == number, ct);

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
        var query = db.Set<Order>().Where(o => o.PlatformId == order.PlatformId && !Order.FinishedStates.Contains(o.State)
                                               && o.Latitude >= lat - dLat && o.Latitude <= lat + dLat && o.Longitude >= lng - dLng && o.Longitude <= lng + dLng);
        query = order.MenuItemId is { } menuId ? query.Where(o => o.MenuItemId == menuId) : query.Where(o => o.MenuItemId == null);
        var near = await query.OrderByDescending(o => o.CreatedAt).Take(20).Select(o => new { o.Id, o.Latitude, o.Longitude }).ToListAsync(ct);
        return near.FirstOrDefault(o => Geo.Meters(lat, lng, o.Latitude!.Value, o.Longitude!.Value) <= DuplicateMeters)?.Id;
    }
}
