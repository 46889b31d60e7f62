using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Volunteers;

/// <summary>A volunteer's own record, in full, with export and leave.</summary>
internal sealed class MeModel(PersonalDataRequests requests, VolunteerQueries queries, VolunteerPhotos photos) : PageModel
{
    public VolunteerView? Mine { get; private set; }
    public bool HasPhoto { get; private set; }
    public string? Message { get; private set; }

    [BindProperty]
    public RegisterForm Form { get; set; } = new();

    public async Task<IActionResult> OnPostCorrectAsync(CancellationToken ct)
    {
        try
        {
            await requests.CorrectAsync(Form.ToInput() with { IdNumber = null, HomeUnitId = null }, ct);
            Message = "已保存";
        }
        catch (InputException e)
        {
            Message = e.Summary;
        }
        catch (Infrastructure.Data.DomainException e)
        {
            Message = e.Message;
        }

        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnPostPhotoAsync(IFormFile? photo, CancellationToken ct)
    {
        try
        {
            await photos.SaveAsync(photo, ct);
            Message = "照片已上传";
        }
        catch (InputException e)
        {
            Message = e.Summary;
        }
        catch (Infrastructure.Data.DomainException e)
        {
            Message = e.Message;
        }

        return await OnGetAsync(ct);
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await queries.MineAsync(ct) is null)
        {
            return Page();
        }

        Mine = await requests.MineAsync(ct);
        HasPhoto = (await queries.MineAsync(ct))?.PhotoName is not null;
        Form = new RegisterForm
        {
            Name = Mine.Name,
            PoliticalStatus = Mine.PoliticalStatus,
            Education = Mine.Education,
            Occupation = Mine.Occupation,
            EmergencyContactName = Mine.EmergencyContactName,
            EmergencyContactPhone = Mine.EmergencyContactPhone,
            Skills = [.. Mine.Skills],
            ServiceCategories = [.. Mine.ServiceCategories],
        };
        return Page();
    }

    public async Task<IActionResult> OnPostLeaveAsync(CancellationToken ct)
    {
        try
        {
            await requests.LeaveAsync(ct);
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return Redirect("/Volunteers/Me");
    }
}
