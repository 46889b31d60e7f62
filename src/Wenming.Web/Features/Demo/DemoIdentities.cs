using System.Globalization;
using Wenming.Web.Features.Volunteers;

namespace Wenming.Web.Features.Demo;

/// <summary>Who a generated demo volunteer is: a valid resident ID number, the birth date and gender it encodes, and a mobile.</summary>
internal sealed record DemoIdentity(string IdNumber, DateOnly Birth, Gender Gender, string Phone);

/// <summary>
/// The ID numbers and mobiles of a demo district's generated volunteers. Person <c>n</c> of a district is a pure function
/// of the district and <c>n</c>, so a seed is the same every time and a tool that tops a district up (the matching
/// bench) continues where the seeder stopped without meeting its people. Distinct within a district up to
/// <see cref="MaxPerDistrict"/>, and across districts: the ID number starts with the division code, the mobile with the
/// district's number.
/// </summary>
internal static class DemoIdentities
{
    /// <summary>Born 1950-01-01 to 2005-12-31: adults in the demo's year.</summary>
    private static readonly DateOnly FirstBirth = new(1950, 1, 1);

    private static readonly int BirthDays = new DateOnly(2006, 1, 1).DayNumber - FirstBirth.DayNumber;

    /// <summary>Each birth date with each of the 1,000 sequence codes (GB 11643's order code, odd for men).</summary>
    private static readonly long Slots = BirthDays * 1_000L;

    /// <summary>
    /// A prime above <see cref="Slots"/>, hence coprime with it: <c>n → (n × Stride + offset) mod Slots</c> is then a
    /// permutation of the slots, which spreads consecutive people over birth dates and sequence codes without repeats.
    /// </summary>
    private const long Stride = 2_147_483_647;

    /// <summary>Fewer than the ID numbers' slots and than the mobiles' eight free digits.</summary>
    public const int MaxPerDistrict = 20_000_000;

    public static DemoIdentity For(DemoDistrict district, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, MaxPerDistrict);
        var slot = (n * Stride + district.Number * 7_919L) % Slots;
        var birth = FirstBirth.AddDays((int)(slot / 1_000));
        var sequence = (int)(slot % 1_000);
        var body = string.Create(CultureInfo.InvariantCulture, $"{district.Code}{birth:yyyyMMdd}{sequence:D3}");
        return new DemoIdentity(body + IdNumbers.CheckCharacter(body), birth, sequence % 2 == 1 ? Gender.Male : Gender.Female,
            string.Create(CultureInfo.InvariantCulture, $"15{district.Number}{n:D8}"));
    }
}
