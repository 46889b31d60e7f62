using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Features.Accounts;

/// <summary>The outcome of a sign-in attempt: the person, or the reason in both languages' code.</summary>
internal sealed record SignInOutcome(AppUser? User, int Status = 200, string? Code = null, string? Message = null)
{
    public bool Succeeded => User is not null;
}

/// <summary>Phone + password and phone + SMS code, for the web form and the API alike. Every attempt is audited.</summary>
internal sealed class SignIn(
    UserManager<AppUser> users,
    SignInManager<AppUser> signIns,
    AppDbContext db,
    ISmsSender sms,
    AuditLog audit,
    TimeProvider clock)
{
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CodeInterval = TimeSpan.FromSeconds(60);

    public async Task<SignInOutcome> WithPasswordAsync(string? phoneInput, string? password, CancellationToken ct)
    {
        var phone = Phones.Normalize(phoneInput);
        if (phone is null || string.IsNullOrEmpty(password))
        {
            return new(null, 400, "login-invalid-input", "请输入正确的手机号和密码");
        }

        var user = await users.FindByNameAsync(phone);
        if (user is null)
        {
            await audit.WriteNowAsync("login.failed", "user", null, detail: "unknown phone", phone: phone, ct: ct);
            return Failed();
        }

        var result = await signIns.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            await audit.WriteNowAsync("login.locked", "user", user.Id.ToString(), districtId: user.DistrictId, userId: user.Id, phone: phone, ct: ct);
            return new(null, 429, "login-locked", "密码错误次数过多，账号已临时锁定，请 5 分钟后再试或用短信验证码登录");
        }

        if (!result.Succeeded)
        {
            await audit.WriteNowAsync("login.failed", "user", user.Id.ToString(), detail: "password", districtId: user.DistrictId, userId: user.Id, phone: phone, ct: ct);
            return Failed();
        }

        await audit.WriteNowAsync("login", "user", user.Id.ToString(), detail: "password", districtId: user.DistrictId, userId: user.Id, phone: phone, ct: ct);
        return new(user);
    }

    public async Task<SignInOutcome> SendCodeAsync(string? phoneInput, CancellationToken ct)
    {
        var phone = Phones.Normalize(phoneInput);
        if (phone is null)
        {
            return new(null, 400, "phone-invalid", "请输入正确的 11 位手机号");
        }

        var now = clock.GetUtcNow();
        var since = now - CodeInterval;
        if (await db.SmsCodes.AnyAsync(c => c.Phone == phone && c.CreatedAt > since, ct))
        {
            return new(null, 429, "sms-too-frequent", "验证码发送过于频繁，请 60 秒后再试");
        }

        var user = await users.FindByNameAsync(phone);
        // Unknown numbers get the same answer, so the endpoint does not tell who has an account.
        if (user is not null)
        {
            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            db.SmsCodes.Add(new SmsCode(Ids.New(), phone, code, now, CodeLifetime));
            await db.SaveChangesAsync(ct);
            await sms.SendAsync(phone, $"【文明实践】您的登录验证码是 {code}，5 分钟内有效。如非本人操作请忽略。", ct);
        }

        return new(null, 202);
    }

    public async Task<SignInOutcome> WithCodeAsync(string? phoneInput, string? code, CancellationToken ct)
    {
        var phone = Phones.Normalize(phoneInput);
        if (phone is null || string.IsNullOrWhiteSpace(code))
        {
            return new(null, 400, "login-invalid-input", "请输入正确的手机号和验证码");
        }

        var now = clock.GetUtcNow();
        var latest = await db.SmsCodes.Where(c => c.Phone == phone && c.UsedAt == null)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        var user = await users.FindByNameAsync(phone);
        if (latest is null || user is null || !latest.TryUse(code, now))
        {
            if (latest is not null)
            {
                await db.SaveChangesAsync(ct);
            }

            await audit.WriteNowAsync("login.failed", "user", user?.Id.ToString(), detail: "sms", districtId: user?.DistrictId, userId: user?.Id, phone: phone, ct: ct);
            return new(null, 401, "sms-code-wrong", "验证码错误或已过期");
        }

        await db.SaveChangesAsync(ct);
        await audit.WriteNowAsync("login", "user", user.Id.ToString(), detail: "sms", districtId: user.DistrictId, userId: user.Id, phone: phone, ct: ct);
        return new(user);
    }

    private static SignInOutcome Failed() => new(null, 401, "login-failed", "手机号或密码错误");
}
