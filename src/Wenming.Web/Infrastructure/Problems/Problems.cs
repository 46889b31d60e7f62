using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace Wenming.Web.Infrastructure.Problems;

/// <summary>
/// RFC 9457 problem details in the user's language. The <c>type</c> is stable (urn:wenming:problem:CODE); the
/// Chinese text comes from the rule itself, the English one from Resources/SharedResource.en.resx by code.
/// </summary>
internal static class Problems
{
    public const string TypePrefix = "urn:wenming:problem:";

    /// <param name="englishArguments">What the English text's placeholders ({0}, …) stand for; the Chinese detail is written out already.</param>
    public static ProblemHttpResult Create(HttpContext http, int status, string code, string chineseDetail,
        IDictionary<string, string[]>? errors = null, params object[] englishArguments)
    {
        var l = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        var english = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";
        var detail = english ? Localized(l, code, chineseDetail, englishArguments) : chineseDetail;
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: Title(status, english),
            type: TypePrefix + code, extensions: extensions);
    }

    public static ProblemHttpResult NotFound(HttpContext http) =>
        Create(http, 404, "not-found", "找不到该对象，或您无权查看");

    public static ProblemHttpResult Forbidden(HttpContext http, string chineseDetail = "您的角色无权执行此操作") =>
        Create(http, 403, "forbidden", chineseDetail);

    public static ProblemHttpResult Validation(HttpContext http, IDictionary<string, string[]> errors) =>
        Create(http, 400, "validation", "提交的内容有误，请检查标出的字段", errors);

    public static string Title(int status, bool english) => status switch
    {
        400 => english ? "The request is not valid" : "请求内容有误",
        401 => english ? "Please sign in" : "请先登录",
        403 => english ? "Not allowed" : "无权操作",
        404 => english ? "Not found" : "未找到",
        409 => english ? "Conflict" : "状态冲突",
        413 => english ? "Too large" : "内容过大",
        422 => english ? "A rule does not allow this" : "不符合规则",
        429 => english ? "Too many requests" : "请求过于频繁",
        _ => english ? "Something went wrong" : "服务出错",
    };

    private static string Localized(IStringLocalizer l, string code, string fallback, object[] arguments)
    {
        // Formatted only with arguments: a text without placeholders may hold braces of its own.
        var s = arguments.Length == 0 ? l["problem." + code] : l["problem." + code, arguments];
        return s.ResourceNotFound ? fallback : s.Value;
    }
}

/// <summary>
/// How a feature whose clients expect errors of their own kind (not problem details) words a refusal made before its
/// endpoints run, for requests under <see cref="Prefix"/>: registered by the feature, used by the rate limiter.
/// </summary>
internal sealed record RefusalWriter(PathString Prefix, Func<HttpContext, int, int, Task> Write)
{
    /// <param name="retryAfterSeconds">When the caller may try again.</param>
    public Task WriteAsync(HttpContext http, int status, int retryAfterSeconds) => Write(http, status, retryAfterSeconds);
}
