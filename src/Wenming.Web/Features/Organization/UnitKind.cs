namespace Wenming.Web.Features.Organization;

/// <summary>The kinds of place in a district's practice network (DOMAIN.md, 组织体系).</summary>
internal enum UnitKind
{
    Center = 1,
    SubCenter = 2,
    Institute = 3,
    Station = 4,
    Point = 5,
    Base = 6,
    Grid = 7,
    Building = 8,
}

internal static class UnitKinds
{
    /// <summary>Which kinds may sit directly under which: the tree the seeds describe (中心 → 所 → 站 → 点, 网格 → 楼栋).</summary>
    private static readonly Dictionary<UnitKind, UnitKind[]> AllowedChildren = new()
    {
        [UnitKind.Center] = [UnitKind.SubCenter, UnitKind.Institute, UnitKind.Base, UnitKind.Point],
        [UnitKind.SubCenter] = [UnitKind.Point, UnitKind.Base],
        [UnitKind.Institute] = [UnitKind.Station, UnitKind.Point, UnitKind.Base],
        [UnitKind.Station] = [UnitKind.Point, UnitKind.Grid],
        [UnitKind.Grid] = [UnitKind.Building],
        [UnitKind.Point] = [],
        [UnitKind.Base] = [],
        [UnitKind.Building] = [],
    };

    public static bool CanContain(UnitKind parent, UnitKind child) => AllowedChildren[parent].Contains(child);

    public static string ChineseName(UnitKind kind) => kind switch
    {
        UnitKind.Center => "中心",
        UnitKind.SubCenter => "分中心",
        UnitKind.Institute => "所",
        UnitKind.Station => "站",
        UnitKind.Point => "点",
        UnitKind.Base => "基地",
        UnitKind.Grid => "网格",
        UnitKind.Building => "楼栋",
        _ => kind.ToString(),
    };

    public static bool TryParse(string text, out UnitKind kind)
    {
        text = text.Trim();
        foreach (var k in Enum.GetValues<UnitKind>())
        {
            if (string.Equals(text, k.ToString(), StringComparison.OrdinalIgnoreCase) || text == ChineseName(k))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
