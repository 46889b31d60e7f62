using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Wenming.Web.Infrastructure.Audit;
using Wenming.Web.Infrastructure.Data;

namespace Wenming.Web.Infrastructure.Problems;

/// <summary>Turns the domain's refusals into problem details: one mapping for every endpoint.</summary>
internal sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = exception switch
        {
            DomainException d => Problems.Create(http, d.Status, d.Code, d.Message),
            NotVisibleException => Problems.NotFound(http),
            InputException i => Problems.Validation(http, i.Errors),
            AccessDeniedException a => Problems.Forbidden(http, a.Message),
            DbUpdateConcurrencyException => Problems.Create(http, 409, "stale-version", "数据已被他人修改，请刷新后重试"),
            // Text PostgreSQL cannot store (a NUL character) is bad input, not a conflict.
            DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CharacterNotInRepertoire or Npgsql.PostgresErrorCodes.UntranslatableCharacter } } =>
                Problems.Create(http, 400, "unstorable-text", "提交的文字含有无法保存的字符（如空字符 U+0000），请删除后重试"),
            // A unique index refused a row another request wrote a moment earlier (a double submit, a taken code).
            DbUpdateException => Problems.Create(http, 409, "conflict", "与刚刚提交的数据冲突（可能是重复提交），请刷新后查看"),
            BadHttpRequestException b => Problems.Create(http, b.StatusCode, "bad-request", "请求格式有误：" + b.Message),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
            result = Problems.Create(http, 500, "server-error", "服务出错，请稍后再试");
        }

        if (exception is AccessDeniedException)
        {
            await RefusalAudit.WriteAsync(http, ct);
        }

        await result.ExecuteAsync(http);
        return true;
    }
}
