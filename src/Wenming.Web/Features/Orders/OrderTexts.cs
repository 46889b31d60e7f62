using Wenming.Web.Features.Accounts;
using Wenming.Web.Features.Organization;

namespace Wenming.Web.Features.Orders;

/// <summary>An order in words, for its page, the API's view and the Open311 answer.</summary>
internal static class OrderTexts
{
    public static string StateName(OrderState s) => s switch
    {
        OrderState.AwaitingConfirmation => "待确认",
        OrderState.Open => "办理中",
        OrderState.InService => "服务中",
        OrderState.Delivered => "待评价",
        OrderState.Closed => "已办结",
        OrderState.UnderReview => "复核中",
        OrderState.Cancelled => "已取消",
        OrderState.Rejected => "已退回",
        OrderState.Merged => "已合并",
        _ => s.ToString(),
    };

    /// <summary>Who acts next.</summary>
    public static string Next(Order order, string holderName) => order.State switch
    {
        OrderState.AwaitingConfirmation => "等待居民确认需求",
        OrderState.Open or OrderState.InService => $"等待“{order.Step.Name}”：{PerformerName(order.Step)}（{holderName}）",
        OrderState.Delivered => "等待群众评价",
        OrderState.UnderReview => $"等待 {holderName} 复核",
        OrderState.Merged => "已与其他订单合并",
        _ => "已办结",
    };

    public static string PerformerName(WorkflowStep step) => step.Kind switch
    {
        StepKind.Accept when step.Performer == Role.Volunteer => "就近志愿者",
        StepKind.Accept when step.Performer == Role.TeamLeader => "志愿服务队队长",
        StepKind.Deliver => "志愿者",
        _ => Roles.ChineseName(step.Performer, step.Level ?? UnitKind.Station),
    };
}

/// <summary>
/// Where the holder of an order at a dispatch step may send it: the rule the dispatch move applies and the ranking of
/// teams keeps to, so that no recommended team is refused.
/// </summary>
internal static class DispatchTargets
{
    /// <summary>派单 down a level: an open institute, station or sub-center right below the holder.</summary>
    public static bool MayPassDown(Unit holder, Unit child) =>
        child.ParentId == holder.Id && !child.IsClosed && child.Kind is UnitKind.Institute or UnitKind.Station or UnitKind.SubCenter;

    /// <summary>Why a team at <paramref name="teamUnit"/> may not take the holder's order, or null if it may.</summary>
    public static string? TeamRefusal(Unit holder, Unit teamUnit, bool oneLevelAtATime) => TeamRefusal(holder.Path, teamUnit.Path, oneLevelAtATime);

    /// <summary>
    /// Teams of the holder's line: its own, those below it, and those above it that serve its area (the institute's
    /// brigade). 层层派单 (<paramref name="oneLevelAtATime"/>) reaches a team further down through the units between.
    /// </summary>
    public static string? TeamRefusal(string holderPath, string teamUnitPath, bool oneLevelAtATime)
    {
        var above = holderPath.StartsWith(teamUnitPath, StringComparison.Ordinal); // the holder's own unit included
        if (!above && !teamUnitPath.StartsWith(holderPath, StringComparison.Ordinal))
        {
            return "只能派给本单位、下级或上级单位的队伍";
        }

        return oneLevelAtATime && !above ? "本区层层派单：请先派给下一级所、站，由其派给本单位的队伍" : null;
    }
}
