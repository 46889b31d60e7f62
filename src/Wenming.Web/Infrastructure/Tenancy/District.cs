namespace Wenming.Web.Infrastructure.Tenancy;

/// <summary>A tenant: one county-level district, identified to the outside by its GB/T 2260 division code.</summary>
internal sealed class District
{
    private District()
    {
    }

    public District(Guid id, string code, string name, string englishName, string workflowPreset, DateTimeOffset createdAt)
    {
        Id = id;
        Code = code;
        Name = name;
        EnglishName = englishName;
        WorkflowPreset = workflowPreset;
        TimeZone = "Asia/Shanghai";
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string EnglishName { get; private set; } = "";
    public string TimeZone { get; private set; } = "Asia/Shanghai";
    public string WorkflowPreset { get; private set; } = "default";
    public DateTimeOffset CreatedAt { get; private set; }
}
