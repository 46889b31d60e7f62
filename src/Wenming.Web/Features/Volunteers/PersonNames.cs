using System.Globalization;
using System.Text;

namespace Wenming.Web.Features.Volunteers;

/// <summary>
/// What a person's real name may be, wherever one is entered (registration, the API, an import, a contact's name): letters
/// of any script (汉字 with the rare ones beyond the basic plane, Tibetan, Uyghur, Latin) with their combining marks, and
/// between words the separators names use: the middle dot of minority and foreign names (阿依古丽·买买提, also written ・ or •),
/// a space, a hyphen, an apostrophe, a full stop. Never an emoji, a digit or another symbol: a certificate prints it.
/// </summary>
internal static class PersonNames
{
    public const int MinLength = 2;
    public const int MaxLength = 50;

    public const string Rule = "请填写 2 到 50 个字的真实姓名：汉字或字母，少数民族和外国姓名可用间隔号“·”，不能含表情、数字或其他符号";

    public static bool IsValid(string? name)
    {
        name = name?.Trim() ?? "";
        var length = new StringInfo(name).LengthInTextElements;
        if (length is < MinLength or > MaxLength)
        {
            return false;
        }

        var previousWasSeparator = true; // a name starts with a letter
        var previous = default(Rune);
        foreach (var rune in name.EnumerateRunes())
        {
            if (IsSeparator(rune))
            {
                // One separator between words; an initial's full stop may be followed by a space (J. Smith).
                if (previousWasSeparator && !(previous.Value == '.' && rune.Value == ' '))
                {
                    return false;
                }

                previousWasSeparator = true;
                previous = rune;
                continue;
            }

            previous = rune;

            var category = Rune.GetUnicodeCategory(rune);
            var letter = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;
            var mark = category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (!letter && !(mark && !previousWasSeparator) || IsVariationSelector(rune))
            {
                return false;
            }

            previousWasSeparator = false;
        }

        return !previousWasSeparator;
    }

    private static bool IsSeparator(Rune rune) => rune.Value is '·' or '・' or '•' or '．' or ' ' or '-' or '\'' or '.';

    /// <summary>Emoji presentation selectors are marks by category, never part of a name.</summary>
    private static bool IsVariationSelector(Rune rune) => rune.Value is >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF;
}
