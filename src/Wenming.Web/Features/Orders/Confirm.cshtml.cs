using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Wenming.Web.Features.Orders;

/// <summary>The link in the SMS a resident gets when a grid worker files for them: one tap confirms, no account needed.</summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
internal sealed class ConfirmModel(ConfirmOrderByToken confirm) : PageModel
{
    public string? Title { get; private set; }
    public string? Number { get; private set; }
    public bool Found { get; private set; }
    public bool Confirmed { get; private set; }

    /// <summary>Shows what is to be confirmed; link previewers and SMS scanners only ever GET, so they confirm nothing.</summary>
    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        var order = await confirm.FindByTokenAsync(token, ct);
        if (order is null)
        {
            Response.StatusCode = 404;
            return Page();
        }

        (Found, Title, Number, Confirmed) = (true, order.Title, order.Number, order.ConfirmedAt is not null);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        var order = await confirm.RunAsync(token, ct);
        if (order is null)
        {
            Response.StatusCode = 404;
            return Page();
        }

        (Found, Title, Number, Confirmed) = (true, order.Title, order.Number, true);
        return Page();
    }
}
