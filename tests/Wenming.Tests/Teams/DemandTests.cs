using Wenming.Web.Features.Teams;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.Teams;

public sealed class DemandTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 2, 0, 0, TimeSpan.Zero);

    private static Demand Raised() => new(Guid.NewGuid(), Guid.NewGuid(), null, "希望有人教老人用手机", Guid.NewGuid(), Now);

    [Fact]
    public void A_need_starts_received_and_an_answer_leaves_it_open_for_what_it_becomes()
    {
        var demand = Raised();
        Assert.Equal(DemandStatus.Received, demand.Status);

        demand.Reply("下月安排", Guid.NewGuid(), Now);
        Assert.Equal(DemandStatus.Answered, demand.Status);
        Assert.Equal(1, demand.Version);
        Assert.Equal(409, Assert.Throws<DomainException>(() => demand.Reply("再说一次", Guid.NewGuid(), Now)).Status);

        var menuItem = Guid.NewGuid();
        demand.Became(menuItem, null, null, Guid.NewGuid(), Now);
        Assert.Equal((DemandStatus.BecameMenuItem, menuItem, "下月安排"), (demand.Status, demand.MenuItemId, demand.Answer));
    }

    [Fact]
    public void A_need_that_became_something_or_was_declined_is_settled()
    {
        var became = Raised();
        became.Became(null, Guid.NewGuid(), "已立项", Guid.NewGuid(), Now);
        Assert.Equal(409, Assert.Throws<DomainException>(() => became.Decline("重复", Guid.NewGuid(), Now)).Status);

        var declined = Raised();
        declined.Decline("不在服务范围", Guid.NewGuid(), Now);
        Assert.Equal("不在服务范围", declined.Answer);
        Assert.Throws<DomainException>(() => declined.Became(Guid.NewGuid(), null, null, Guid.NewGuid(), Now));
        Assert.False(Demand.IsOpen(declined.Status));
    }
}
