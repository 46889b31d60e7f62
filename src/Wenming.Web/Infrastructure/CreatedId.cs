namespace Wenming.Web.Infrastructure;

/// <summary>The answer to a POST that made one thing and has no fuller view to give: its id (its address is in Location).</summary>
internal sealed record CreatedId(Guid Id);
