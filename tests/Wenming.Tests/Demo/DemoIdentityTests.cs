using Wenming.Web.Features.Demo;
using Wenming.Web.Features.Volunteers;

namespace Wenming.Tests.Demo;

public sealed class DemoIdentityTests
{
    /// <summary>The seeder's own people per district: its volunteers and the two demo accounts that are volunteers too.</summary>
    private const int DemoVolunteers = 2;

    [Fact]
    public void At_full_scale_every_generated_volunteer_has_a_valid_ID_number_and_a_mobile_no_one_else_has()
    {
        var ids = new HashSet<string>();
        var phones = new HashSet<string>();
        var people = 0;
        foreach (var district in DemoDistrictData.All)
        {
            for (var n = 0; n < DemoPeopleSeeder.FullScale[district.Code].Volunteers + DemoVolunteers; n++)
            {
                var person = DemoIdentities.For(district, n);
                Assert.True(IdNumbers.IsValidResidentId(person.IdNumber, out var birth), person.IdNumber);
                Assert.Equal(person.Birth, birth);
                Assert.StartsWith(district.Code, person.IdNumber, StringComparison.Ordinal);
                Assert.Equal((person.IdNumber[16] - '0') % 2 == 1 ? Gender.Male : Gender.Female, person.Gender);
                Assert.Matches("^1[3-9][0-9]{9}$", person.Phone);
                Assert.True(ids.Add(person.IdNumber), $"{person.IdNumber} twice");
                Assert.True(phones.Add(person.Phone), $"{person.Phone} twice");
                people++;
            }
        }

        Assert.Equal(DemoPeopleSeeder.FullScale.Values.Sum(v => v.Volunteers) + DemoVolunteers * DemoDistrictData.All.Count, people);
    }

    [Fact]
    public void The_same_district_and_number_give_the_same_person()
    {
        var haidian = DemoDistrictData.All.Single(d => d.Code == "110108");
        Assert.Equal(DemoIdentities.For(haidian, 99_999), DemoIdentities.For(haidian, 99_999));
        Assert.NotEqual(DemoIdentities.For(haidian, 99_999), DemoIdentities.For(haidian, 99_998));
    }
}
