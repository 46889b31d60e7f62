using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Idempotency;

/// <summary>
/// Every state-changing API call (POST, PUT) honours an Idempotency-Key header: the first request runs and its response
/// is kept for 24 hours; a retry with the same key and the same request gets that response again, with no second
/// effect; the same key with a different request answers 422; a retry while the first still runs answers 409.
/// Keys belong to the signed-in person, so two people never collide; an Open311 partner's to its api_key.
/// </summary>
/// <summary>
/// Marks an endpoint whose answer carries personal data (a reveal, one's own full record): a replay gives back the
/// status and location only, so no personal data is ever kept in the idempotency store.
/// </summary>
internal sealed class PersonalDataResponse;

internal static class IdempotencyMiddleware
{
    public const string Header = "Idempotency-Key";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var key = http.Request.Headers[Header].ToString();
            // Open311 partners file requests by form POST: their keys belong to the partner's api_key, as a person's to them.
            var partner = HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType
                                                                 && (http.Request.Path.Value ?? "").StartsWith("/open311/v2/requests.", StringComparison.OrdinalIgnoreCase);
            if (key.Length == 0 || !(HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method))
                || !(http.Request.Path.StartsWithSegments("/api/v1") || partner))
            {
                await next(http);
                return;
            }

            var scope = http.RequestServices.GetRequiredService<DataScope>();
            var scopes = http.RequestServices.GetRequiredService<IServiceScopeFactory>();
            http.Request.EnableBuffering();
            var owner = partner && key.Length <= 100 ? await PartnerAsync(http, scopes) : scope.UserId;
            if (key.Length > 100 || owner is not { } userId)
            {
                // Anonymous calls (sign-in) are not replayed: a token must never be handed out twice from storage.
                if (key.Length > 100)
                {
                    await Problems.Problems.Create(http, 400, "idempotency-key-invalid", "Idempotency-Key 不能超过 100 个字符").ExecuteAsync(http);
                    return;
                }

                await next(http);
                return;
            }

            var hash = Convert.ToHexString(await SHA256.HashDataAsync(http.Request.Body, http.RequestAborted));
            http.Request.Body.Position = 0;
            var request = $"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}";
            if (request.Length > 300)
            {
                request = request[..300];
            }

            var clock = http.RequestServices.GetRequiredService<TimeProvider>();
            var (existing, id) = await ReserveAsync(scopes, userId, key, request, hash, clock.GetUtcNow(), http.RequestAborted);
            if (existing is not null)
            {
                await ReplayAsync(http, existing, request, hash);
                return;
            }

            var original = http.Response.Body;
            await using var captured = new MemoryStream();
            http.Response.Body = captured;
            try
            {
                await next(http);
            }
            catch (Exception e)
            {
                http.Response.Body = original;
                // A refusal thrown as an exception changed nothing, so the key is freed for a corrected retry. Anything
                // else (a dropped connection after the save, a crash) leaves the outcome unknown: the key stays taken.
                await FinishAsync(scopes, id, null, [], unknown: e is not (Data.DomainException or Problems.AccessDeniedException
                    or Problems.NotVisibleException or Problems.InputException or BadHttpRequestException));
                throw;
            }
            finally
            {
                http.Response.Body = original;
            }

            var keepBody = http.GetEndpoint()?.Metadata.GetMetadata<PersonalDataResponse>() is null;
            // An endpoint that answers its exceptions itself (Open311's error documents) says what they were.
            var outcome = http.Items[OutcomeItem] as string;
            await FinishAsync(scopes, id, outcome == Refused ? null : http.Response, keepBody ? captured.ToArray() : [], unknown: outcome == Unknown);
            captured.Position = 0;
            await captured.CopyToAsync(original, CancellationToken.None);
        });

    private const string OutcomeItem = "idempotency-outcome", Refused = "refused", Unknown = "unknown";

    /// <summary>
    /// For an endpoint that turns its own exceptions into answers: a refusal (nothing changed) frees the key for a corrected
    /// retry, as a refusal thrown through this middleware does; any other failure leaves the outcome unknown.
    /// </summary>
    public static void Answered(HttpContext http, bool refused) => http.Items[OutcomeItem] = refused ? Refused : Unknown;

    /// <summary>
    /// The partner key a form POST carries (its id), or null when it carries none that is in use: the resource then refuses
    /// it in the spec's own words. The form stays read for the endpoint, and the body is rewound for the hash.
    /// </summary>
    private static async Task<Guid?> PartnerAsync(HttpContext http, IServiceScopeFactory scopes)
    {
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            // A malformed form: the resource refuses it in the spec's words (it reads the form again and fails the same way).
            return null;
        }
        finally
        {
            http.Request.Body.Position = 0;
        }

        // The api_key may come in the query string too, as the resource reads it.
        var apiKey = form["api_key"] is { Count: > 0 } inForm && inForm.ToString().Trim().Length > 0 ? inForm.ToString() : http.Request.Query["api_key"].ToString();
        if (apiKey.Trim().Length == 0)
        {
            return null;
        }

        await using var own = scopes.CreateAsyncScope();
        own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var hash = Tokens.Hash(apiKey.Trim());
        return await own.ServiceProvider.GetRequiredService<AppDbContext>().Set<Features.Orders.Open311Key>().IgnoreQueryFilters()
            .Where(k => k.KeyHash == hash && k.RevokedAt == null).Select(k => (Guid?)k.Id).FirstOrDefaultAsync(http.RequestAborted);
    }

    /// <summary>Claims the key for this request, or returns the record of the request that claimed it first.</summary>
    private static async Task<(IdempotencyRecord? Existing, Guid Id)> ReserveAsync(IServiceScopeFactory scopes, Guid userId, string key,
        string request, string hash, DateTimeOffset now, CancellationToken ct)
    {
        await using var own = scopes.CreateAsyncScope();
        own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = own.ServiceProvider.GetRequiredService<AppDbContext>();
        var expired = now - Lifetime;
        await db.Set<IdempotencyRecord>().Where(r => r.CreatedAt < expired).ExecuteDeleteAsync(ct);
        var existing = await db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.Key == key, ct);
        if (existing is not null)
        {
            return (existing, existing.Id);
        }

        var record = new IdempotencyRecord(Ids.New(), userId, key, request, hash, now);
        db.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
            return (null, record.Id);
        }
        catch (DbUpdateException)
        {
            // Another request with the same key won the race by a hair.
            db.ChangeTracker.Clear();
            var winner = await db.Set<IdempotencyRecord>().AsNoTracking().FirstAsync(r => r.UserId == userId && r.Key == key, ct);
            return (winner, winner.Id);
        }
    }

    private static async Task ReplayAsync(HttpContext http, IdempotencyRecord existing, string request, string hash)
    {
        if (existing.Request != request || existing.RequestHash != hash)
        {
            await Problems.Problems.Create(http, 422, "idempotency-key-reused", "该 Idempotency-Key 已用于另一个请求，请换一个新的键").ExecuteAsync(http);
            return;
        }

        if (existing.StatusCode is not { } status)
        {
            await Problems.Problems.Create(http, 409, "idempotency-in-progress", "相同的请求正在处理中，请稍后再查看结果").ExecuteAsync(http);
            return;
        }

        if (status == 0)
        {
            await Problems.Problems.Create(http, 409, "idempotency-outcome-unknown", "上次使用该键的请求结果未知：请先查看数据是否已保存，再用新的键重试").ExecuteAsync(http);
            return;
        }

        http.Response.StatusCode = status;
        http.Response.Headers["Idempotent-Replayed"] = "true";
        if (existing.ContentType is not null)
        {
            http.Response.ContentType = existing.ContentType;
        }

        if (existing.Location is not null)
        {
            http.Response.Headers.Location = existing.Location;
        }

        await http.Response.Body.WriteAsync(existing.Body ?? []);
    }

    /// <summary>Keeps the outcome; a server error frees the key so the caller can retry for real.</summary>
    private static async Task FinishAsync(IServiceScopeFactory scopes, Guid id, HttpResponse? response, byte[] body, bool unknown)
    {
        await using var own = scopes.CreateAsyncScope();
        own.ServiceProvider.GetRequiredService<DataScope>().EnterSystem();
        var db = own.ServiceProvider.GetRequiredService<AppDbContext>();
        var record = await db.Set<IdempotencyRecord>().FirstAsync(r => r.Id == id);
        if (unknown)
        {
            record.Complete(0, null, null, []);
        }
        else if (response is null || response.StatusCode >= 500)
        {
            db.Remove(record);
        }
        else
        {
            record.Complete(response.StatusCode, response.ContentType, response.Headers.Location.ToString() is { Length: > 0 } l ? l : null, body);
        }

        await db.SaveChangesAsync();
    }
}
