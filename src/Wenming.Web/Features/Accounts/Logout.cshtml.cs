using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Wenming.Web.Features.Accounts;

internal sealed class LogoutModel(SignInManager<AppUser> signIns) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await signIns.SignOutAsync();
        return RedirectToPage("/Accounts/Login");
    }
}
