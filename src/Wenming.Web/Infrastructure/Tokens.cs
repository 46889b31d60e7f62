using System.Security.Cryptography;
using System.Text;

namespace Wenming.Web.Infrastructure;

/// <summary>
/// Secrets handed to people (partner keys, SMS links, calendar feeds, SMS codes): drawn from the system's secure generator,
/// shown once, kept only as a hash.
/// </summary>
internal static class Tokens
{
    /// <summary><paramref name="bytes"/> random bytes in URL-safe characters, safe in a path, a query string or a form field.</summary>
    public static string New(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>The hash a token is kept and looked up by.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
