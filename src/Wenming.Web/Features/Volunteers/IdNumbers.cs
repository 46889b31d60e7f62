using System.Globalization;

namespace Wenming.Web.Features.Volunteers;

/// <summary>The kinds of identity document a volunteer may register with.</summary>
internal enum IdType
{
    /// <summary>居民身份证: 18 characters, checked against GB 11643.</summary>
    ResidentId = 1,
    Passport = 2,
    HongKongMacaoPermit = 3,
    TaiwanPermit = 4,
    ForeignPermanentResident = 5,
    Other = 9,
}

internal static class IdNumbers
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    public static string Normalize(string input) => input.Trim().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>GB 11643-1999: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character.</summary>
    public static bool IsValidResidentId(string id, out DateOnly birthDate)
    {
        birthDate = default;
        if (id.Length != 18 || !id[..17].All(char.IsAsciiDigit) || !(char.IsAsciiDigit(id[17]) || id[17] == 'X'))
        {
            return false;
        }

        if (!DateOnly.TryParseExact(id.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out birthDate)
            || birthDate.Year < 1900)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (id[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11] == id[17];
    }

    /// <summary>The check character a 17-digit body needs (for generating valid demo and test numbers).</summary>
    public static char CheckCharacter(string body17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (body17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>5001**********1234: enough to recognise a number one already knows, not to learn it.</summary>
    public static string Mask(string id) =>
        id.Length <= 8 ? new string('*', id.Length) : id[..4] + new string('*', id.Length - 8) + id[^4..];
}
