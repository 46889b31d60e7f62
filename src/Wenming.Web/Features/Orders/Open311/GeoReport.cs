using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Teams;
using Wenming.Web.Infrastructure;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Features.Orders.Open311;

/// <summary>
/// The GeoReport v2 resources over the district's services and orders. A call is anonymous: it is put into one district
/// (<see cref="DataScope.SetDistrict"/>, so the district filter still applies) by its <c>jurisdiction_id</c> (the
/// division code, e.g. 530402) or, on a POST, by its api_key. Requests read back by anyone show where an order stands,
/// never who asked: no name, phone or email, and for orders residents placed themselves only the station's place.
/// </summary>
internal sealed class GeoReport(AppDbContext db, PlaceOrder placeOrder, IConfiguration config, TimeProvider clock)
{
    public const string Specification = "http://wiki.open311.org/GeoReport_v2";
    public const string FreeTextPrefix = "platform-";

    private const int MaxRequests = 1000;
    private const int MaxDescription = 4000;
    private const int MaxOrderDescription = 1000;

    /// <summary>A point farther than this from every station is not in the district (a partner sent it to the wrong one).</summary>
    private const double FarMeters = 100_000;

    private static readonly TimeSpan Window = TimeSpan.FromDays(90);

    private DataScope Scope => db.Scope;

    public async Task<SparkNode> DiscoveryAsync(HttpRequest request, CancellationToken ct)
    {
        // The newest service-menu item of any district dates the service lists (read across districts: a time is all it tells).
        var changed = await db.Set<MenuItem>().IgnoreQueryFilters().OrderByDescending(m => m.CreatedAt).Select(m => (DateTimeOffset?)m.CreatedAt)
            .FirstOrDefaultAsync(ct);
        var changeset = SparkWriter.Time(changed ?? DateTimeOffset.UnixEpoch);
        var baseUrl = config["Platform:PublicUrl"]?.TrimEnd('/') ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
        return new SparkObject("discovery",
        [
            new SparkValue("changeset", changeset),
            new SparkValue("contact", "文明实践云平台 Open311 接口：服务与订单问题请联系所在区县新时代文明实践中心。" +
                                      "(Wenming Open311 GeoReport v2: contact the district's civilization practice center.)"),
            new SparkValue("key_service", "api_key 由各区县新时代文明实践中心管理员为合作方签发，一个 api_key 只属于一个辖区；" +
                                          "jurisdiction_id 为区县行政区划代码（如 530402）。(Keys are issued per district by its center's admin.)"),
            new SparkList("endpoints",
            [
                new SparkObject("endpoint",
                [
                    new SparkValue("specification", Specification),
                    new SparkValue("url", baseUrl + Open311Endpoints.Prefix),
                    new SparkValue("changeset", changeset),
                    new SparkValue("type", "production"),
                    new SparkList("formats", [new SparkValue("format", "text/xml"), new SparkValue("format", "application/json")]),
                ]),
            ]),
        ]);
    }

    public async Task<SparkNode> ServicesAsync(Open311Args args, CancellationToken ct)
    {
        await EnterDistrictAsync(args, ct);
        var services = await ListServicesAsync(ct);
        return new SparkList("services", [.. services.Select(s => new SparkObject("service",
        [
            new SparkValue("service_code", s.Code),
            new SparkValue("service_name", s.Name),
            new SparkValue("description", s.Description),
            new SparkValue("metadata", Attributes(s).Count > 0),
            new SparkValue("type", "realtime"),
            new SparkValue("keywords", s.Keywords),
            new SparkValue("group", s.Group),
        ]))]);
    }

    public async Task<SparkNode> DefinitionAsync(Open311Args args, string code, CancellationToken ct)
    {
        await EnterDistrictAsync(args, ct);
        var service = await FindServiceAsync(code, ct);
        return new SparkObject("service_definition",
        [
            new SparkValue("service_code", service.Code),
            new SparkList("attributes", [.. Attributes(service).Select(a => new SparkObject("attribute",
            [
                new SparkValue("variable", true),
                new SparkValue("code", a.Code),
                new SparkValue("datatype", a.Datatype),
                new SparkValue("required", a.Required),
                new SparkValue("datatype_description", a.DatatypeDescription),
                new SparkValue("order", a.Order),
                new SparkValue("description", a.Description),
            ]))]),
        ]);
    }

    /// <summary>
    /// POST requests: the key decides the district; the order is placed at the station nearest the point (the center when
    /// only an address is given) through the same door residents use, so it enters the district's workflow.
    /// </summary>
    public async Task<SparkNode> CreateAsync(Open311Args args, CancellationToken ct)
    {
        var key = await KeyAsync(args.Get("api_key"), ct);
        if (args.Get("jurisdiction_id") is { } code && (await FindDistrictAsync(code, ct)).Id != key.DistrictId)
        {
            throw Open311Exception.Forbidden($"api_key: 该 api_key 不属于辖区 {code}（api_key is not valid for this jurisdiction_id）");
        }

        Scope.SetDistrict(key.DistrictId);
        var service = await FindServiceAsync(args.Get("service_code"), ct);
        var errors = new List<string>();
        var point = ReadPoint(args, errors);
        var address = args.Get("address_string") is { } a ? SparkWriter.Clean(a) : null;
        if (point is null && address is null && !errors.Any(e => e.StartsWith("lat", StringComparison.Ordinal)))
        {
            errors.Add(args.Get("address_id") is null
                ? "lat/long: 请提供位置：lat 与 long（WGS-84），或 address_string（a location is required: lat & long, or address_string）"
                : "address_id: 本辖区不使用 address_id，请提供 lat 与 long 或 address_string（address_id is not supported here）");
        }

        // Optional, as in the spec: with a phone the station can call back and the resident gets SMS updates; without one the
        // partner relays the order's status to its user.
        var phone = args.Get("phone");
        if (phone is not null && Phones.Normalize(phone) is null)
        {
            errors.Add("phone: 手机号无效，请提供 11 位中国大陆手机号，或不提供（phone must be a mainland China mobile number, or left out）");
        }

        var description = args.Get("description") is { } d ? SparkWriter.Clean(d) : null;
        if (description is { Length: > MaxDescription })
        {
            errors.Add("description: 描述不超过 4000 字（description is limited to 4,000 characters）");
        }

        var attributes = args.Attributes();
        DateTimeOffset? wanted = null;
        if (attributes.TryGetValue("wanted_time", out var wantedText))
        {
            wanted = ParseTime(wantedText);
            if (wanted is null)
            {
                errors.Add("attribute[wanted_time]: 期望服务时间应为 ISO 8601 日期时间，如 2026-12-01T09:00:00+08:00（wanted_time must be an ISO 8601 datetime）");
            }
        }

        if (errors.Count > 0)
        {
            throw new Open311Exception(StatusCodes.Status400BadRequest, errors);
        }

        var place = await PlaceAsync(point, ct);
        var title = service.MenuItemId is null ? attributes.GetValueOrDefault("title") ?? service.Name : null;
        var input = new OrderInput(title is null ? null : SparkWriter.Clean(title), Fit(description, args.All("media_url")), service.MenuItemId is null ? service.PlatformId : null,
            service.MenuItemId, null, address, point?.Lat, point?.Lng, "wgs84", wanted, ContactName(args.Get("first_name"), args.Get("last_name")), phone);
        var order = await placeOrder.RunAsync(input, OrderChannel.Open311, key.Name, place, ct);
        var holder = await db.Units.Where(u => u.Id == order.HolderUnitId).Select(u => u.Name).FirstAsync(ct);
        return new SparkList("service_requests",
        [
            new SparkObject("request",
            [
                new SparkValue("service_request_id", order.Number),
                new SparkValue("service_notice", $"已受理，单号 {order.Number}。{OrderTexts.Next(order, holder)}"),
                new SparkValue("account_id", null), // the requester's account here, if any, is not the partner's to know
            ]),
        ]);
    }

    public async Task<SparkNode> RequestsAsync(Open311Args args, CancellationToken ct)
    {
        await EnterDistrictAsync(args, ct);
        var query = db.Set<Order>().AsQueryable();
        var ids = Split(args.Get("service_request_id"));
        if (ids.Length > 0)
        {
            // The spec: a list of ids overrides every other argument.
            if (ids.Length > MaxRequests)
            {
                throw Open311Exception.BadRequest("service_request_id: 一次最多查询 1000 个编号（at most 1000 ids）");
            }

            var numbers = ids.Select(i => i.ToUpperInvariant()).ToList();
            query = query.Where(o => numbers.Contains(o.Number));
        }
        else
        {
            query = FilterByServices(query, Split(args.Get("service_code")));
            var (start, end) = DateRange(args.Get("start_date"), args.Get("end_date"));
            query = query.Where(o => o.CreatedAt >= start && o.CreatedAt <= end);
            query = FilterByStatus(query, Split(args.Get("status")));
        }

        var rows = await Loaded(query).OrderByDescending(o => o.CreatedAt).Take(MaxRequests).ToListAsync(ct);
        return new SparkList("service_requests", await ViewsAsync(rows, ct));
    }

    public async Task<SparkNode> RequestAsync(Open311Args args, string id, CancellationToken ct)
    {
        await EnterDistrictAsync(args, ct);
        var number = id.Trim().ToUpperInvariant();
        var order = await Loaded(db.Set<Order>()).FirstOrDefaultAsync(o => o.Number == number, ct)
                    ?? throw Open311Exception.NotFound($"service_request_id: 本辖区没有编号为“{SparkWriter.Clean(id)}”的服务请求（service_request_id not found）");
        return new SparkList("service_requests", await ViewsAsync([order], ct));
    }

    /// <summary>
    /// The timelines of orders partners filed, as GeoReport's service request updates (what FixMyStreet polls to tell its
    /// user how their report goes): one update per timeline entry, its note scrubbed of personal details (numbers, and the
    /// names of the resident and of those who acted) as on the public review page. A partner's key is required: the notes say more than a request's status.
    /// </summary>
    public async Task<SparkNode> UpdatesAsync(Open311Args args, CancellationToken ct)
    {
        var key = await KeyAsync(args.Get("api_key"), ct);
        var district = args.Get("jurisdiction_id") is { } code ? (await FindDistrictAsync(code, ct)).Id : key.DistrictId;
        if (district != key.DistrictId)
        {
            throw Open311Exception.Forbidden($"api_key: 该 api_key 不属于辖区 {SparkWriter.Clean(args.Get("jurisdiction_id")!)}（api_key is not valid for this jurisdiction_id）");
        }

        Scope.SetDistrict(district);
        var (start, end) = DateRange(args.Get("start_date"), args.Get("end_date"));
        var updates = await db.Set<OrderEvent>().AsNoTracking()
            .Join(db.Set<Order>().Where(o => o.Channel == OrderChannel.Open311), e => e.OrderId, o => o.Id,
                (e, o) => new { e.Id, e.OrderId, e.Sequence, e.At, e.StepName, e.Note, e.ActorName, o.Number, o.State, o.ContactName })
            .Where(u => u.At >= start && u.At <= end)
            .OrderBy(u => u.At).ThenBy(u => u.Sequence).Take(MaxRequests).ToListAsync(ct);
        var orderIds = updates.Select(u => u.OrderId).Distinct().ToList();
        // A note may name the resident or the people who acted on the order: those names are masked, as numbers are.
        var names = updates.GroupBy(u => u.OrderId).ToDictionary(g => g.Key, g => g.Select(u => u.ActorName).Append(g.First().ContactName).ToList());
        var last = (await db.Set<OrderEvent>().Where(e => orderIds.Contains(e.OrderId)).GroupBy(e => e.OrderId)
            .Select(g => new { g.Key, Last = g.Max(e => e.Sequence) }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.Last);
        return new SparkList("service_request_updates", [.. updates.Select(u => (SparkNode)new SparkObject("request_update",
        [
            new SparkValue("update_id", u.Id.ToString()),
            new SparkValue("service_request_id", u.Number),
            // The last entry of a finished order is where it closed; every earlier one found it open.
            new SparkValue("status", Order.IsFinishedState(u.State) && last.GetValueOrDefault(u.OrderId) == u.Sequence ? "closed" : "open"),
            new SparkValue("updated_datetime", u.At),
            new SparkValue("description", string.IsNullOrWhiteSpace(u.Note) ? u.StepName : $"{u.StepName}：{PersonalText.Scrub(u.Note, names[u.OrderId])}"),
            new SparkValue("media_url", null),
        ]))]);
    }

    /// <summary>The district a GET reads: by jurisdiction_id, or the only one there is. A key, when sent, must be that district's.</summary>
    private async Task EnterDistrictAsync(Open311Args args, CancellationToken ct)
    {
        var district = await FindDistrictAsync(args.Get("jurisdiction_id"), ct);
        if (args.Get("api_key") is { } sent && (await KeyAsync(sent, ct)).DistrictId != district.Id)
        {
            throw Open311Exception.Forbidden($"api_key: 该 api_key 不属于辖区 {district.Code}（api_key is not valid for this jurisdiction_id）");
        }

        Scope.SetDistrict(district.Id);
    }

    private async Task<District> FindDistrictAsync(string? code, CancellationToken ct)
    {
        // Before the scope is set no district row is visible: the lookup by the public code reads past the filter.
        var districts = db.Districts.IgnoreQueryFilters().AsNoTracking();
        if (code is not null)
        {
            return await districts.FirstOrDefaultAsync(d => d.Code == code, ct)
                   ?? throw Open311Exception.NotFound($"jurisdiction_id: 没有区划代码为“{SparkWriter.Clean(code)}”的辖区（jurisdiction_id not found）");
        }

        var some = await districts.OrderBy(d => d.Code).Take(2).ToListAsync(ct);
        return some.Count == 1
            ? some[0]
            : throw Open311Exception.BadRequest("jurisdiction_id: 本接口服务多个辖区，请提供 jurisdiction_id（区县行政区划代码，如 530402）（jurisdiction_id was not provided）");
    }

    private async Task<Open311Key> KeyAsync(string? key, CancellationToken ct)
    {
        if (key is null)
        {
            throw Open311Exception.Forbidden("api_key: 缺少 api_key，提交服务请求需要合作方密钥（api_key was not provided）");
        }

        return await Open311Key.InUseAsync(db, key, ct)
               ?? throw Open311Exception.Forbidden("api_key: api_key 无效或已停用（invalid api_key）");
    }

    /// <summary>A service type: a menu item (its id is the code), or a platform's free-text service (platform-&lt;id&gt;).</summary>
    private sealed record Service(string Code, string Name, string Description, string Keywords, string Group, Guid PlatformId, Guid? MenuItemId);

    private sealed record ServiceAttribute(string Code, string Datatype, bool Required, string? DatatypeDescription, int Order, string Description);

    private static List<ServiceAttribute> Attributes(Service service)
    {
        var list = new List<ServiceAttribute>();
        if (service.MenuItemId is null)
        {
            list.Add(new("title", "string", false, "2 到 100 字", list.Count + 1, "需要什么服务（不填则用服务名称）"));
        }

        list.Add(new("wanted_time", "datetime", false, "ISO 8601 日期时间，如 2026-12-01T09:00:00+08:00", list.Count + 1, "期望服务时间（90 天以内）"));
        return list;
    }

    private async Task<List<Service>> ListServicesAsync(CancellationToken ct)
    {
        // In the same order on every call (ties broken by id): a partner's calls, in XML or JSON, must agree.
        var platforms = await db.Platforms.AsNoTracking().Where(p => p.IsActive).OrderBy(p => p.SortOrder).ThenBy(p => p.Id).Select(p => new { p.Id, p.Name })
            .ToListAsync(ct);
        var platformIds = platforms.Select(p => p.Id).ToList();
        var menu = await db.Set<MenuItem>().AsNoTracking().Where(m => m.IsActive && platformIds.Contains(m.PlatformId))
            .Select(m => new { m.Id, m.Title, m.Description, m.Availability, m.PlatformId, Team = m.Team!.Name, Unit = m.Unit!.Name })
            .ToListAsync(ct);
        var services = new List<Service>();
        foreach (var p in platforms)
        {
            foreach (var m in menu.Where(m => m.PlatformId == p.Id).OrderBy(m => m.Title, StringComparer.Ordinal).ThenBy(m => m.Team, StringComparer.Ordinal)
                         .ThenBy(m => m.Id))
            {
                var about = string.Concat(new[] { m.Description, $"服务范围：{m.Unit}", m.Availability is { } a ? $"服务时间：{a}" : null }
                    .Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => Sentence(s!)));
                services.Add(new Service(m.Id.ToString(), MenuServiceName(m.Title, m.Team), about,
                    string.Join(", ", new[] { p.Name, m.Title, m.Team, m.Unit }.Distinct()), p.Name, p.Id, m.Id));
            }

            services.Add(new Service(FreeTextPrefix + p.Id, FreeTextName(p.Name), $"服务菜单中没有的{p.Name}类需求：请在 description 中写明需要什么服务。",
                $"{p.Name}, 其他需求", p.Name, p.Id, null));
        }

        return services;
    }

    private async Task<Service> FindServiceAsync(string? code, CancellationToken ct)
    {
        if (code is null)
        {
            throw Open311Exception.BadRequest("service_code: 缺少 service_code（service_code was not provided）");
        }

        return (await ListServicesAsync(ct)).FirstOrDefault(s => string.Equals(s.Code, code.Trim(), StringComparison.OrdinalIgnoreCase))
               ?? throw Open311Exception.NotFound($"service_code: 本辖区没有服务“{SparkWriter.Clean(code)}”（service_code not found）");
    }

    private static string Sentence(string text)
    {
        text = text.Trim();
        return text.EndsWith('。') || text.EndsWith('！') || text.EndsWith('？') || text.EndsWith('.') ? text : text + "。";
    }

    /// <summary>Menu items of different teams often share a title: the team tells them apart.</summary>
    private static string MenuServiceName(string title, string team) => $"{title}（{team}）";

    private static string FreeTextName(string platform) => $"{platform}：其他需求";

    private static (double Lat, double Lng)? ReadPoint(Open311Args args, List<string> errors)
    {
        var lat = args.Get("lat");
        var lng = args.Get("long");
        if (lat is null && lng is null)
        {
            return null;
        }

        if (lat is null || lng is null)
        {
            errors.Add("lat/long: lat 与 long 须同时提供（lat and long must both be sent）");
            return null;
        }

        if (!double.TryParse(lat, NumberStyles.Float, CultureInfo.InvariantCulture, out var la)
            || !double.TryParse(lng, NumberStyles.Float, CultureInfo.InvariantCulture, out var ln) || !Geo.IsValid(la, ln))
        {
            errors.Add("lat/long: 坐标无效，应为 WGS-84 十进制度数（lat/long must be WGS-84 decimal degrees）");
            return null;
        }

        return (la, ln);
    }

    /// <summary>The open station nearest the point (GeoReport points are WGS-84, as units' are), or the center without one.</summary>
    private async Task<Unit> PlaceAsync((double Lat, double Lng)? point, CancellationToken ct)
    {
        var center = await db.Units.FirstOrDefaultAsync(u => u.ParentId == null && u.ClosedAt == null, ct)
                     ?? throw Open311Exception.BadRequest("General service error: 本辖区尚未设立新时代文明实践中心（the district has no center yet）");
        if (point is not { } p)
        {
            return center;
        }

        var stations = await db.Units.AsNoTracking()
            .Where(u => u.Kind == UnitKind.Station && u.ClosedAt == null && u.Latitude != null && u.Longitude != null)
            .Select(u => new { u.Id, Lat = u.Latitude!.Value, Lng = u.Longitude!.Value })
            .ToListAsync(ct);
        var nearest = stations.Select(s => new { s.Id, Meters = Geo.Meters(p.Lat, p.Lng, s.Lat, s.Lng) }).MinBy(s => s.Meters);
        var meters = nearest?.Meters ?? (center.Latitude is { } cLat && center.Longitude is { } cLng ? Geo.Meters(p.Lat, p.Lng, cLat, cLng) : 0);
        if (meters > FarMeters)
        {
            throw Open311Exception.BadRequest($"lat/long: 该位置距本辖区最近的实践站 {meters / 1000:0} 公里，不在本辖区内（the location is outside this jurisdiction）");
        }

        return nearest is null ? center : await db.Units.FirstAsync(u => u.Id == nearest.Id, ct);
    }

    /// <summary>First and last name as a person says them: family name first for Chinese names, "first last" otherwise.</summary>
    private static string ContactName(string? first, string? last)
    {
        first = first is null ? null : SparkWriter.Clean(first);
        last = last is null ? null : SparkWriter.Clean(last);
        var name = first is not null && last is not null && (first + last).All(IsHan) ? last + first : string.Join(" ", new[] { first, last }.OfType<string>());
        name = name.Trim();
        return name.Length == 0 ? "Open311 用户" : name.Length > 50 ? name[..50] : name;
    }

    private static bool IsHan(char c) => c is >= '\u3400' and <= '\u9fff' or '·';

    /// <summary>
    /// The spec allows 4,000 characters, an order keeps 1,000: a longer text is cut and says so rather than being refused.
    /// A media_url has no field of its own on an order; it goes into the description where the station reads it.
    /// </summary>
    private static string? Fit(string? description, IReadOnlyList<string> mediaUrls)
    {
        var media = mediaUrls.Count == 0 ? "" : "\n附图：" + string.Join(" ", mediaUrls.Select(SparkWriter.Clean));
        var text = (description ?? "") + media;
        if (text.Length == 0)
        {
            return null;
        }

        const string cut = "…（原文过长，已截断）";
        return text.Length <= MaxOrderDescription ? text : text[..(MaxOrderDescription - cut.Length)] + cut;
    }

    /// <summary>A W3C/ISO 8601 date-time; one without an offset is read in the district's zone.</summary>
    private static DateTimeOffset? ParseTime(string? text)
    {
        if (text is null || !text.Contains('-', StringComparison.Ordinal)
                          || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return null;
        }

        return parsed.Kind switch
        {
            DateTimeKind.Utc => new DateTimeOffset(parsed, TimeSpan.Zero),
            DateTimeKind.Local => new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero),
            _ => new DateTimeOffset(parsed, DistrictTimeJsonConverter.Zone.GetUtcOffset(parsed)).ToUniversalTime(),
        };
    }

    /// <summary>The span searched: at most 90 days, the last 90 by default. Times are compared in UTC, as they are stored.</summary>
    private (DateTimeOffset Start, DateTimeOffset End) DateRange(string? startText, string? endText)
    {
        var start = startText is null ? (DateTimeOffset?)null
            : ParseTime(startText) ?? throw Open311Exception.BadRequest("start_date: 应为 W3C 日期时间，如 2026-11-01T00:00:00+08:00（start_date must be a W3C datetime）");
        var end = endText is null ? (DateTimeOffset?)null
            : ParseTime(endText) ?? throw Open311Exception.BadRequest("end_date: 应为 W3C 日期时间，如 2026-11-30T00:00:00+08:00（end_date must be a W3C datetime）");
        var now = clock.GetUtcNow();
        var (s, e) = (start, end) switch
        {
            (null, null) => (now - Window, now),
            ({ } from, null) => (from, from + Window),
            (null, { } to) => (to - Window, to),
            ({ } from, { } to) => (from, to),
        };
        if (e < s)
        {
            throw Open311Exception.BadRequest("end_date: 结束时间早于开始时间（end_date is before start_date）");
        }

        if (e - s > Window)
        {
            throw Open311Exception.BadRequest("start_date/end_date: 查询跨度不能超过 90 天（the range may not span more than 90 days）");
        }

        return (s.ToUniversalTime(), e.ToUniversalTime());
    }

    private static IQueryable<Order> FilterByServices(IQueryable<Order> query, string[] codes)
    {
        if (codes.Length == 0)
        {
            return query;
        }

        var menuIds = new List<Guid>();
        var platformIds = new List<Guid>();
        foreach (var code in codes)
        {
            if (code.StartsWith(FreeTextPrefix, StringComparison.OrdinalIgnoreCase) && Guid.TryParse(code[FreeTextPrefix.Length..], out var platform))
            {
                platformIds.Add(platform);
            }
            else if (Guid.TryParse(code, out var menu))
            {
                menuIds.Add(menu);
            }
        }

        // A code that names no service matches nothing, as an unknown value would in any other filter.
        return query.Where(o => o.MenuItemId != null && menuIds.Contains(o.MenuItemId.Value) || o.MenuItemId == null && platformIds.Contains(o.PlatformId));
    }

    private static IQueryable<Order> FilterByStatus(IQueryable<Order> query, string[] given)
    {
        var statuses = given.Select(s => s.ToLowerInvariant()).ToList();
        if (statuses.Any(s => s is not ("open" or "closed")))
        {
            throw Open311Exception.BadRequest("status: 状态应为 open 或 closed（status must be open or closed）");
        }

        var open = statuses.Contains("open");
        var closed = statuses.Contains("closed");
        return open == closed ? query : open ? query.Where(o => !Order.FinishedStates.Contains(o.State)) : query.Where(o => Order.FinishedStates.Contains(o.State));
    }

    private static string[] Split(string? list) =>
        list is null ? [] : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Orders with what their answer shows; one workflow object per version, however many orders share it.</summary>
    private static IQueryable<Order> Loaded(IQueryable<Order> query) =>
        query.AsNoTrackingWithIdentityResolution().Include(o => o.Workflow).Include(o => o.Unit).Include(o => o.HolderUnit);

    private async Task<List<SparkNode>> ViewsAsync(IReadOnlyList<Order> rows, CancellationToken ct)
    {
        var menuIds = rows.Select(o => o.MenuItemId).OfType<Guid>().Distinct().ToList();
        // Withdrawn menu items too: an order keeps the name of the service it was placed for.
        var menu = await db.Set<MenuItem>().AsNoTracking().Where(m => menuIds.Contains(m.Id))
            .Select(m => new { m.Id, m.Title, Team = m.Team!.Name }).ToDictionaryAsync(m => m.Id, m => MenuServiceName(m.Title, m.Team), ct);
        var platforms = await db.Platforms.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var teamIds = rows.Select(o => o.HolderTeamId).OfType<Guid>().Distinct().ToList();
        var teams = await db.Set<Team>().AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        // The reason a station gave for sending an order back, or the order it was merged into: what the partner's user needs to know.
        var explained = rows.Where(o => o.State is OrderState.Rejected or OrderState.Merged).Select(o => o.Id).ToList();
        var reasons = explained.Count == 0
            ? []
            : (await db.Set<OrderEvent>().AsNoTracking().Where(e => explained.Contains(e.OrderId) && (e.Action == "reject" || e.Action == "merge"))
                .Select(e => new { e.OrderId, e.Sequence, e.Note }).ToListAsync(ct))
            .GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Sequence)!.Note);

        return [.. rows.Select(o =>
        {
            var holder = o.HolderTeamId is { } t && teams.TryGetValue(t, out var team) ? team : o.HolderUnit!.Name;
            var (code, name) = o.MenuItemId is { } m
                ? (m.ToString(), menu.GetValueOrDefault(m) ?? o.Title)
                : (FreeTextPrefix + o.PlatformId, FreeTextName(platforms.GetValueOrDefault(o.PlatformId) ?? ""));
            // What a partner sent is theirs to read back; what residents told the platform directly stays with the platform:
            // their order shows the station's place, not their door.
            var byPartner = o.Channel == OrderChannel.Open311;
            return (SparkNode)new SparkObject("request",
            [
                new SparkValue("service_request_id", o.Number),
                new SparkValue("status", o.IsFinished ? "closed" : "open"),
                new SparkValue("status_notes", StatusNotes(o, reasons.GetValueOrDefault(o.Id))),
                new SparkValue("service_name", name),
                new SparkValue("service_code", code),
                new SparkValue("description", byPartner ? PersonalText.Scrub(o.Description) : null),
                new SparkValue("agency_responsible", holder),
                new SparkValue("service_notice", OrderTexts.Next(o, holder)),
                new SparkValue("requested_datetime", o.CreatedAt),
                new SparkValue("updated_datetime", o.ClosedAt ?? o.UpdatedAt),
                new SparkValue("expected_datetime", o.WantedAt),
                new SparkValue("address", byPartner ? o.Address ?? o.Unit!.Name : o.Unit!.Name),
                new SparkValue("address_id", null),
                new SparkValue("zipcode", null),
                new SparkValue("lat", byPartner ? o.Latitude : o.Unit!.Latitude),
                new SparkValue("long", byPartner ? o.Longitude : o.Unit!.Longitude),
                new SparkValue("media_url", null), // order photos are the volunteers' record, shown to those handling the order only
            ]);
        })];
    }

    private static string StatusNotes(Order order, string? reason) => order.State switch
    {
        OrderState.Open or OrderState.InService => $"{OrderTexts.StateName(order.State)}：当前环节“{order.Step.Name}”",
        OrderState.Rejected or OrderState.Merged when !string.IsNullOrWhiteSpace(reason) => $"{OrderTexts.StateName(order.State)}：{PersonalText.Scrub(reason, [order.ContactName])}",
        _ => OrderTexts.StateName(order.State),
    };
}
