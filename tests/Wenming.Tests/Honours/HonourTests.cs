using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Honours;
using Wenming.Web.Features.Records;
using static Wenming.Tests.Infrastructure.TestData;

namespace Wenming.Tests.Honours;

/// <summary>嘉许激励: the district's titles, honours by decision, public votes with one vote an account, the monthly 志愿者之星.</summary>
public sealed class HonourTests
{
    public static TheoryData<string> Providers => TestHosts.Providers();

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        response.Dispose();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<Guid> TitleAsync(HttpClient client, string method) =>
        (await client.GetJsonAsync("/api/v1/honours/titles")).EnumerateArray().First(t => t.GetProperty("method").GetString() == method && t.GetProperty("active").GetBoolean())
        .GetProperty("id").GetGuid();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_district_keeps_its_own_list_of_titles_and_gives_them_by_decision_on_its_board(string provider)
    {
        var host = TestHosts.Get(provider);
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var titles = (await center.GetJsonAsync("/api/v1/honours/titles")).EnumerateArray().ToList();
        Assert.Contains(titles, t => t.GetProperty("name").GetString() == "文明家庭" && t.GetProperty("recipient").GetString() == "Household");
        Assert.Contains(titles, t => t.GetProperty("name").GetString() == "志愿者之星" && t.GetProperty("method").GetString() == "Monthly");

        // The center adds its own title and retires one; a rename of an existing title is refused (retire and add instead).
        var tag = Guid.NewGuid().ToString("N")[..4];
        var list = titles.Select(t => (object)new
        {
            id = t.GetProperty("id").GetGuid(),
            name = t.GetProperty("name").GetString(),
            recipient = t.GetProperty("recipient").GetString(),
            method = t.GetProperty("method").GetString(),
            active = t.GetProperty("name").GetString() != "清洁农户",
        }).Append(new { name = $"乐都好人{tag}", recipient = "Person", method = "Decision", active = true }).ToList();
        var saved = (await OkAsync(await center.PutJsonAsync("/api/v1/honours/titles", list))).EnumerateArray().ToList();
        Assert.Contains(saved, t => t.GetProperty("name").GetString() == $"乐都好人{tag}");
        Assert.False(saved.Single(t => t.GetProperty("name").GetString() == "清洁农户").GetProperty("active").GetBoolean());
        var renamed = titles.Select(t => (object)new
        {
            id = t.GetProperty("id").GetGuid(),
            name = t.GetProperty("name").GetString() + "X",
            recipient = "Person",
            method = "Decision",
            active = true,
        }).ToList();
        await OkAsync(await center.PutJsonAsync("/api/v1/honours/titles", renamed), HttpStatusCode.BadRequest);
        await OkAsync(await (await host.ClientAsAsync(TestHost.Phone(Ledu, "01"))).PutJsonAsync("/api/v1/honours/titles", list), HttpStatusCode.Forbidden);

        // The station admin gives the new title; it shows on the station's board, inside the app and on its public page.
        var station = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var stationCode = $"{LeduCode}-01-001";
        var title = saved.Single(t => t.GetProperty("name").GetString() == $"乐都好人{tag}").GetProperty("id").GetGuid();
        var award = new { titleId = title, recipientName = $"马秀兰{tag}", period = "2026 年度", evidence = "十年如一日照顾邻居孤寡老人，义务打扫村道。" };
        await OkAsync(await station.PostJsonAsync("/api/v1/honours/awards", award), HttpStatusCode.Created);
        await OkAsync(await station.PostJsonAsync("/api/v1/honours/awards", award), HttpStatusCode.Conflict); // the same honour twice
        var board = await station.GetJsonAsync("/api/v1/honours/board");
        var given = board.EnumerateArray().Single(a => a.GetProperty("recipientName").GetString() == $"马秀兰{tag}");
        using (var page = await host.CreateClient().GetAsync($"/h/{await host.UnitIdAsync(stationCode)}"))
        {
            // For anyone passing by, a person's name is masked.
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("马" + new string('*', $"马秀兰{tag}".Length - 1), html, StringComparison.Ordinal);
            Assert.DoesNotContain($"马秀兰{tag}", html, StringComparison.Ordinal);
        }

        // A retired title cannot be given; another station's admin cannot give one here; a withdrawn honour leaves the board.
        var retired = saved.Single(t => t.GetProperty("name").GetString() == "清洁农户").GetProperty("id").GetGuid();
        await OkAsync(await station.PostJsonAsync("/api/v1/honours/awards", award with { titleId = retired }), HttpStatusCode.BadRequest);
        var here = await host.UnitIdAsync(stationCode);
        await OkAsync(await (await host.ClientAsAsync(TestHost.Phone(Ledu, "03"))).PostJsonAsync("/api/v1/honours/awards", new
        {
            titleId = title,
            unitId = here,
            recipientName = "某人",
            period = "2026 年度",
            evidence = "不是本站管理员授予的荣誉",
        }), HttpStatusCode.NotFound);
        var id = given.GetProperty("id").GetGuid();
        await OkAsync(await station.PostJsonAsync($"/api/v1/honours/awards/{id}/withdraw", new { reason = "" }), HttpStatusCode.BadRequest);
        await OkAsync(await station.PostJsonAsync($"/api/v1/honours/awards/{id}/withdraw", new { reason = "姓名录入有误，重新授予" }), HttpStatusCode.NoContent);
        Assert.DoesNotContain((await station.GetJsonAsync("/api/v1/honours/board")).EnumerateArray(), a => a.GetProperty("id").GetGuid() == id);
        var kept = await host.WithDbAsync(db => db.Set<HonourAward>().SingleAsync(a => a.Id == id));
        Assert.Equal("姓名录入有误，重新授予", kept.WithdrawReason);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_public_vote_takes_one_vote_an_account_in_its_window_and_awards_the_most_voted(string provider)
    {
        var host = TestHosts.Get(provider);
        var admin = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        var title = await TitleAsync(admin, "Vote");
        var now = DateTimeOffset.UtcNow;
        var tag = Guid.NewGuid().ToString("N")[..4];
        var round = await OkAsync(await admin.PostJsonAsync("/api/v1/honours/rounds", new
        {
            titleId = title,
            name = $"最美志愿者评选{tag}",
            opensAt = now.AddMinutes(-1),
            closesAt = now.AddDays(3),
            winners = 1,
        }), HttpStatusCode.Created);
        var roundId = round.GetProperty("id").GetGuid();
        await OkAsync(await admin.PostJsonAsync($"/api/v1/honours/rounds/{roundId}/nominees", new { name = $"李红{tag}", evidence = "常年为村里老人理发、送药。" }), HttpStatusCode.Created);
        await OkAsync(await admin.PostJsonAsync($"/api/v1/honours/rounds/{roundId}/nominees", new { name = $"王强{tag}", evidence = "暴雨夜组织转移受困群众。" }), HttpStatusCode.Created);
        var nominees = (await admin.GetJsonAsync($"/api/v1/honours/rounds/{roundId}")).GetProperty("nominees").EnumerateArray().ToList();
        var li = nominees.Single(n => n.GetProperty("name").GetString() == $"李红{tag}").GetProperty("id").GetGuid();
        var wang = nominees.Single(n => n.GetProperty("name").GetString() == $"王强{tag}").GetProperty("id").GetGuid();

        // Residents of the district vote: each once, even when one resident sends ten votes at the same instant.
        var residents = await Activities.ActivityTests.ResidentsAsync(host, $"{LeduCode}-01-001", 3);
        var burst = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => residents[0].PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = li })));
        Assert.Equal(1, burst.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(burst.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        foreach (var r in burst)
        {
            r.Dispose();
        }

        await OkAsync(await residents[1].PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = li }));
        var mine = await OkAsync(await residents[2].PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = wang }));
        Assert.Equal(wang, mine.GetProperty("myVote").GetGuid());
        await OkAsync(await residents[2].PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = li }), HttpStatusCode.Conflict);
        Assert.Equal(3, await host.WithDbAsync(db => db.Set<HonourVote>().CountAsync(v => v.RoundId == roundId)));
        // Another district does not see the vote at all.
        await OkAsync(await (await host.ClientAsAsync(TestHost.Phone(Hongta, "20"))).PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = li }),
            HttpStatusCode.NotFound);

        // The result waits for the window to end; then the most-voted is awarded, and a late vote is refused.
        await OkAsync(await admin.PostAsync($"/api/v1/honours/rounds/{roundId}/close", null), HttpStatusCode.UnprocessableEntity);
        await host.WithDbAsync(db => db.Set<VoteRound>().Where(r => r.Id == roundId).ExecuteUpdateAsync(s => s.SetProperty(r => r.ClosesAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        var late = await host.ClientAsAsync(TestHost.Phone(Ledu, "20"));
        await OkAsync(await late.PostJsonAsync($"/api/v1/honours/rounds/{roundId}/votes", new { nomineeId = wang }), HttpStatusCode.UnprocessableEntity);
        var closed = await OkAsync(await admin.PostAsync($"/api/v1/honours/rounds/{roundId}/close", null));
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        var won = closed.GetProperty("nominees").EnumerateArray().Single(n => n.GetProperty("won").GetBoolean());
        Assert.Equal($"李红{tag}", won.GetProperty("name").GetString());
        Assert.Equal(2, won.GetProperty("votes").GetInt32());
        await OkAsync(await admin.PostAsync($"/api/v1/honours/rounds/{roundId}/close", null), HttpStatusCode.Conflict);
        var award = await host.WithDbAsync(db => db.Set<HonourAward>().SingleAsync(a => a.RoundId == roundId));
        Assert.Equal($"李红{tag}", award.RecipientName);
        Assert.Equal(AwardMethod.Vote, award.Method);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_monthly_star_of_a_station_is_its_volunteer_with_the_most_hours_and_best_ratings_once_a_month(string provider)
    {
        var host = TestHosts.Get(provider);
        await Records.RecordTests.DispatchAsync(host);
        var stationCode = $"{LeduCode}-01-001";
        var station = await host.UnitIdAsync(stationCode);
        // Two months back: the demo picked last month's stars already.
        var lastMonth = DateTimeOffset.UtcNow.AddHours(8).AddMonths(-2);
        var month = $"{lastMonth:yyyy-MM}";

        // What the rule reads: the month's confirmed records of the volunteers registered at the station or below it.
        var expected = await host.WithDbAsync(async db =>
        {
            var path = await db.Units.Where(u => u.Id == station).Select(u => u.Path).SingleAsync();
            var start = new DateTimeOffset(lastMonth.Year, lastMonth.Month, 1, 0, 0, 0, TimeSpan.FromHours(8));
            var (lower, upper) = (start.ToUniversalTime(), start.AddMonths(1).ToUniversalTime());
            var rows = await db.Set<ServiceRecord>().Where(r => r.StartedAt >= lower && r.StartedAt < upper)
                .Join(db.Set<Wenming.Web.Features.Volunteers.Volunteer>().Where(v => v.HomeUnit!.Path.StartsWith(path) && v.Status == Wenming.Web.Features.Volunteers.VolunteerStatus.Active), r => r.VolunteerId, v => v.Id, (r, v) => new { v.Id, r.Minutes })
                .ToListAsync();
            return rows.GroupBy(r => r.Id).Select(g => (Id: g.Key, Minutes: g.Sum(r => r.Minutes))).Where(x => x.Minutes >= 4 * 60).ToList();
        });

        // Hours alone here (the rule's rating weight at 0), so the test can say who ranks first.
        var center = await host.ClientAsAsync(TestHost.Phone(Ledu, "00"));
        var rules = await center.GetJsonAsync("/api/v1/honours/rules");
        await OkAsync(await center.PutJsonAsync("/api/v1/honours/rules", new { starsPerUnit = 1, minHours = 4, ratingWeight = 0, version = rules.GetProperty("version").GetInt32() }));

        var admin = await host.ClientAsAsync(TestHost.Phone(Ledu, "02"));
        await OkAsync(await admin.PostJsonAsync("/api/v1/honours/monthly-stars", new { month = $"{DateTimeOffset.UtcNow.AddHours(8):yyyy-MM}" }), HttpStatusCode.BadRequest);
        var result = await OkAsync(await admin.PostJsonAsync("/api/v1/honours/monthly-stars", new { month }));
        Assert.Equal(month, result.GetProperty("month").GetString());
        var stars = await host.WithDbAsync(db => db.Set<HonourAward>().Where(a => a.UnitId == station && a.Period == month && a.Method == AwardMethod.Monthly).ToListAsync());
        if (expected.Count == 0)
        {
            Assert.Empty(stars); // nobody reached the minimum hours: no star rather than a hollow one
        }
        else
        {
            var star = Assert.Single(stars);
            Assert.Equal(expected.Max(x => x.Minutes), expected.Single(x => x.Id == star.VolunteerId).Minutes);
            Assert.Contains("小时", star.Evidence, StringComparison.Ordinal);
        }

        // Asked again, the month stands as it was.
        var again = await OkAsync(await admin.PostJsonAsync("/api/v1/honours/monthly-stars", new { month }));
        Assert.Empty(again.GetProperty("awarded").EnumerateArray());
        Assert.Equal(stars.Count, await host.WithDbAsync(db => db.Set<HonourAward>().CountAsync(a => a.UnitId == station && a.Period == month && a.Method == AwardMethod.Monthly)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_demo_districts_start_with_honours_on_the_board_and_a_vote_open_to_their_accounts(string provider)
    {
        var host = TestHosts.Get(provider);
        // Kaizhou: no other test opens votes there, so its demo votes are the first the list shows.
        var resident = await host.ClientAsAsync(TestHost.Phone(3, "20"));
        var board = (await resident.GetJsonAsync("/api/v1/honours/board")).EnumerateArray().ToList();
        Assert.Contains(board, a => a.GetProperty("recipient").GetString() == "Household");
        Assert.Contains(board, a => a.GetProperty("method").GetString() == "投票评选");
        var rounds = (await resident.GetJsonAsync("/api/v1/honours/rounds")).EnumerateArray().ToList();
        Assert.Contains(rounds, r => r.GetProperty("state").GetString() == "open" && r.GetProperty("nominees").GetArrayLength() == 3);
        var finished = rounds.First(r => r.GetProperty("state").GetString() == "closed" && r.GetProperty("name").GetString()!.StartsWith("上季度", StringComparison.Ordinal));
        Assert.Single(finished.GetProperty("nominees").EnumerateArray(), n => n.GetProperty("won").GetBoolean());
    }
}
