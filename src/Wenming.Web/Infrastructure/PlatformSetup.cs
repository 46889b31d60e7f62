using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using Scalar.AspNetCore;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Activities;
using Wenming.Web.Features.Audit;
using Wenming.Web.Features.Dashboards;
using Wenming.Web.Features.Demo;
using Wenming.Web.Features.Honours;
using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Features.Points;
using Wenming.Web.Features.Records;
using Wenming.Web.Features.RedYellowList;
using Wenming.Web.Features.Teams;
using Wenming.Web.Features.Volunteers;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Events;
using Wenming.Web.Infrastructure.Idempotency;
using Wenming.Web.Infrastructure.Operations;
using Wenming.Web.Infrastructure.Problems;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure;

/// <summary>The table of contents of the application: what Program.cs calls.</summary>
internal static class PlatformSetup
{
    public const string SmartScheme = "cookie-or-bearer";
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static void AddPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped<DataScope>();
        services.AddSingleton<DistrictCache>();
        // What DistrictCache holds comes from these; a save that changes one forgets its district's entries.
        services.AddSingleton(sp => new DistrictCache.Invalidation(sp.GetRequiredService<DistrictCache>(), typeof(Unit), typeof(Features.Teams.Team),
            typeof(Platform), typeof(Features.Orders.WorkflowDefinition), typeof(Features.Teams.MenuItem)));
        services.AddScoped<AuditLog>();
        services.AddScoped<ListExport>();
        services.AddOutbox();
        services.AddDatabase(config, builder.Environment.ContentRootPath);
        services.AddHealth();

        services.AddIdentityCore<AppUser>(o =>
            {
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.User.AllowedUserNameCharacters = "0123456789";
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<WenmingClaimsFactory>()
            .AddDefaultTokenProviders();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "cookie or bearer", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(12))
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Accounts/Login";
            o.AccessDeniedPath = "/Accounts/Denied";
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx.HttpContext, ctx.RedirectUri, 401);
            o.Events.OnRedirectToAccessDenied = async ctx =>
            {
                await RefusalAudit.WriteAsync(ctx.HttpContext, ctx.HttpContext.RequestAborted);
                await ApiAware(ctx.HttpContext, ctx.RedirectUri, 403);
            };
        });
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(SmartScheme).RequireAuthenticatedUser().Build());

        services.AddRateLimiter(o =>
        {
            var perMinute = config.GetValue("RateLimits:AuthPerMinute", 30);
            o.RejectionStatusCode = 429;
            // A refusal says so in the user's language and when to try again; nothing of the request was done.
            o.OnRejected = async (ctx, ct) =>
            {
                var retryAfter = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 5;
                ctx.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                // A feature whose clients read errors of their own kind (Open311's GeoReport documents) answers in that kind.
                var path = ctx.HttpContext.Request.Path;
                if (ctx.HttpContext.RequestServices.GetServices<Problems.RefusalWriter>().FirstOrDefault(w => path.StartsWithSegments(w.Prefix)) is { } own)
                {
                    await own.WriteAsync(ctx.HttpContext, 429, retryAfter);
                    return;
                }

                await Problems.Problems.Create(ctx.HttpContext, 429, "too-many-requests", $"请求过于频繁或当前人数较多，请 {retryAfter} 秒后再试", null, retryAfter)
                    .ExecuteAsync(ctx.HttpContext);
            };
            o.AddPolicy("auth", http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1) }));
        });

        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.RequestCultureProviders = [new QueryStringRequestCultureProvider(), new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            if (ctx.ProblemDetails.Type is null || !ctx.ProblemDetails.Type.StartsWith(Problems.Problems.TypePrefix, StringComparison.Ordinal))
            {
                ctx.ProblemDetails.Type = Problems.Problems.TypePrefix + status;
                ctx.ProblemDetails.Title = Problems.Problems.Title(status, english);
            }
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new DistrictTimeJsonConverter()));
        // Chinese pages as Chinese text, not numeric character references: a third of the bytes on a cheap phone.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddLightPages();
        services.AddApiDocument();
        services.AddRazorPages(o => o.RootDirectory = "/Features").AddViewLocalization();
        services.AddAntiforgery();

        services.AddSingleton(sp => Infrastructure.PersonalData.PersonalDataProtector.FromConfiguration(config, builder.Environment));
        services.AddSingleton<Infrastructure.Files.IFileStore>(new Infrastructure.Files.LocalFileStore(
            config["Files:Root"] ?? Path.Combine(builder.Environment.ContentRootPath, "data", "files")));
        services.AddAccounts().AddOrganization().AddVolunteers().AddTeams().AddOrders().AddActivities().AddRecords().AddHonours().AddPoints().AddRedYellowList().AddDashboards().AddScoped<AuditQueries>().AddScoped<DemoSeeder>().AddScoped<DemoPeopleSeeder>().AddScoped<DemoRecords>().AddScoped<DemoHonours>().AddScoped<DemoShop>().AddScoped<DemoConduct>()
            .AddScoped<Features.Home.HomeFigures>();
    }

    public static void UsePlatform(this WebApplication app)
    {
        app.UseSecurityHeaders();
        // Localization first: problem details written on the way out must see the user's language.
        app.UseRequestLocalization();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseLightPages();
        app.UseRouting();
        // An /api path no endpoint serves, signed in or not: a problem document before the fallback policy would ask for a
        // sign-in. (A path served in another method or content type keeps routing's 405 or 415.)
        app.Use((http, next) => http.GetEndpoint() is null && http.Request.Path.StartsWithSegments("/api")
            ? Problems.Problems.Create(http, 404, "no-such-api", "没有这个接口，接口列表见 /api/docs").ExecuteAsync(http)
            : next(http));
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseDataScope();
        app.UseRefusalAudit();
        app.UseIdempotency();
        app.UseAuthorization();
        app.UseJsonBodyCheck();
        app.UseAntiforgery();
    }

    public static void MapFeatures(this WebApplication app)
    {
        app.MapHealth();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("文明实践云平台 API").DisableDefaultFonts()).AllowAnonymous();
        app.MapAccounts();
        app.MapCultureSwitch();
        app.MapElderlyMode();
        app.MapOrganization();
        app.MapAudit();
        app.MapVolunteers();
        app.MapTeams();
        app.MapOrders();
        app.MapActivities();
        app.MapRecords();
        app.MapHonours();
        app.MapPoints();
        app.MapRedYellowList();
        app.MapDashboards();
        app.MapAssessments();
        app.MapRazorPages();
    }

    /// <summary>Applies migrations and, on an empty database, seeds the demo districts.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.MigrateAsync();
        if (app.Configuration.GetValue("Demo:Seed", true) && !await db.Districts.AnyAsync())
        {
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<DemoRecords>().SeedAsync(CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<DemoHonours>().SeedAsync(CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<DemoShop>().SeedAsync(CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<DemoConduct>().SeedAsync(CancellationToken.None);
        }

        var urls = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : app.Configuration["urls"] ?? "http://127.0.0.1:5080";
        app.Logger.LogInformation("文明实践云平台 Wenming is starting on {Urls}. Demo accounts (password {Password}) are listed in README.md, e.g. center admin 13801000000.",
            urls, DemoSeeder.Password);
    }

    /// <summary>
    /// Machine clients get the status (problem details are written on the way out), people the sign-in page. Open311 is a
    /// machine's path too: its query holds the partner's api_key, which a redirect would copy into a URL.
    /// </summary>
    private static Task ApiAware(HttpContext http, string redirectUri, int status)
    {
        if (http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments(Features.Orders.Open311.Open311Endpoints.Prefix))
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        http.Response.Redirect(redirectUri);
        return Task.CompletedTask;
    }
}
