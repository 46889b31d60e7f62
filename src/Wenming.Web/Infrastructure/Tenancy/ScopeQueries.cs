using System.Linq.Expressions;
using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Infrastructure.Tenancy;

internal static class ScopeQueries
{
    private static readonly System.Reflection.MethodInfo StartsWithMethod =
        typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;

    /// <summary>Units the caller reaches: the subtrees of their roles' units (an indexed prefix scan each).</summary>
    public static IQueryable<Unit> VisibleTo(this IQueryable<Unit> units, DataScope scope, params Role[] roles) =>
        units.VisibleTo(scope, u => u.Path, roles);

    /// <summary>
    /// Narrows any query to rows whose unit path lies in the caller's subtrees. The district filter is already
    /// applied by the DbContext; this adds the subtree.
    /// </summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> query, DataScope scope, Expression<Func<T, string>> path,
        params Role[] roles) =>
        scope.IsSystem ? query : query.Where(Expression.Lambda<Func<T, bool>>(Below(scope, path.Body, roles), path.Parameters));

    /// <summary>
    /// Rows attached to a unit at or above one of the caller's units, or anywhere below: what a resident or volunteer
    /// may browse (the teams and menus of their station, institute and center).
    /// </summary>
    public static IQueryable<T> VisibleOrAbove<T>(this IQueryable<T> query, DataScope scope, Expression<Func<T, Guid>> unitId,
        Expression<Func<T, string>> path) =>
        scope.IsSystem ? query : query.Where(VisibleOrAboveFilter(scope, unitId, path));

    /// <summary>The test of <see cref="VisibleOrAbove{T}"/> as a predicate, to combine with others.</summary>
    public static Expression<Func<T, bool>> VisibleOrAboveFilter<T>(DataScope scope, Expression<Func<T, Guid>> unitId, Expression<Func<T, string>> path)
    {
        if (scope.IsSystem)
        {
            return Expression.Lambda<Func<T, bool>>(Expression.Constant(true), unitId.Parameters);
        }

        var ancestors = scope.Grants.SelectMany(g => g.UnitPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Distinct().Select(s => Guid.ParseExact(s, "N")).ToList();
        var pathBody = new ReplaceParameter(path.Parameters[0], unitId.Parameters[0]).Visit(path.Body);
        // Through a closure, as the prefixes are: EF sends the list as a parameter and reuses the compiled query, where a
        // constant list would be part of the query's cache key and every caller's request compiled afresh.
        var list = Expression.Property(Expression.Constant(new AncestorsHolder(ancestors)), nameof(AncestorsHolder.Ids));
        var above = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(Guid)], list, unitId.Body);
        return Expression.Lambda<Func<T, bool>>(Expression.OrElse(above, Below(scope, pathBody, [])), unitId.Parameters);
    }

    /// <summary>The subtree test of <see cref="VisibleTo{T}"/> as a predicate, to combine with others (see <see cref="Or{T}"/>).</summary>
    public static Expression<Func<T, bool>> Within<T>(DataScope scope, Expression<Func<T, string>> path, params Role[] roles) =>
        scope.IsSystem
            ? Expression.Lambda<Func<T, bool>>(Expression.Constant(true), path.Parameters)
            : Expression.Lambda<Func<T, bool>>(Below(scope, path.Body, roles), path.Parameters);

    public static Expression<Func<T, bool>> Or<T>(this Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(
            Expression.OrElse(left.Body, new ReplaceParameter(right.Parameters[0], left.Parameters[0]).Visit(right.Body)), left.Parameters);

    /// <summary>path LIKE root1% OR path LIKE root2% … over the caller's top-most reachable units.</summary>
    private static Expression Below(DataScope scope, Expression path, Role[] roles)
    {
        Expression body = Expression.Constant(false);
        foreach (var root in scope.RootPaths(roles))
        {
            // A closure per root so EF sends each prefix as a parameter.
            var holder = new PrefixHolder(root);
            var startsWith = Expression.Call(path, StartsWithMethod, Expression.Property(Expression.Constant(holder), nameof(PrefixHolder.Prefix)));
            body = body is ConstantExpression ? startsWith : Expression.OrElse(body, startsWith);
        }

        return body;
    }

    private sealed class AncestorsHolder(List<Guid> ids)
    {
        public List<Guid> Ids { get; } = ids;
    }

    private sealed class PrefixHolder(string prefix)
    {
        public string Prefix { get; } = prefix;
    }

    private sealed class ReplaceParameter(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
