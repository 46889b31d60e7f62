using System.Text.RegularExpressions;

namespace Wenming.Web.Features.Accounts;

internal static partial class Phones
{
    /// <summary>Mainland mobile numbers, with spaces, dashes or +86 tolerated: people type them every way.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        var digits = new string([.. input.Where(char.IsAsciiDigit)]);
        if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        return Mobile().IsMatch(digits) ? digits : null;
    }

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex Mobile();
}
