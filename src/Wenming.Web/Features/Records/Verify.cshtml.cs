using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Records;

/// <summary>Where a certificate's QR code leads: anyone checks that it is genuine and unchanged.</summary>
[AllowAnonymous]
internal sealed class VerifyModel(IssueCertificate certificates) : PageModel
{
    public CertificateCheck? Check { get; private set; }

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken ct)
    {
        try
        {
            Check = (await certificates.CheckAsync(code, ct)).Check;
        }
        catch (NotVisibleException)
        {
            Response.StatusCode = 404;
        }

        return Page();
    }
}
