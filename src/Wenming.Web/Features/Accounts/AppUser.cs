using Microsoft.AspNetCore.Identity;

namespace Wenming.Web.Features.Accounts;

/// <summary>A person with an account. The phone number is the sign-in name.</summary>
internal sealed class AppUser : IdentityUser<Guid>
{
    public Guid DistrictId { get; set; }
    public string DisplayName { get; set; } = "";

    /// <summary>From the ID number where the person gave one (GB 11643 carries it): who is offered the elderly mode.</summary>
    public DateOnly? BirthDate { get; set; }

    /// <summary>长辈版 chosen (true), declined (false), or never asked (null).</summary>
    public bool? ElderlyMode { get; private set; }

    public void ChooseElderlyMode(bool on) => ElderlyMode = on;
}
