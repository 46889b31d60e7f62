using Wenming.Web.Infrastructure.Audit;

namespace Wenming.Web.Features.Accounts;

/// <summary>The SMS gateway: a true edge, so it is the one seam here. Production plugs in a carrier's API.</summary>
internal interface ISmsSender
{
    Task SendAsync(string phone, string text, CancellationToken ct);
}

/// <summary>Development and demo: the message goes to the log, where the developer reads the code.</summary>
internal sealed class LoggingSmsSender(ILogger<LoggingSmsSender> logger) : ISmsSender
{
    public Task SendAsync(string phone, string text, CancellationToken ct)
    {
        logger.LogInformation("SMS to {Phone}: {Text}", Masking.Phone(phone), text);
        return Task.CompletedTask;
    }
}
