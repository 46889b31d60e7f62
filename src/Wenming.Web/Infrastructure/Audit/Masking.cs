namespace Wenming.Web.Infrastructure.Audit;

/// <summary>How personal data looks to those without the duty to see it.</summary>
internal static class Masking
{
    /// <summary>138****0011</summary>
    public static string? Phone(string? phone) =>
        phone is null ? null : phone.Length >= 11 ? phone[..3] + "****" + phone[^4..] : new string('*', phone.Length);

    /// <summary>王**: the family name only.</summary>
    public static string Name(string? name) => string.IsNullOrEmpty(name) ? "" : name[..1] + new string('*', Math.Max(1, name.Length - 1));
}
