using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Web.Features.Orders;

/// <summary>The district's order workflow, as its center admin edits it: a preset, or the steps one by one. New orders only.</summary>
internal sealed class WorkflowModel(WorkflowEditor editor) : PageModel
{
    public WorkflowView Workflow { get; private set; } = null!;
    public string? Message { get; private set; }
    public bool Saved { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Workflow = await editor.ViewAsync(ct);

    public async Task<IActionResult> OnPostAsync(int version, string? preset, string? name, List<WorkflowStepInput>? steps, int? checkInRadiusMeters,
        double? claimRadiusKm, CancellationToken ct)
    {
        try
        {
            var kept = preset is { Length: > 0 } ? null : steps?.Where(s => !string.IsNullOrWhiteSpace(s.Name)).ToList();
            Workflow = await editor.SaveAsync(new WorkflowInput(version, name, preset is { Length: > 0 } ? preset : null, kept, checkInRadiusMeters, claimRadiusKm), ct);
            Saved = true;
            return Page();
        }
        catch (InputException e)
        {
            Message = e.Summary;
        }
        catch (DomainException e)
        {
            Message = e.Message;
        }
        catch (AccessDeniedException)
        {
            return Forbid();
        }

        Workflow = await editor.ViewAsync(ct);
        return Page();
    }
}
