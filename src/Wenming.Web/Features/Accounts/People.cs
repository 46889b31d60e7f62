using Microsoft.AspNetCore.Identity;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Accounts;

/// <summary>Finds the account behind a phone number in the caller's district, or opens one for a new person.</summary>
internal sealed class People(UserManager<AppUser> users, AppDbContext db)
{
    /// <summary>A new person signs in with an SMS code: nobody ever sets a password for someone else.</summary>
    public async Task<AppUser> FindOrCreateAsync(string phone, string? displayName)
    {
        var user = await users.FindByNameAsync(phone);
        if (user is null)
        {
            if (string.IsNullOrWhiteSpace(displayName))
            {
                throw new InputException(new Dictionary<string, string[]> { ["displayName"] = ["该手机号尚未注册，请填写姓名以新建账号"] });
            }

            user = new AppUser { Id = Ids.New(), UserName = phone, PhoneNumber = phone, DisplayName = displayName.Trim(), DistrictId = db.Scope.DistrictId };
            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                throw new DomainException("user-create-failed", string.Join("；", created.Errors.Select(e => e.Description)));
            }
        }
        else if (user.DistrictId != db.Scope.DistrictId)
        {
            throw new DomainException("user-other-district", "该手机号已在其他区县注册，不能在本区分配角色");
        }

        return user;
    }

    public async Task<AppUser> CurrentAsync() =>
        await users.FindByIdAsync(db.Scope.UserId?.ToString() ?? "") ?? throw new NotVisibleException();
}
