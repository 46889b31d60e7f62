using System.Linq.Expressions;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Infrastructure.Tenancy;

internal static class ScopeQueries
{
    /// <summary>Units the caller reaches: the subtrees of their roles' units (an indexed prefix scan each).</summary>
    public static IQueryable<Unit> VisibleTo(this IQueryable<Unit> units, DataScope scope, params Role[] roles) =>
        units.VisibleTo(scope, u => u.Path, roles);

    /// <summary>
    /// Narrows any query to rows whose unit path lies in the caller's subtrees. The district filter is already
    /// applied by the DbContext; this adds the subtree.
    /// </summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> query, DataScope scope, Expression<Func<T, string>> path,
        params Role[] roles)
    {
        if (scope.IsSystem)
        {
            return query;
        }

        var roots = scope.RootPaths(roles);
        if (roots.Count == 0)
        {
            return query.Where(_ => false);
        }

        Expression? body = null;
        foreach (var root in roots)
        {
            // A closure per root so EF sends each prefix as a parameter.
            var holder = new PrefixHolder(root);
            var startsWith = Expression.Call(path.Body, StartsWithMethod,
                Expression.Property(Expression.Constant(holder), nameof(PrefixHolder.Prefix)));
            body = body is null ? startsWith : Expression.OrElse(body, startsWith);
        }

        return query.Where(Expression.Lambda<Func<T, bool>>(body!, path.Parameters));
    }

    private static readonly System.Reflection.MethodInfo StartsWithMethod =
        typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;

    private sealed class PrefixHolder(string prefix)
    {
        public string Prefix { get; } = prefix;
    }
}
