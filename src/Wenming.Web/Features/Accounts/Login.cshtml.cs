using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Wenming.Web.Features.Accounts;

[AllowAnonymous]
internal sealed class LoginModel(SignIn signIn, SignInManager<AppUser> signIns) : PageModel
{
    [BindProperty]
    public string? Phone { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Mode { get; set; } = "password";

    public string? Message { get; private set; }

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken ct)
    {
        Mode = "password";
        return await Finish(await signIn.WithPasswordAsync(Phone, Password, ct));
    }

    public async Task<IActionResult> OnPostSendCodeAsync(CancellationToken ct)
    {
        Mode = "sms";
        var outcome = await signIn.SendCodeAsync(Phone, ct);
        if (outcome.Status == 202)
        {
            Message = "验证码已发送，请查收短信（5 分钟内有效）";
        }
        else
        {
            ModelState.AddModelError(string.Empty, outcome.Message ?? "发送失败");
        }

        return Page();
    }

    public async Task<IActionResult> OnPostCodeAsync(CancellationToken ct)
    {
        Mode = "sms";
        return await Finish(await signIn.WithCodeAsync(Phone, Code, ct));
    }

    private async Task<IActionResult> Finish(SignInOutcome outcome)
    {
        if (!outcome.Succeeded)
        {
            ModelState.AddModelError(string.Empty, outcome.Message ?? "登录失败");
            return Page();
        }

        await signIns.SignInAsync(outcome.User!, isPersistent: true);
        ElderlyMode.Apply(HttpContext, outcome.User!);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
