using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Activities;

internal sealed record DecisionInput(string? Reason, int? Version);

internal sealed record ReportInput(string? Summary, int? Beneficiaries, int? AudienceCount);

internal sealed record SignupInput(string? Role);

internal sealed record RulesInput(bool? LibraryGate, int? LocationToleranceMeters, int? MaxCheckPairsPerDay, double? MinAttendanceShare, bool? FutureOnly,
    string[]? LectureForms, string[]? VenueTypes, int? Version);

internal sealed record VenueCode(string Code, string Url, DateTimeOffset ExpiresAt, int WindowSeconds);

internal static class ActivityEndpoints
{
    public static IServiceCollection AddActivities(this IServiceCollection services) =>
        services.AddScoped<ActivityUseCases>().AddScoped<SignUps>().AddScoped<Planning>().AddScoped<Calendars>();

    public static IEndpointRouteBuilder MapActivities(this IEndpointRouteBuilder app)
    {
        var lib = app.MapGroup("/api/v1/activity-library").WithTags("Activities").RequireAuthorization();
        lib.MapGet("/", async (ActivityUseCases a, CancellationToken ct, string? status = null, Guid? platform = null) =>
                TypedResults.Ok(await a.LibraryAsync(status, platform, ct)))
            .WithSummary("The activity library (活动库): approved entries you may use; admins also see proposals (status=Proposed|Approved|Returned)");
        lib.MapPost("/", async (TemplateInput input, ActivityUseCases a, CancellationToken ct) =>
        {
            var t = await a.ProposeAsync(input, ct);
            return TypedResults.Created($"/api/v1/activity-library/{t.Id}", new LibraryEntryStatus(t.Id, t.Status.ToString(), t.Version));
        }).WithSummary("Propose an entry (institute and station admins); the center's own entries are approved at once");
        lib.MapPost("/{id:guid}/approve", async (Guid id, DecisionInput? input, ActivityUseCases a, CancellationToken ct) =>
        {
            var t = await a.DecideAsync(id, approve: true, null, input?.Version, ct);
            return TypedResults.Ok(new LibraryEntryStatus(t.Id, t.Status.ToString(), t.Version));
        }).WithSummary("Approve a proposal into the library (center admin)");
        lib.MapPost("/{id:guid}/return", async (Guid id, DecisionInput input, ActivityUseCases a, CancellationToken ct) =>
        {
            var t = await a.DecideAsync(id, approve: false, input.Reason, input.Version, ct);
            return TypedResults.Ok(new LibraryEntryStatus(t.Id, t.Status.ToString(), t.Version, t.ReturnReason));
        }).WithSummary("Return a proposal with a reason (center admin)");

        var g = app.MapGroup("/api/v1/activities").WithTags("Activities").RequireAuthorization();
        g.MapGet("/", async (ActivityUseCases a, CancellationToken ct, Guid? unit = null, Guid? platform = null, bool upcoming = true, bool lectures = false,
                int page = 1, int pageSize = 50) => TypedResults.Ok(await a.ListAsync(unit, platform, upcoming, lectures, page, pageSize, ct)))
            .WithSummary("Activities of your units and those above them (upcoming first); lectures=true for 宣讲 only");
        g.MapGet("/export", (ActivityUseCases a, Infrastructure.ListExport export, CancellationToken ct, Guid? unit = null, Guid? platform = null,
                bool upcoming = true, bool lectures = false) =>
                export.PagedAsync("activities", "活动", (page, size) => a.ListAsync(unit, platform, upcoming, lectures, page, size, ct), r => new Dictionary<string, object?>
                {
                    ["活动名称"] = r.Title,
                    ["服务平台"] = r.Platform,
                    ["组织单位"] = r.Unit.Name,
                    ["开始时间"] = Infrastructure.DistrictTime.Minute(r.StartsAt),
                    ["结束时间"] = Infrastructure.DistrictTime.Minute(r.EndsAt),
                    ["地点"] = r.Address ?? "",
                    ["状态"] = ActivityUseCases.StatusName(r.Status),
                    ["名额"] = r.Capacity,
                    ["已报名"] = r.Accepted,
                    ["宣讲"] = r.IsLecture ? "是" : "否",
                }, ct))
            .WithSummary("The activities list as .xlsx, with the list's filters; admins and leaders");
        g.MapPost("/", async (ActivityInput input, ActivityUseCases a, CancellationToken ct) =>
        {
            var activity = await a.PublishAsync(input, ct);
            return TypedResults.Created($"/api/v1/activities/{activity.Id}", await a.ViewAsync(activity.Id, ct));
        }).WithSummary("Publish an activity (admins; team leaders for their team). Where the district gates on the library, templateId is required");
        g.MapGet("/{id:guid}", async (Guid id, ActivityUseCases a, CancellationToken ct) => TypedResults.Ok(await a.ViewAsync(id, ct)))
            .WithSummary("One activity, with places and the waiting list per role, and your own sign-up");
        g.MapPost("/{id:guid}/signups", async (Guid id, SignupInput? input, SignUps s, CancellationToken ct) =>
        {
            var result = await s.SignUpAsync(id, input?.Role, ct);
            return TypedResults.Created($"/api/v1/activities/{id}", result);
        }).WithSummary("Sign up (role: a volunteer role, or omitted to take part); beyond the places you join the waiting list");
        g.MapPost("/{id:guid}/signups/cancel", async (Guid id, SignUps s, CancellationToken ct) =>
                TypedResults.Ok(new CancelledSignup(await s.CancelAsync(id, ct))))
            .WithSummary("Cancel your sign-up; the first on the waiting list moves up");
        g.MapPost("/{id:guid}/check-ins", async (Guid id, CheckInInput input, SignUps s, CancellationToken ct) => TypedResults.Ok(await s.CheckInAsync(id, input, ct)))
            .WithSummary("签到 / 签退 (whichever is next): the venue's current QR code, or your location within the venue's radius");
        g.MapGet("/{id:guid}/attendance", async (Guid id, SignUps s, CancellationToken ct) => TypedResults.Ok(await s.AttendanceAsync(id, ct)))
            .WithSummary("Attendance with credited minutes under the district's rules (organisers)");
        g.MapGet("/{id:guid}/attendance/export", (Guid id, SignUps s, Infrastructure.ListExport export, CancellationToken ct) =>
                export.ListAsync("attendance", "考勤", () => s.AttendanceAsync(id, ct), r => new Dictionary<string, object?>
                {
                    ["姓名"] = r.Name,
                    ["志愿者编号"] = r.Number ?? "",
                    ["手机号"] = r.Phone,
                    ["岗位"] = r.Role,
                    ["报名状态"] = r.Status == nameof(SignupStatus.Waiting) ? "候补" : "已报名",
                    ["签到次数"] = r.Pairs,
                    ["到场时长（分钟）"] = r.Minutes,
                    ["计入时长（分钟）"] = r.CreditedMinutes,
                    ["已更正"] = r.Corrected ? "是" : "否",
                }, ct))
            .WithSummary("An activity's attendance as .xlsx (organisers)");
        g.MapPost("/{id:guid}/attendance", async (Guid id, CorrectionInput input, SignUps s, CancellationToken ct) =>
        {
            await s.CorrectAsync(id, input, ct);
            return TypedResults.NoContent();
        }).WithSummary("Correct one person's attendance with a reason (organisers; appended, audited)");
        g.MapPost("/{id:guid}/report", async (Guid id, ReportInput input, ActivityUseCases a, CancellationToken ct) =>
        {
            await a.ReportAsync(id, input.Summary, input.Beneficiaries, input.AudienceCount, ct);
            return TypedResults.NoContent();
        }).WithSummary("After the activity: summary, beneficiaries, lecture audience (organisers)");
        g.MapPost("/{id:guid}/photos", async (Guid id, IFormFile? file, ActivityUseCases a, CancellationToken ct) =>
        {
            var photo = await a.AddPhotoAsync(id, file, ct);
            return TypedResults.Created($"/api/v1/activities/{id}/photos/{photo.Id}", new Infrastructure.CreatedId(photo.Id));
        }).DisableAntiforgery().WithSummary("Add a photo of the activity (organisers; JPEG, PNG or WebP, at most 2 MB, 30 per activity; checked by content)");
        g.MapGet("/{id:guid}/photos/{photoId:guid}", async Task<Results<FileContentHttpResult, NotFound>> (Guid id, Guid photoId, ActivityUseCases a,
            AppDbContext db, Infrastructure.Files.IFileStore files, CancellationToken ct) =>
        {
            _ = await a.Visible().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
            var photo = await db.Set<ActivityPhoto>().FirstOrDefaultAsync(p => p.Id == photoId && p.ActivityId == id, ct);
            return photo is not null && await files.ReadAsync(photo.FileName, ct) is { } bytes ? TypedResults.File(bytes, photo.ContentType) : TypedResults.NotFound();
        }).WithSummary("A photo of the activity");
        g.MapGet("/{id:guid}/venue-code", async Task<Results<Ok<VenueCode>, ProblemHttpResult>> (Guid id, ActivityUseCases a, HttpContext http,
            IConfiguration config, TimeProvider clock, CancellationToken ct) =>
        {
            var (activity, rules) = await ManagedAsync(a, id, ct);
            var now = clock.GetUtcNow();
            var code = activity.CodeAt(now, rules.QrWindowSeconds);
            var window = now.ToUnixTimeSeconds() / rules.QrWindowSeconds;
            return TypedResults.Ok(new VenueCode(code, $"{Infrastructure.PublicUrls.Base(http, config)}/a/{id}?c={code}",
                DateTimeOffset.FromUnixTimeSeconds((window + 1) * rules.QrWindowSeconds), rules.QrWindowSeconds));
        }).WithSummary("The venue's current check-in code and its URL, for the rotating QR screen (organisers)");
        g.MapGet("/{id:guid}/venue-code.png", async (Guid id, ActivityUseCases a, HttpContext http, IConfiguration config, TimeProvider clock,
            CancellationToken ct) =>
        {
            var (activity, rules) = await ManagedAsync(a, id, ct);
            var code = activity.CodeAt(clock.GetUtcNow(), rules.QrWindowSeconds);
            using var generator = new QRCoder.QRCodeGenerator();
            using var data = generator.CreateQrCode($"{Infrastructure.PublicUrls.Base(http, config)}/a/{id}?c={code}", QRCoder.QRCodeGenerator.ECCLevel.M);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.File(new QRCoder.PngByteQRCode(data).GetGraphic(12), "image/png");
        }).WithSummary("The current venue QR code as a PNG (organisers)");

        var plans = app.MapGroup("/api/v1/plans").WithTags("Activities").RequireAuthorization();
        plans.MapGet("/", async (Planning p, CancellationToken ct, Guid? unit = null, int? year = null) => TypedResults.Ok(await p.PlanAsync(unit, year, ct)))
            .WithSummary("A unit's yearly activity plan (年度活动计划) against what its subtree held, by month and platform");
        plans.MapGet("/export", async (Planning p, Infrastructure.ListExport export, CancellationToken ct, Guid? unit = null, int? year = null) =>
            {
                var plan = await p.PlanAsync(unit, year, ct);
                return await export.ListAsync("plans", $"{plan.Year}年度活动计划", () => Task.FromResult(plan.Cells), c => new Dictionary<string, object?>
                {
                    ["单位"] = plan.Unit.Name,
                    ["年度"] = plan.Year,
                    ["月份"] = c.Month,
                    ["服务平台"] = c.Platform,
                    ["计划场次"] = c.Planned,
                    ["已开展场次"] = c.Held,
                    ["完成率"] = c.Planned > 0 ? Math.Round(100.0 * c.Held / c.Planned, 1) : null,
                }, ct);
            })
            .WithSummary("A unit's yearly plan against what was held, by month and platform, as .xlsx");
        plans.MapPost("/", async (PlanInput input, Planning p, CancellationToken ct) =>
        {
            var e = await p.AddPlanAsync(input, ct);
            return TypedResults.Created($"/api/v1/plans?unit={e.UnitId}&year={e.Year}", new Infrastructure.CreatedId(e.Id));
        }).WithSummary("Add a line to your unit's plan (admins)");

        var projects = app.MapGroup("/api/v1/projects").WithTags("Activities").RequireAuthorization();
        projects.MapGet("/", async (Planning p, CancellationToken ct, Guid? platform = null, Guid? unit = null) => TypedResults.Ok(await p.ProjectsAsync(platform, unit, ct)))
            .WithSummary("The project library (项目库), by platform and unit");
        projects.MapGet("/export", (Planning p, Infrastructure.ListExport export, CancellationToken ct, Guid? platform = null, Guid? unit = null) =>
                export.ListAsync("projects", "项目库", () => p.ProjectsAsync(platform, unit, ct), r => new Dictionary<string, object?>
                {
                    ["项目名称"] = r.Name,
                    ["单位"] = r.Unit.Name,
                    ["队伍"] = r.Team ?? "",
                    ["服务平台"] = r.Platform ?? "",
                    ["项目目标"] = r.Goals ?? "",
                    ["开始日期"] = r.StartsOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    ["结束日期"] = r.EndsOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    ["合作方"] = r.Partners ?? "",
                    ["活动数"] = r.Activities,
                    ["订单数"] = r.Orders,
                }, ct))
            .WithSummary("The project library as .xlsx, with its filters");
        projects.MapPost("/", async (ProjectInput input, Planning p, CancellationToken ct) =>
        {
            var project = await p.CreateProjectAsync(input, ct);
            return TypedResults.Created($"/api/v1/projects/{project.Id}", new Infrastructure.CreatedId(project.Id));
        }).WithSummary("Create a project (admins)");
        projects.MapGet("/{id:guid}", async (Guid id, Planning p, CancellationToken ct) => TypedResults.Ok(await p.ProjectAsync(id, ct)))
            .WithSummary("A project with its activities and orders");
        projects.MapPost("/{id:guid}/orders/{orderId:guid}", async (Guid id, Guid orderId, Planning p, Orders.OrderAccess access, AppDbContext db,
            TimeProvider clock, CancellationToken ct) =>
        {
            var project = (await p.ProjectsAsync(null, null, ct)).FirstOrDefault(x => x.Id == id) ?? throw new NotVisibleException();
            var order = await access.LoadAsync(orderId, ct);
            order.LinkProject(await access.ActorAsync(order, ct), project.Id, project.Name, clock.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        }).WithSummary("Count an order towards a project (admins over the order's holder)");

        app.MapGet("/api/v1/lectures/totals", async (Planning p, CancellationToken ct, Guid? unit = null, int? year = null) =>
                TypedResults.Ok(await p.LectureTotalsAsync(unit, year, ct)))
            .WithTags("Activities").RequireAuthorization()
            .WithSummary("Lecture sessions and audience (宣讲) by lecturer, team, unit, venue type (七进) and form");

        var rules = app.MapGroup("/api/v1/activity-rules").WithTags("Activities").RequireAuthorization();
        rules.MapGet("/", async (ActivityUseCases a, CancellationToken ct) => TypedResults.Ok(await a.RulesAsync(ct)))
            .WithSummary("The district's activity rules: library gate, location tolerance, pairs per day, minimum attendance share, lecture forms and venues");
        rules.MapPut("/", async (RulesInput input, ActivityUseCases a, AppDbContext db, AuditLog audit, CancellationToken ct) =>
        {
            if (!db.Scope.IsCenterAdmin)
            {
                throw new AccessDeniedException("只有中心管理员可以修改活动规则");
            }

            var current = await a.RulesAsync(ct);
            if (input.Version != current.Version)
            {
                throw new DomainException("stale-version", "规则已被他人修改，请刷新后再改", 409);
            }

            var forms = input.LectureForms ?? [.. current.LectureForms];
            var venues = input.VenueTypes ?? [.. current.VenueTypes];
            var tolerance = input.LocationToleranceMeters ?? current.LocationToleranceMeters;
            var pairs = input.MaxCheckPairsPerDay ?? current.MaxCheckPairsPerDay;
            var share = input.MinAttendanceShare ?? current.MinAttendanceShare;
            if (tolerance is < 50 or > 5_000 || pairs is < 1 or > 10 || share is < 0 or > 1 || forms.Length is 0 or > 20 || venues.Length is 0 or > 20
                || forms.Concat(venues).Any(x => string.IsNullOrWhiteSpace(x) || x.Length > 20))
            {
                throw new InputException(new Dictionary<string, string[]> { ["rules"] = ["签到距离 50–5000 米，每天签到 1–10 次，最低出勤比例 0–1；宣讲形式和场所各 1–20 项、每项不超过 20 字"] });
            }

            current.Change(input.LibraryGate ?? current.LibraryGate, tolerance, pairs, share, input.FutureOnly ?? current.FutureOnly, forms, venues);
            audit.Add("activity-rules.changed", "activity-rules", current.DistrictId.ToString(), null,
                $"gate={current.LibraryGate} tolerance={tolerance} pairs={pairs} share={share}");
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(current);
        }).WithSummary("Change the activity rules (center admin); send the version you read (409 if stale)");

        // Calendar apps poll: HEAD as GET, with ETag and Last-Modified, and 304 when their copy is current.
        string[] getOrHead = [HttpMethods.Get, HttpMethods.Head];
        Func<Guid, string> DetailsUrl(HttpContext http, IConfiguration config)
        {
            var root = Infrastructure.PublicUrls.Base(http, config);
            return id => $"{root}/Activities/Detail?id={id}";
        }

        app.MapMethods("/calendars/units/{id:guid}.ics", getOrHead, async (Guid id, Calendars c, HttpContext http, IConfiguration config, TimeProvider clock, CancellationToken ct) =>
                CalendarAnswers.Answer(http, await c.UnitFeedAsync(id, DetailsUrl(http, config), ct), clock))
            .AllowAnonymous().WithTags("Activities").WithSummary("iCalendar feed of a unit's (and its subtree's) activities; each event links to its page");
        app.MapMethods("/calendars/teams/{id:guid}.ics", getOrHead, async (Guid id, Calendars c, HttpContext http, IConfiguration config, TimeProvider clock, CancellationToken ct) =>
                CalendarAnswers.Answer(http, await c.TeamFeedAsync(id, DetailsUrl(http, config), ct), clock))
            .AllowAnonymous().WithTags("Activities").WithSummary("iCalendar feed of a team's activities; each event links to its page");
        app.MapMethods("/calendars/me/{token}.ics", getOrHead, async (string token, Calendars c, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                CalendarAnswers.Answer(http, await c.PersonalFeedAsync(token, ct), clock))
            .AllowAnonymous().WithTags("Activities").WithSummary("Your own activities, at the private URL from POST /api/v1/calendars/mine");
        app.MapPost("/api/v1/calendars/mine", async (Calendars c, HttpContext http, IConfiguration config, CancellationToken ct) =>
            {
                var token = await c.NewPersonalTokenAsync(ct);
                return TypedResults.Ok(new PrivateCalendar($"{Infrastructure.PublicUrls.Base(http, config)}/calendars/me/{token}.ics"));
            })
            .RequireAuthorization().WithMetadata(new Infrastructure.Idempotency.PersonalDataResponse()).WithTags("Activities")
            .WithSummary("A new private calendar URL for your sign-ups (the old one stops working)");
        return app;
    }

    private static async Task<(Activity Activity, ActivityRules Rules)> ManagedAsync(ActivityUseCases a, Guid id, CancellationToken ct)
    {
        var activity = await a.Visible().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new NotVisibleException();
        if (!await a.CanManageAsync(activity, ct))
        {
            throw new AccessDeniedException("只有活动的组织者可以显示签到二维码");
        }

        return (activity, await a.RulesAsync(ct));
    }
}

/// <summary>An entry of the activity library after a proposal or a decision; the reason when it was returned.</summary>
internal sealed record LibraryEntryStatus(
    Guid Id,
    string Status,
    int Version,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? ReturnReason = null);

/// <summary>A sign-up cancelled: who moved up from the waiting list into the place, if anyone.</summary>
internal sealed record CancelledSignup(SignupResult? Promoted);

/// <summary>The private address of your calendar feed (the previous one stops working).</summary>
internal sealed record PrivateCalendar(string Url);
