using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Tenancy;

namespace Wenming.Tests.Infrastructure;

public sealed class DataScopeTests
{
    [Fact]
    public void The_platform_s_reach_inside_a_request_ends_with_its_block_and_the_caller_s_reach_returns()
    {
        var scope = new DataScope();
        var station = "0000000000000000000000000000000a/0000000000000000000000000000000b/";
        scope.SetUser(Guid.NewGuid(), Guid.NewGuid(), "13804000020", [new Grant(Guid.NewGuid(), Role.Resident, Guid.NewGuid(), station, UnitKind.Station, "站")]);
        Assert.False(scope.CanRead("0000000000000000000000000000000a/0000000000000000000000000000000c/"));
        using (scope.AsSystem())
        {
            Assert.True(scope.IsSystem);
            Assert.True(scope.CanRead("0000000000000000000000000000000a/0000000000000000000000000000000c/"));
        }

        Assert.False(scope.IsSystem);
        Assert.False(scope.CanRead("0000000000000000000000000000000a/0000000000000000000000000000000c/"));
        Assert.True(scope.SeesOrAbove("0000000000000000000000000000000a/")); // the center above the caller's station
        Assert.False(scope.SeesOrAbove("0000000000000000000000000000000a/0000000000000000000000000000000c/")); // a sibling station
    }
}
