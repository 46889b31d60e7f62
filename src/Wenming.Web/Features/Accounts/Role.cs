namespace Wenming.Web.Features.Accounts;

/// <summary>What a person does on a unit. Every role is held on a unit and reaches that unit's subtree.</summary>
internal enum Role
{
    /// <summary>Center, institute or station admin: which one follows from the unit's kind.</summary>
    Admin = 1,
    TeamLeader = 2,
    Volunteer = 3,
    Resident = 4,
    GridWorker = 5,

    /// <summary>Reads dashboards and lists of the subtree, changes nothing.</summary>
    Leader = 6,
}

internal static class Roles
{
    public static string ChineseName(Role role, Organization.UnitKind kind) => role switch
    {
        Role.Admin => kind switch
        {
            Organization.UnitKind.Center => "中心管理员",
            Organization.UnitKind.Institute => "所管理员",
            Organization.UnitKind.Station => "站管理员",
            _ => Organization.UnitKinds.ChineseName(kind) + "管理员",
        },
        Role.TeamLeader => "队长",
        Role.Volunteer => "志愿者",
        Role.Resident => "群众",
        Role.GridWorker => "网格员",
        Role.Leader => "领导",
        _ => role.ToString(),
    };

    public static bool TryParse(string text, out Role role)
    {
        text = text.Trim();
        if (Enum.TryParse(text, ignoreCase: true, out role) && Enum.IsDefined(role))
        {
            return true;
        }

        foreach (var r in Enum.GetValues<Role>())
        {
            if (text == ChineseName(r, Organization.UnitKind.Center) || text == ChineseName(r, Organization.UnitKind.Station)
                || text == ChineseName(r, Organization.UnitKind.Institute))
            {
                role = r;
                return true;
            }
        }

        return false;
    }
}
