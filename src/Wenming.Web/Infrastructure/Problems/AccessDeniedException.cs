namespace Wenming.Web.Infrastructure.Problems;

/// <summary>The caller can see the object but their role may not do this: 403, and audited.</summary>
internal sealed class AccessDeniedException(string message = "您的角色无权执行此操作") : Exception(message);

/// <summary>Not there, or not in the caller's reach: both answer 404, so another district's data does not exist for them.</summary>
internal sealed class NotVisibleException() : Exception("not found");

/// <summary>Field-level input errors: 400 with <c>errors</c> per field.</summary>
internal sealed class InputException(IDictionary<string, string[]> errors) : Exception("invalid input")
{
    public IDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>Every field's reason in one line, for a page's message.</summary>
    public string Summary => string.Join("；", Errors.SelectMany(x => x.Value));

    /// <summary>What a page shows for a refusal (bad input, a rule, a role), or null for anything else, which is a fault.</summary>
    public static string? PageMessage(Exception e) => e switch
    {
        InputException i => i.Summary,
        Wenming.Web.Infrastructure.Data.DomainException or AccessDeniedException => e.Message,
        _ => null,
    };

    public static void ThrowIfAny(Dictionary<string, List<string>> errors)
    {
        if (errors.Count > 0)
        {
            throw new InputException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        }
    }
}
