namespace Wenming.Web.Infrastructure.Problems;

/// <summary>What a page's action came to: its message (what was done, or the refusal in words), and whether it succeeded.</summary>
internal sealed record PageOutcome(string? Message, bool Success, bool NotVisible);

internal static class PageActions
{
    /// <summary>
    /// Runs a page's action (a form it posts): the success message it returns, or the reason a use case refused in the
    /// user's words; a target the caller does not see is <see cref="PageOutcome.NotVisible"/> (the page answers 404).
    /// </summary>
    public static async Task<PageOutcome> RunAsync(Func<Task<string>> action)
    {
        try
        {
            return new PageOutcome(await action(), true, false);
        }
        catch (NotVisibleException)
        {
            return new PageOutcome(null, false, true);
        }
        catch (Exception e) when (InputException.PageMessage(e) is { } message)
        {
            return new PageOutcome(message, false, false);
        }
    }
}
