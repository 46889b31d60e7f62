namespace Wenming.Web.Infrastructure.Data;

/// <summary>Ids are UUIDv7: time-ordered, so inserts append to the primary-key index.</summary>
internal static class Ids
{
    public static Guid New() => Guid.CreateVersion7();
}
