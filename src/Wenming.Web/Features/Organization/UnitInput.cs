using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Organization;

/// <summary>What a client sends to create or edit a unit (API body and the edit page's form alike).</summary>
internal sealed record UnitInput
{
    public Guid? ParentId { get; init; }
    public string? Kind { get; init; }
    public string? Name { get; init; }
    public string? Code { get; init; }
    public string? Address { get; init; }
    public double? Latitude { get; init; }
    public double? Longitude { get; init; }
    public string? OpeningHours { get; init; }
    public string? HeadName { get; init; }
    public string? Phone { get; init; }
    public IReadOnlyList<Guid>? PlatformIds { get; init; }

    /// <summary>The version the client last read; required for edits (a stale one answers 409).</summary>
    public int? Version { get; init; }

    public UnitDetails Validate(bool creating, out UnitKind kind)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        kind = default;
        if (creating)
        {
            if (ParentId is null)
            {
                Add("parentId", "请选择上级单位");
            }

            if (string.IsNullOrWhiteSpace(Kind) || !UnitKinds.TryParse(Kind, out kind))
            {
                Add("kind", "单位类型应为：中心、分中心、所、站、点、基地、网格、楼栋 之一");
            }
        }
        else if (Version is null)
        {
            Add("version", "缺少版本号，请刷新后重试");
        }

        var name = Name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            Add("name", "名称不能为空，且不超过 100 个字");
        }

        var code = Code?.Trim() ?? "";
        if (code.Length is 0 or > 40 || code.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            Add("code", "编码不能为空，只能包含字母、数字和 - _ .，不超过 40 位");
        }

        if (Latitude is { } lat && (lat < -90 || lat > 90 || double.IsNaN(lat)))
        {
            Add("latitude", "纬度应在 -90 到 90 之间");
        }

        if (Longitude is { } lng && (lng < -180 || lng > 180 || double.IsNaN(lng)))
        {
            Add("longitude", "经度应在 -180 到 180 之间");
        }

        if ((Latitude is null) != (Longitude is null))
        {
            Add("latitude", "经纬度需同时填写");
        }

        if (Address is { Length: > 200 })
        {
            Add("address", "地址不超过 200 个字");
        }

        if (OpeningHours is { Length: > 100 })
        {
            Add("openingHours", "开放时间不超过 100 个字");
        }

        if (HeadName is { Length: > 50 })
        {
            Add("headName", "负责人姓名不超过 50 个字");
        }

        var phone = Phone?.Trim();
        if (!string.IsNullOrEmpty(phone) && (phone.Length > 30 || phone.Any(c => !(char.IsAsciiDigit(c) || c is '-' or ' ' or '+' or '(' or ')'))))
        {
            Add("phone", "联系电话只能包含数字、空格和 - + ( )");
        }

        InputException.ThrowIfAny(errors);
        return new UnitDetails(name, code, Blank(Address), Latitude, Longitude, Blank(OpeningHours), Blank(HeadName), Blank(phone),
            PlatformIds ?? []);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
