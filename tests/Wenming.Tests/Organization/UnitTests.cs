using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Tests.Organization;

/// <summary>The tree's rules, on the entity, without a host.</summary>
public sealed class UnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_child_path_extends_its_parents_path()
    {
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "500107", Now);
        var institute = center.AddChild(UnitKind.Institute, "所", "500107-01", Now);
        var station = institute.AddChild(UnitKind.Station, "站", "500107-01-001", Now);

        Assert.StartsWith(center.Path, institute.Path, StringComparison.Ordinal);
        Assert.Equal(institute.Path + Unit.Segment(station.Id), station.Path);
        Assert.Equal(2, station.Depth);
    }

    [Theory]
    [InlineData("Station", "Institute")]
    [InlineData("Grid", "Station")]
    [InlineData("Building", "Point")]
    public void A_kind_the_tree_does_not_allow_is_refused(string parentKindName, string childKindName)
    {
        var parentKind = Enum.Parse<UnitKind>(parentKindName);
        var childKind = Enum.Parse<UnitKind>(childKindName);
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "c", Now);
        var parent = parentKind switch
        {
            UnitKind.Station => center.AddChild(UnitKind.Institute, "所", "i", Now).AddChild(UnitKind.Station, "站", "s", Now),
            UnitKind.Grid => center.AddChild(UnitKind.Institute, "所", "i", Now).AddChild(UnitKind.Station, "站", "s", Now).AddChild(UnitKind.Grid, "网格", "g", Now),
            _ => center.AddChild(UnitKind.Institute, "所", "i", Now).AddChild(UnitKind.Station, "站", "s", Now).AddChild(UnitKind.Grid, "网格", "g", Now)
                .AddChild(UnitKind.Building, "楼", "b", Now),
        };

        var refusal = Assert.Throws<DomainException>(() => parent.AddChild(childKind, "x", "x", Now));
        Assert.Equal("unit-kind-not-allowed", refusal.Code);
    }

    [Fact]
    public void Moving_a_unit_under_its_own_descendant_is_refused()
    {
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "c", Now);
        var institute = center.AddChild(UnitKind.Institute, "所", "i", Now);
        var point = institute.AddChild(UnitKind.Point, "点", "p", Now);
        var refusal = Assert.Throws<DomainException>(() => institute.MoveUnder(institute, Now));
        Assert.Equal("unit-move-cycle", refusal.Code);
        Assert.Throws<DomainException>(() => point.MoveUnder(point, Now));
    }

    [Fact]
    public void Moving_rewrites_the_path_and_depth_and_bumps_the_version()
    {
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "c", Now);
        var a = center.AddChild(UnitKind.Institute, "甲所", "a", Now);
        var b = center.AddChild(UnitKind.Institute, "乙所", "b", Now);
        var station = a.AddChild(UnitKind.Station, "站", "s", Now);
        var before = station.Version;

        var oldPath = station.MoveUnder(b, Now);

        Assert.StartsWith(a.Path, oldPath, StringComparison.Ordinal);
        Assert.Equal(b.Path + Unit.Segment(station.Id), station.Path);
        Assert.Equal(b.Id, station.ParentId);
        Assert.Equal(before + 1, station.Version);
    }

    [Fact]
    public void A_unit_with_open_children_cannot_be_closed_and_the_center_never()
    {
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "c", Now);
        var institute = center.AddChild(UnitKind.Institute, "所", "i", Now);

        Assert.Equal("unit-has-children", Assert.Throws<DomainException>(() => institute.Close(hasOpenChildren: true, Now)).Code);
        Assert.Equal("unit-root-unclosable", Assert.Throws<DomainException>(() => center.Close(false, Now)).Code);
        institute.Close(false, Now);
        Assert.True(institute.IsClosed);
        Assert.Equal("unit-closed", Assert.Throws<DomainException>(() => institute.AddChild(UnitKind.Station, "站", "s", Now)).Code);
    }
}
