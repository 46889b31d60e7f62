namespace Wenming.Web.Infrastructure.Data;

/// <summary>A rule of the domain said no. Answers 422 (or <see cref="Status"/>) with the rule's own words.</summary>
internal sealed class DomainException(string code, string message, int status = 422) : Exception(message)
{
    public string Code { get; } = code;
    public int Status { get; } = status;
}
