using Microsoft.EntityFrameworkCore;
using Wenming.Tests.Infrastructure;
using Wenming.Web.Features.Honours;

namespace Wenming.Tests.Honours;

/// <summary>Honours placed on a unit directly, for the policy walk.</summary>
internal static class HonourData
{
    private static async Task<HonourTitle> TitleAsync(Wenming.Web.Infrastructure.Data.AppDbContext db, Guid districtId, AwardMethod method)
    {
        var title = await db.Set<HonourTitle>().FirstOrDefaultAsync(t => t.DistrictId == districtId && t.Method == method && t.IsActive);
        if (title is null)
        {
            title = new HonourTitle(districtId, $"测试荣誉{(int)method}{Guid.NewGuid().ToString("N")[..4]}", RecipientKind.Person, method, 99);
            db.Add(title);
        }

        return title;
    }

    /// <summary>A vote at the unit, open now, with one nominee.</summary>
    public static Task<Guid> RoundOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var title = await TitleAsync(db, unit.DistrictId, AwardMethod.Vote);
        var now = DateTimeOffset.UtcNow;
        var round = new VoteRound(unit.DistrictId, title, unit.Id, "策略测试评选", now.AddHours(-1), now.AddDays(7), 1, Guid.NewGuid(), now);
        db.Add(round);
        db.Add(new Nominee(unit.DistrictId, round.Id, "策略测试候选人", null, "策略测试的事迹说明", Guid.NewGuid(), now));
        await db.SaveChangesAsync();
        return round.Id;
    });

    /// <summary>An honour given at the unit by decision.</summary>
    public static Task<Guid> AwardOnUnitAsync(TestHost host, Guid unitId) => host.WithDbAsync(async db =>
    {
        var unit = await db.Units.SingleAsync(u => u.Id == unitId);
        var title = await TitleAsync(db, unit.DistrictId, AwardMethod.Decision);
        var award = new HonourAward(unit.DistrictId, title, unit.Id, "策略" + Guid.NewGuid().ToString("N")[..6], null, "2026 年度", "策略测试的事迹说明",
            AwardMethod.Decision, null, null, DateTimeOffset.UtcNow);
        db.Add(award);
        await db.SaveChangesAsync();
        return award.Id;
    });
}
