namespace Wenming.Web.Features.Orders;

/// <summary>A move a person makes on an order. <see cref="Order.Refusal"/> decides both what is offered and what is accepted.</summary>
internal enum OrderAction
{
    Confirm,
    Collect,
    Draft,
    Dispatch,
    Accept,
    Resolve,
    Escalate,
    Reject,
    Assign,
    CheckIn,
    CheckOut,
    Deliver,
    Rate,
    Review,
    Reopen,
    Cancel,
    Merge,
}

/// <summary>The moves' names on the wire (<c>/actions/{name}</c>, <c>actions</c> in the order's view) and on the timeline.</summary>
internal static class OrderActions
{
    public static readonly IReadOnlyList<OrderAction> All = Enum.GetValues<OrderAction>();

    private static readonly Dictionary<string, OrderAction> ByName = All.ToDictionary(Name, a => a, StringComparer.Ordinal);

    public static string Name(OrderAction action) => action switch
    {
        OrderAction.CheckIn => "check-in",
        OrderAction.CheckOut => "check-out",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? name, out OrderAction action) => ByName.TryGetValue(name ?? "", out action);

    /// <summary>The move that completes a step done by a unit's admin, if the step is one.</summary>
    public static OrderAction? ForUnitStep(StepKind kind) => kind switch
    {
        StepKind.Collect => OrderAction.Collect,
        StepKind.Draft => OrderAction.Draft,
        StepKind.Accept => OrderAction.Accept,
        _ => null,
    };
}

/// <summary>
/// What else the timeline records besides the moves (a move's entry is named <see cref="OrderActions.Name"/>): the order's
/// entry, the clock's doings, and side notes.
/// </summary>
internal static class OrderEventKinds
{
    public const string Place = "place";
    public const string File = "file";
    public const string EscalateTimeout = "escalate-timeout";
    public const string Overdue = "overdue";
    public const string CloseTimeout = "close-timeout";
    public const string ReviewOpen = "review-open";
    public const string Photo = "photo";
    public const string Project = "project";
}
