using System.Data.Common;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Web.Infrastructure.Idempotency;

/// <summary>
/// Marks an endpoint whose answer carries personal data (a reveal, one's own full record): a replay gives back the
/// status and location only, so no personal data is ever kept in the idempotency store.
/// </summary>
internal sealed class PersonalDataResponse;

/// <summary>
/// Marks an endpoint whose callers are not signed-in people but are authenticated by <paramref name="Scheme"/> (an Open311
/// partner by its api_key): Idempotency-Keys belong to that principal.
/// </summary>
internal sealed record IdempotencyOwner(string Scheme);

/// <summary>
/// Every state-changing API call (POST, PUT) honours an Idempotency-Key header: the first request runs and its response
/// is kept for 24 hours; a retry with the same key and the same request gets that response again, with no second
/// effect; the same key with a different request answers 422; a retry while the first still runs answers 409.
/// Keys belong to the signed-in person, so two people never collide; an Open311 partner's to its api_key.
/// The answer commits in one transaction with what the request wrote, or neither does (docs/adr/0008): after a crash,
/// a key replays its answer or, once its claim's lease ran out, runs again.
/// </summary>
internal static class IdempotencyMiddleware
{
    public const string Header = "Idempotency-Key";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a claim holds without an answer unless <c>Idempotency:LeaseSeconds</c> says otherwise: as long as a retry
    /// waits for the key of a request whose process died. A request that runs longer keeps its key unless a retry comes
    /// after that; the retry then runs instead, and the first one's writes roll back.
    /// </summary>
    public const int DefaultLeaseSeconds = 60;

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app)
    {
        var lease = TimeSpan.FromSeconds(app.ApplicationServices.GetRequiredService<IConfiguration>().GetValue("Idempotency:LeaseSeconds", DefaultLeaseSeconds));
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdempotencyMiddleware));
        return app.Use(async (http, next) =>
        {
            var key = http.Request.Headers[Header].ToString();
            // Whose keys these are: the signed-in person's, or the principal of the scheme the endpoint names (a partner's key).
            var ownerScheme = http.GetEndpoint()?.Metadata.GetMetadata<IdempotencyOwner>();
            if (key.Length == 0 || !(HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method))
                || !(http.Request.Path.StartsWithSegments("/api/v1") || ownerScheme is not null))
            {
                await next(http);
                return;
            }

            if (key.Length > 100)
            {
                await Problems.Problems.Create(http, 400, "idempotency-key-invalid", "Idempotency-Key 不能超过 100 个字符").ExecuteAsync(http);
                return;
            }

            http.Request.EnableBuffering();
            var owner = ownerScheme is null ? http.RequestServices.GetRequiredService<DataScope>().UserId : await OwnerAsync(http, ownerScheme.Scheme);
            if (owner is not { } userId)
            {
                // Anonymous calls (sign-in) are not replayed: a token must never be handed out twice from storage.
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
            // The request's own unit of work: the reservation commits on its own before the request runs; the answer is
            // written in the transaction of the request's writes and commits with them.
            var db = http.RequestServices.GetRequiredService<AppDbContext>();
            var (existing, id) = await ReserveAsync(db, userId, key, request, hash, clock.GetUtcNow(), lease, http.RequestAborted);
            if (existing is not null)
            {
                await ReplayAsync(http, existing, request, hash);
                return;
            }

            var original = http.Response.Body;
            await using var captured = new MemoryStream();
            http.Response.Body = captured;
            var deferred = new DeferredCommit();
            db.Deferred = deferred;
            try
            {
                try
                {
                    await next(http);
                }
                catch
                {
                    // Whatever failed, the request's writes roll back: nothing of it stays, so the key is free for a retry.
                    await FreeAsync(db, id, logger);
                    throw;
                }
                finally
                {
                    http.Response.Body = original;
                }

                if (http.Items.ContainsKey(FailedItem) || http.Response.StatusCode >= 500)
                {
                    // A failure the endpoint answered itself (Open311's error documents), or a server error: as an exception.
                    await FreeAsync(db, id, logger);
                }
                else if (!await CompleteAsync(db, id, http.Response,
                             http.GetEndpoint()?.Metadata.GetMetadata<PersonalDataResponse>() is null ? captured.ToArray() : []))
                {
                    // A retry took the key over once the lease ran out: its run is the one that counts, and this one's writes
                    // were rolled back.
                    http.Response.Clear();
                    await Problems.Problems.Create(http, 409, "idempotency-in-progress", "相同的请求正在处理中，请稍后再查看结果").ExecuteAsync(http);
                    return;
                }
                else
                {
                    await AfterCommitAsync(http, deferred, logger);
                }
            }
            finally
            {
                db.Deferred = null;
            }

            captured.Position = 0;
            await captured.CopyToAsync(original, CancellationToken.None);
        });
    }

    private const string FailedItem = "idempotency-failed";

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private static long _nextSweep;

    /// <summary>
    /// For an endpoint that turns its own exceptions into answers (Open311's error documents): what the request wrote rolls
    /// back and the key is free for the retry, as after an exception through this middleware.
    /// </summary>
    public static void Failed(HttpContext http) => http.Items[FailedItem] = true;

    /// <summary>The owner of the keys an endpoint's callers send, as the scheme it names authenticates them (none: not replayed).</summary>
    private static async Task<Guid?> OwnerAsync(HttpContext http, string scheme)
    {
        var result = await http.AuthenticateAsync(scheme);
        return result.Succeeded && Guid.TryParse(result.Principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
    }

    /// <summary>
    /// Claims the key for this request (committed at once), or returns the record of the request that claimed it first. A
    /// claim whose lease ran out without an answer is taken over: its request's process is gone (a crash rolled back its
    /// writes with its answer), or, if it still runs, its answer will not find its record, and its writes roll back.
    /// </summary>
    private static async Task<(IdempotencyRecord? Existing, Guid Id)> ReserveAsync(AppDbContext db, Guid userId, string key,
        string request, string hash, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        var expired = now - Lifetime;
        var records = db.Set<IdempotencyRecord>();
        // Records past their 24 hours go in a sweep now and then, not on every request: on SQLite every DELETE takes the one
        // write lock, even when it deletes nothing. The key at hand is looked at below.
        var due = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextSweep, now.UtcTicks + SweepInterval.Ticks, due) == due)
        {
            await records.Where(r => r.CreatedAt < expired).ExecuteDeleteAsync(ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            var existing = await records.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == userId && r.Key == key, ct);
            if (existing is not null && existing.CreatedAt < expired && attempt < 3)
            {
                await records.Where(r => r.Id == existing.Id).ExecuteDeleteAsync(ct);
                continue;
            }

            if (existing is { StatusCode: null } && existing.LockedUntil < now && existing.Request == request && existing.RequestHash == hash
                && attempt < 3)
            {
                // Of several retries, the one whose delete finds the stale claim still there takes the key; the others find its claim.
                await records.Where(r => r.Id == existing.Id && r.StatusCode == null && r.LockedUntil < now).ExecuteDeleteAsync(ct);
                continue;
            }

            if (existing is not null)
            {
                return (existing, existing.Id);
            }

            var record = new IdempotencyRecord(Ids.New(), userId, key, request, hash, now, now + lease);
            db.Add(record);
            try
            {
                await db.SaveChangesAsync(ct);
                return (null, record.Id);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another request with the same key won the race by a hair: read its claim.
            }
            finally
            {
                // The request's unit of work tracks only what the request itself changes.
                db.Entry(record).State = EntityState.Detached;
            }
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

    /// <summary>
    /// Keeps the answer with the request's writes: in their transaction, then committed (on its own when the request wrote
    /// nothing). False, and the writes rolled back, when the claim is no longer this request's.
    /// </summary>
    private static async Task<bool> CompleteAsync(AppDbContext db, Guid id, HttpResponse response, byte[] body)
    {
        db.Deferred = null;
        var status = response.StatusCode;
        var contentType = response.ContentType;
        var location = response.Headers.Location.ToString() is { Length: > 0 } l ? l : null;
        var updated = await db.Set<IdempotencyRecord>().Where(r => r.Id == id && r.StatusCode == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.StatusCode, status).SetProperty(r => r.ContentType, contentType)
                .SetProperty(r => r.Location, location).SetProperty(r => r.Body, body), CancellationToken.None);
        if (db.Database.CurrentTransaction is null)
        {
            return updated == 1;
        }

        if (updated != 1)
        {
            await db.Database.RollbackTransactionAsync(CancellationToken.None);
            return false;
        }

        // Between the request's first write and here, only its answer was rendered: SQLite's write lock is held no longer.
        await db.Database.CommitTransactionAsync(CancellationToken.None);
        return true;
    }

    /// <summary>Rolls back what the request wrote and frees the key. If that fails too, the claim's lease frees it.</summary>
    private static async Task FreeAsync(AppDbContext db, Guid id, ILogger logger)
    {
        db.Deferred = null;
        if (db.Database.CurrentTransaction is not null)
        {
            await db.RollbackAfterFailureAsync();
        }

        try
        {
            await db.Set<IdempotencyRecord>().Where(r => r.Id == id && r.StatusCode == null).ExecuteDeleteAsync(CancellationToken.None);
        }
        catch (DbException e)
        {
            logger.LogWarning(e, "Idempotency claim {Id} stays until its lease runs out", id);
        }
    }

    /// <summary>The messages about what the request saved; the answer is kept already, so a failure is logged, not returned.</summary>
    private static async Task AfterCommitAsync(HttpContext http, DeferredCommit deferred, ILogger logger)
    {
        foreach (var work in deferred.AfterCommit)
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException)
            {
                // The caller left; its answer is kept for its retry.
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Method} {Path} is saved, but a message about it failed", http.Request.Method, http.Request.Path);
            }
        }
    }
}
