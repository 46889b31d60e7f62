using Microsoft.EntityFrameworkCore;
using Wenming.Web.Features.Honours;
using Wenming.Web.Infrastructure.Events;

namespace Wenming.Web.Features.Demo;

/// <summary>
/// Honours behind each demo district, made through the use cases on a clock set back: last month's 志愿者之星 of the first
/// institute's stations (from the records the demo history made), a 文明家庭 on the first station's board, a finished vote
/// with its winner, and a vote open now that every demo account can take part in.
/// </summary>
internal sealed class DemoHonours(IServiceScopeFactory scopes, OutboxDispatcher outbox, TimeProvider clock, ILogger<DemoHonours> logger)
{
    private static readonly (string Name, string Deeds)[] Nominees =
    [
        ("张桂英", "十多年照顾同楼独居老人，每天上门送饭、陪诊。"),
        ("李建国", "退休后组建义务巡逻队，夜间巡查小区消防通道。"),
        ("王秀兰", "带领邻居开设“四点半课堂”，免费辅导留守儿童。"),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        // The stars read the records, which follow from the demo history's events.
        while (await outbox.DispatchPendingAsync(ct) > 0)
        {
        }

        var districts = await DemoScopes.WithSystemAsync(scopes, db => db.Districts.AsNoTracking().Select(d => new { d.Id, d.Code }).ToListAsync(ct));
        var awards = 0;
        foreach (var district in districts)
        {
            try
            {
                awards += await DistrictAsync(district.Id, district.Code, ct);
            }
            catch (Exception e) when (e is Infrastructure.Data.DomainException or Infrastructure.Problems.InputException or Infrastructure.Problems.AccessDeniedException)
            {
                logger.LogWarning(e, "Demo honours of district {Code} stopped: {Reason}", district.Code, e.Message);
            }
        }

        logger.LogInformation("Demo honours: {Awards} honours given", awards);
    }

    private async Task<int> DistrictAsync(Guid districtId, string code, CancellationToken ct)
    {
        var number = DemoDistrictData.All.First(d => d.Code == code).Number;
        var institute = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(number, "01"), ct);
        var station = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(number, "02"), ct);
        if (institute is null || station is null)
        {
            return 0;
        }

        var now = clock.GetUtcNow();
        var at = new SettableClock(now);
        Task<T> As<T>(Guid user, Func<HonourUseCases, Task<T>> work) => AsAsync(districtId, user, at, work, ct);

        var stars = await As(institute.Value, h => h.MonthlyStarsAsync(new MonthlyInput(null, null), ct));
        var titles = await As(station.Value, h => h.TitlesAsync(ct));
        var household = titles.FirstOrDefault(t => t.IsActive && t.Method == AwardMethod.Decision && t.Recipient == RecipientKind.Household);
        var given = 0;
        if (household is not null)
        {
            at.Now = now.AddDays(-20);
            await As(station.Value, h => h.AwardAsync(new AwardInput(household.Id, null, "赵德明家庭", null, $"{Infrastructure.DistrictTime.Today(now).Year - 1} 年度",
                "三代同堂、孝老爱亲，主动调解邻里纠纷，院落整洁美观。"), ct));
            given++;
        }

        var voteTitle = titles.FirstOrDefault(t => t.IsActive && t.Method == AwardMethod.Vote);
        if (voteTitle is not null)
        {
            // A vote finished last month, its winner on the board; and one open now for two weeks.
            given += await RoundAsync(districtId, station.Value, voteTitle, "上季度", now.AddDays(-45), now.AddDays(-31), true, number, at, ct);
            await RoundAsync(districtId, station.Value, voteTitle, "本季度", now.AddHours(-1), now.AddDays(14), false, number, at, ct);
        }

        return stars.Awarded.Count + given;
    }

    private Task<T> AsAsync<T>(Guid districtId, Guid user, SettableClock at, Func<HonourUseCases, Task<T>> work, CancellationToken ct) =>
        DemoScopes.AsAsync(scopes, user, districtId, sp => work(ActivatorUtilities.CreateInstance<HonourUseCases>(sp, at)), ct);

    private async Task<int> RoundAsync(Guid districtId, Guid admin, HonourTitle title, string when, DateTimeOffset opens, DateTimeOffset closes, bool finish, int number,
        SettableClock at, CancellationToken ct)
    {
        Task<T> As<T>(Guid user, Func<HonourUseCases, Task<T>> work) => AsAsync(districtId, user, at, work, ct);

        at.Now = opens.AddDays(-1);
        var round = await As(admin, h => h.OpenRoundAsync(new RoundInput(title.Id, null, $"{when}{title.Name}评选", opens, closes, 1), ct));
        foreach (var (name, deeds) in Nominees)
        {
            await As(admin, h => h.NominateAsync(round.Id, new NomineeInput(name, null, deeds), ct));
        }

        if (!finish)
        {
            return 0;
        }

        // The demo accounts of the district vote: most for the first nominee.
        var voters = new[] { "00", "01", "03", "10", "11", "20", "30", "40" };
        for (var i = 0; i < voters.Length; i++)
        {
            var voter = await DemoScopes.UserAsync(scopes, DemoSeeder.Phone(number, voters[i]), ct);
            if (voter is null)
            {
                continue;
            }

            at.Now = opens.AddHours(i + 1);
            var nominee = i % 3 == 2 ? 1 : 0;
            await As(voter.Value, async h =>
            {
                var view = await h.RoundViewAsync(round.Id, ct);
                await h.VoteAsync(round.Id, new VoteInput(view.Nominees.First(n => n.Name == Nominees[nominee].Name).Id), ct);
                return view;
            });
        }

        at.Now = closes.AddHours(1);
        return (await As(admin, h => h.CloseRoundAsync(round.Id, ct))).Count;
    }
}
