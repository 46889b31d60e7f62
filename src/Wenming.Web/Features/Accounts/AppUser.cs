using Microsoft.AspNetCore.Identity;

namespace Wenming.Web.Features.Accounts;

/// <summary>A person with an account. The phone number is the sign-in name.</summary>
internal sealed class AppUser : IdentityUser<Guid>
{
    public Guid DistrictId { get; set; }
    public string DisplayName { get; set; } = "";
}
