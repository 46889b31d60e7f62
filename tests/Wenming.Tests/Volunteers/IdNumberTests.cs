using Wenming.Web.Features.Volunteers;

namespace Wenming.Tests.Volunteers;

public sealed class IdNumberTests
{
    [Theory]
    [InlineData("11010519491231002X", "1949-12-31")] // the standard's own example
    [InlineData("530402199003071235", null)]         // wrong check digit (4 is right)
    [InlineData("11010519491231002", null)]           // 17 characters
    [InlineData("110105194913310028", null)]          // month 13
    [InlineData("11010519491231002Y", null)]          // check character is never Y
    public void Resident_ID_numbers_are_checked_against_GB_11643(string id, string? birth)
    {
        var valid = IdNumbers.IsValidResidentId(id, out var date);
        if (birth is null)
        {
            Assert.False(valid);
        }
        else
        {
            Assert.True(valid);
            Assert.Equal(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture), date);
        }
    }

    [Fact]
    public void The_check_character_makes_any_body_valid()
    {
        const string body = "53040219900307123";
        Assert.True(IdNumbers.IsValidResidentId(body + IdNumbers.CheckCharacter(body), out _));
    }

    [Fact]
    public void Masking_keeps_the_first_and_last_four()
    {
        Assert.Equal("5304**********123X", IdNumbers.Mask("53040219900307123X"));
    }
}
