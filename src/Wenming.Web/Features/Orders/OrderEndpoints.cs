using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Orders.Open311;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Files;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

internal sealed record WorkflowView(int Version, string Name, string Preset, IReadOnlyList<StepView> Steps, int CheckInRadiusMeters, double ClaimRadiusKm,
    DateTimeOffset CreatedAt, IReadOnlyList<WorkflowPresetView> Presets, bool CanEdit);

internal sealed record WorkflowPresetView(string Key, string Name, IReadOnlyList<StepView> Steps);

internal sealed record WorkflowStepInput(string? Name, string? Kind, string? Performer, string? Level, int? DeadlineHours, string? OnTimeout,
    bool? OneLevelAtATime = null);

internal sealed record WorkflowInput(int? Version, string? Name, string? Preset, IReadOnlyList<WorkflowStepInput>? Steps, int? CheckInRadiusMeters,
    double? ClaimRadiusKm);

internal static class OrderEndpoints
{
    public const string IntakePolicy = "order-intake";

    /// <summary>Orders placed at once per instance unless <c>Orders:IntakeConcurrency</c> says otherwise: 4 per core.</summary>
    public static int DefaultIntakeConcurrency => 4 * Environment.ProcessorCount;

    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        // Admission control for placing orders: at most this many at once per instance, the rest wait their turn (oldest
        // first) before any work is done for them. In a surge, more at once only contend for the same cores and database
        // connections: on 2 cores, 16 at once fell behind at 80 % of the rate they managed, 2 per core left the cores idle
        // while orders waited on the database, and 4 per core kept up.
        services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((o, config) =>
        {
            var intake = config.GetValue("Orders:IntakeConcurrency", DefaultIntakeConcurrency);
            var waiting = config.GetValue("Orders:IntakeQueue", 5_000);
            o.AddPolicy(IntakePolicy, _ => RateLimitPartition.GetConcurrencyLimiter("intake",
                _ => new ConcurrencyLimiterOptions { PermitLimit = intake, QueueLimit = waiting, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        });
        services.AddScoped<OrderAccess>().AddScoped<PlaceOrder>().AddScoped<ActOnOrder>().AddScoped<ConfirmOrderByToken>().AddScoped<RevealOrderContact>().AddScoped<AddOrderPhoto>().AddScoped<OrderQueries>().AddScoped<OrderMatching>().AddScoped<OrderNotifier>()
            .AddScoped<WorkflowEditor>().AddSingleton<OrderDeadlines>().AddSingleton<OrderNumbers>()
            .AddHostedService<OrderDeadlines.Scanner>()
            .AddOpen311();
        services.AddSignalR();
        return services;
    }

    public static IEndpointRouteBuilder MapOrders(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/orders").WithTags("Orders").RequireAuthorization();
        g.MapPost("/", async Task<Created<OrderView>> (OrderInput input, PlaceOrder place, OrderQueries queries, CancellationToken ct) =>
        {
            var order = await place.RunAsync(input, ct);
            return TypedResults.Created($"/api/v1/orders/{order.Id}", await queries.ViewPlacedAsync(order, ct));
        }).RequireRateLimiting(IntakePolicy)
            .WithSummary("点单: order a service (resident), or record one for a resident (grid worker: give contactName and contactPhone)");
        g.MapGet("/", async (OrderQueries q, CancellationToken ct, string? view = null, string? state = null, Guid? unit = null, double? lat = null,
                double? lng = null, double? radiusKm = null, int page = 1, int pageSize = 50) =>
                TypedResults.Ok(await q.ListAsync(view, state, unit, lat, lng, radiusKm, page, pageSize, ct)))
            .WithSummary("Orders you can see. view=todo (yours to handle, overdue first), mine (you asked), claimable (open for volunteers; lat/lng/radiusKm)");
        g.MapGet("/export", (OrderQueries q, Infrastructure.ListExport export, CancellationToken ct, string? view = null, string? state = null, Guid? unit = null) =>
                export.PagedAsync("orders", "服务订单", (page, size) => q.ListAsync(view, state, unit, null, null, null, page, size, ct), o => new Dictionary<string, object?>
                {
                    ["订单编号"] = o.Number,
                    ["服务内容"] = o.Title,
                    ["服务平台"] = o.Platform,
                    ["状态"] = o.StateName,
                    ["当前环节"] = o.Step,
                    ["承办"] = o.Holder,
                    ["服务地点"] = o.Place.Name,
                    ["下单时间"] = Infrastructure.DistrictTime.Minute(o.CreatedAt),
                    ["办理期限"] = o.DueAt is { } due ? Infrastructure.DistrictTime.Minute(due) : "",
                    ["超时"] = o.Overdue ? "是" : "否",
                    ["疑似重复"] = o.PossibleDuplicate ? "是" : "否",
                }, ct))
            .WithSummary("The orders list as .xlsx, with the list's filters (view, state, unit); admins and leaders");
        g.MapGet("/notices", async (OrderQueries q, CancellationToken ct, int take = 20) => TypedResults.Ok(await q.NoticesAsync(take, ct)))
            .WithSummary("Notices to you: orders that came to your units or the teams you lead, escalations and overdue warnings");
        g.MapGet("/board", async (OrderQueries q, CancellationToken ct, Guid? unit = null) => TypedResults.Ok(await q.BoardAsync(unit, ct)))
            .WithSummary("The dispatch board of a unit's subtree: open orders by step, overdue counted (admins, leaders)");
        g.MapGet("/{id:guid}", async (Guid id, OrderQueries q, CancellationToken ct) => TypedResults.Ok(await q.ViewAsync(id, ct)))
            .WithSummary("One order: state, step, holder, timeline, what happens next, and the actions open to you");
        g.MapPost("/{id:guid}/actions/{action}", async (Guid id, string action, OrderActionInput? input, ActOnOrder act, OrderQueries queries,
                CancellationToken ct) =>
            {
                await act.RunAsync(id, action, input ?? new OrderActionInput(), ct);
                return TypedResults.Ok(await queries.ViewAsync(id, ct)); // read back: the holder's navigation is the new one
            })
            .WithSummary("Move an order: confirm, collect, draft, dispatch {teamId|unitId}, accept, resolve, escalate, reject {reason}, assign {volunteerIds}, " +
                         "check-in / check-out {latitude, longitude, coordinateSystem}, deliver {note}, rate {stars, comment}, review {outcome: close|redo}, " +
                         "reopen {reason}, cancel, merge {intoOrderId}. Which exist at a step is the district's workflow; a stale move gets 409.");
        g.MapGet("/{id:guid}/recommendations", async (Guid id, OrderMatching m, CancellationToken ct) => TypedResults.Ok(await m.RecommendAsync(id, ct)))
            .WithSummary("Teams and volunteers ranked for this order, with the reasons (holder's admins, team leader)");
        g.MapPost("/{id:guid}/photos", async (Guid id, IFormFile? file, AddOrderPhoto addPhoto, CancellationToken ct) =>
        {
            var photo = await addPhoto.RunAsync(id, file, ct);
            return TypedResults.Created($"/api/v1/orders/{id}/photos/{photo.Id}", new Infrastructure.CreatedId(photo.Id));
        }).DisableAntiforgery().WithSummary("Attach a photo of the service (JPEG, PNG or WebP, at most 2 MB, 9 per order; checked by content)");
        g.MapGet("/{id:guid}/photos/{photoId:guid}", async Task<Results<FileContentHttpResult, NotFound>> (Guid id, Guid photoId, OrderAccess access,
            IFileStore files, CancellationToken ct) =>
        {
            var order = await access.LoadAsync(id, ct);
            var photo = order.Photos.FirstOrDefault(p => p.Id == photoId);
            return photo is not null && await files.ReadAsync(photo.FileName, ct) is { } bytes
                ? TypedResults.File(bytes, photo.ContentType)
                : TypedResults.NotFound();
        }).WithSummary("A photo of the service");
        g.MapPost("/{id:guid}/reveal-contact", async (Guid id, RevealOrderContact reveal, CancellationToken ct) =>
                TypedResults.Ok(new RevealedContact(await reveal.RunAsync(id, ct))))
            .WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse())
            .WithSummary("The resident's full phone, for the holder and the volunteers sent (audited)");

        var w = app.MapGroup("/api/v1/workflow").WithTags("Orders").RequireAuthorization();
        w.MapGet("/", async (WorkflowEditor editor, CancellationToken ct) => TypedResults.Ok(await editor.ViewAsync(ct)))
            .WithSummary("The district's order workflow: its steps, who performs each, deadlines, and the presets to choose from");
        w.MapPut("/", async (WorkflowInput input, WorkflowEditor editor, CancellationToken ct) => TypedResults.Ok(await editor.SaveAsync(input, ct)))
            .WithSummary("Change the workflow (center admin): a new version, for new orders only; send the version you edited (409 if stale)");

        app.MapGet("/api/v1/reviews/{districtCode}", async (string districtCode, OrderQueries q, Infrastructure.Tenancy.DataScope scope, CancellationToken ct,
                int take = 50) =>
            {
                using var system = scope.AsSystem();
                return TypedResults.Ok(await q.PublicReviewsAsync(districtCode, take, ct));
            })
            .AllowAnonymous().WithTags("Orders").WithSummary("社会评单: the district's delivered and rated orders, personal data removed (public)");

        app.MapHub<OrderBoardHub>(OrderBoardHub.Path);
        app.MapOpen311();
        return app;
    }
}

/// <summary>The center admin's workflow editor: every save is a new version; orders keep the version they were placed under.</summary>
internal sealed class WorkflowEditor(AppDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<WorkflowView> ViewAsync(CancellationToken ct)
    {
        var current = await Workflows.CurrentAsync(db, db.Scope.DistrictId, clock, ct);
        if (db.Entry(current).State == EntityState.Added)
        {
            await db.SaveChangesAsync(ct);
        }

        return new WorkflowView(current.Version, current.Name, current.Preset, [.. current.Steps.Select(OrderQueries.ToView)], current.CheckInRadiusMeters,
            current.ClaimRadiusKm, current.CreatedAt,
            [.. WorkflowPresets.All.Select(p => new WorkflowPresetView(p.Key, p.Value.Name, [.. p.Value.Steps.Select(OrderQueries.ToView)]))], CanEdit());
    }

    public async Task<WorkflowView> SaveAsync(WorkflowInput input, CancellationToken ct)
    {
        if (!CanEdit())
        {
            throw new AccessDeniedException("只有中心管理员可以修改点单流程");
        }

        var current = await Workflows.CurrentAsync(db, db.Scope.DistrictId, clock, ct);
        if (input.Version != current.Version)
        {
            throw new DomainException("stale-version", "流程已被他人修改，请刷新后再改", 409);
        }

        var errors = new Dictionary<string, string[]>();
        List<WorkflowStep> steps;
        string name, preset;
        if (!string.IsNullOrWhiteSpace(input.Preset) && input.Steps is null)
        {
            if (!WorkflowPresets.All.TryGetValue(input.Preset, out var p))
            {
                throw new InputException(new Dictionary<string, string[]> { ["preset"] = ["没有这个预设流程"] });
            }

            (name, steps, preset) = (p.Name, [.. p.Steps], input.Preset);
        }
        else
        {
            steps = [.. (input.Steps ?? []).Select((s, i) => Parse(s, i, errors))];
            name = string.IsNullOrWhiteSpace(input.Name) ? current.Name : input.Name.Trim();
            preset = "custom";
        }

        if (name.Length > 100)
        {
            errors["name"] = ["流程名称不超过 100 字"];
        }

        var radius = input.CheckInRadiusMeters ?? current.CheckInRadiusMeters;
        if (radius is < 50 or > 5_000)
        {
            errors["checkInRadiusMeters"] = ["签到距离应在 50 到 5000 米之间"];
        }

        var claim = input.ClaimRadiusKm ?? current.ClaimRadiusKm;
        if (claim is < 0.5 or > 50)
        {
            errors["claimRadiusKm"] = ["抢单范围应在 0.5 到 50 公里之间"];
        }

        if (errors.Count == 0 && WorkflowDefinition.Problems(steps) is { Count: > 0 } problems)
        {
            errors["steps"] = [.. problems];
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var next = new WorkflowDefinition(db.Scope.DistrictId, current.Version + 1, name, preset, steps, radius, claim, db.Scope.UserId, clock.GetUtcNow());
        db.Add(next);
        audit.Add("workflow.changed", "workflow", next.Id.ToString(), null, $"v{next.Version} {name}: " + string.Join(" → ", steps.Select(s => s.Name)));
        await db.SaveChangesAsync(ct); // the unique (district, version) index lets one of two concurrent saves win
        return await ViewAsync(ct);
    }

    private bool CanEdit() => db.Scope.IsCenterAdmin;

    private static WorkflowStep Parse(WorkflowStepInput s, int i, Dictionary<string, string[]> errors)
    {
        if (s is null)
        {
            errors[$"steps[{i}]"] = ["环节不能为空"];
            return new WorkflowStep("", StepKind.Place, Role.Resident, null, 0, TimeoutAction.Notify);
        }

        var ok = Enum.TryParse<StepKind>(s.Kind, true, out var kind) & Enum.TryParse<Role>(s.Performer, true, out var performer);
        // Each kind has its own sensible default: a rating closes, everything else is passed up.
        var timeout = kind == StepKind.Rate ? TimeoutAction.Close : TimeoutAction.Escalate;
        if (!string.IsNullOrWhiteSpace(s.OnTimeout))
        {
            ok &= Enum.TryParse(s.OnTimeout, true, out timeout);
        }

        UnitKind? level = null;
        if (!string.IsNullOrWhiteSpace(s.Level))
        {
            ok &= UnitKinds.TryParse(s.Level, out var l);
            level = l;
        }

        if (!ok || !Enum.IsDefined(kind) || !Enum.IsDefined(performer) || !Enum.IsDefined(timeout))
        {
            errors[$"steps[{i}]"] = ["环节类型、办理角色、层级或超时处理无法识别"];
        }

        return new WorkflowStep(s.Name?.Trim() ?? "", kind, performer, level, s.DeadlineHours ?? 24, timeout, kind == StepKind.Dispatch && s.OneLevelAtATime == true);
    }
}

/// <summary>The resident's full phone, revealed to someone serving the order (audited).</summary>
internal sealed record RevealedContact(string Phone);
