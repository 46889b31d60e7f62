using System.Net;
using System.Net.Http.Json;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Accounts;

namespace Wenming.Tests.Accounts;

/// <summary>长辈版 as a setting of the account, through the API; who is offered it.</summary>
public sealed class ElderlyModeApiTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    /// <summary>Kaizhou's demo resident: the page tests use Hongta's and Ledu's.</summary>
    private const int Kaizhou = 3;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_person_chooses_the_elderly_mode_for_their_account_and_me_says_so(string provider)
    {
        var host = TestHosts.Get(provider);
        var client = await host.ClientAsAsync(TestHost.Phone(Kaizhou, "20"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await client.GetJsonAsync("/api/v1/me")).GetProperty("elderlyMode").ValueKind);

        using (var on = await client.PutAsJsonAsync("/api/v1/me/elderly-mode", new { on = true }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            Assert.True((await on.JsonAsync()).GetProperty("elderlyMode").GetBoolean());
        }

        Assert.True((await client.GetJsonAsync("/api/v1/me")).GetProperty("elderlyMode").GetBoolean());
        using (var empty = await client.PutAsJsonAsync("/api/v1/me/elderly-mode", new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        }

        using (var off = await client.PutAsJsonAsync("/api/v1/me/elderly-mode", new { on = false }))
        {
            Assert.False((await off.JsonAsync()).GetProperty("elderlyMode").GetBoolean());
        }

        Assert.False(await host.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.UserName == TestHost.Phone(Kaizhou, "20")).ElderlyMode ?? true)));
    }

    [Fact]
    public void It_is_offered_from_the_60th_birthday_to_those_who_have_not_chosen()
    {
        var person = new AppUser { BirthDate = new DateOnly(1966, 12, 8) };
        Assert.False(ElderlyMode.ShouldOffer(person, new DateOnly(2026, 12, 7)));
        Assert.True(ElderlyMode.ShouldOffer(person, new DateOnly(2026, 12, 8)));
        Assert.False(ElderlyMode.ShouldOffer(new AppUser(), new DateOnly(2026, 12, 8))); // no birth date known

        person.ChooseElderlyMode(false);
        Assert.False(ElderlyMode.ShouldOffer(person, new DateOnly(2030, 1, 1)));
    }
}
