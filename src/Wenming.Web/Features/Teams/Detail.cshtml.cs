using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Teams;

internal sealed class DetailModel(TeamUseCases teams, Records.VolunteerRecords records) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public TeamView Team { get; private set; } = null!;

    /// <summary>What the team did lately, orders and activities alike, from its members' service records.</summary>
    public IReadOnlyList<Records.RecordView> Work { get; private set; } = [];
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostJoinAsync(CancellationToken ct) => await Act(async () =>
    {
        await teams.JoinAsync(Id, ct);
        Message = "已提交入队申请，请等待队长审核";
    }, ct);

    public async Task<IActionResult> OnPostDecideAsync(Guid member, bool accept, CancellationToken ct) =>
        await Act(() => teams.DecideAsync(Id, member, accept, ct), ct);

    private async Task<IActionResult> Act(Func<Task> action, CancellationToken ct)
    {
        try
        {
            await action();
        }
        catch (DomainException e)
        {
            Message = e.Message;
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }

        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        try
        {
            Team = await teams.ViewAsync(Id, ct);
            Work = await records.TeamWorkAsync(Id, 20, ct);
            return Page();
        }
        catch (NotVisibleException)
        {
            return NotFound();
        }
    }
}
