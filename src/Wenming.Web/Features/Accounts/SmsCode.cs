using System.Security.Cryptography;
using System.Text;

namespace Wenming.Web.Features.Accounts;

/// <summary>A one-time sign-in code sent by SMS. Only its hash is stored; it dies after use, expiry or five wrong tries.</summary>
internal sealed class SmsCode
{
    public const int MaxAttempts = 5;

    private SmsCode()
    {
    }

    public SmsCode(Guid id, string phone, string code, DateTimeOffset now, TimeSpan lifetime)
    {
        Id = id;
        Phone = phone;
        CodeHash = Hash(phone, code);
        CreatedAt = now;
        ExpiresAt = now + lifetime;
    }

    public Guid Id { get; private set; }
    public string Phone { get; private set; } = "";
    public string CodeHash { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? UsedAt { get; private set; }

    public bool TryUse(string code, DateTimeOffset now)
    {
        if (UsedAt is not null || now >= ExpiresAt || Attempts >= MaxAttempts)
        {
            return false;
        }

        Attempts++;
        var given = Hash(Phone, code.Trim());
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(CodeHash)))
        {
            return false;
        }

        UsedAt = now;
        return true;
    }

    private static string Hash(string phone, string code) =>
        Infrastructure.Tokens.Hash(phone + ":" + code);
}
