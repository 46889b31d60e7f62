using Wenming.Web.Features.Orders;
using Wenming.Web.Features.Organization;
using Wenming.Web.Infrastructure.Data;
using Wenming.Web.Infrastructure.Problems;

namespace Wenming.Tests.Orders;

/// <summary>
/// What an order offers a person is what it accepts from them. Every preset's orders are walked through every state
/// they can reach (every move any role may make, with both good and bad ratings and both review outcomes, from an order a
/// resident placed and one a grid worker filed); in each state, every role tries every move, and the move succeeds
/// exactly when the order's view would have offered it.
/// </summary>
public sealed class OrderGuardTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Presets => [.. WorkflowPresets.All.Keys];

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_move_offered_is_accepted_and_every_move_not_offered_is_refused(string preset)
    {
        var world = new World(preset);
        var seen = new HashSet<string>();
        var queue = new Queue<List<Move>>();
        queue.Enqueue([new Move(Role.Resident, OrderAction.Confirm, Variant.Start)]);
        queue.Enqueue([new Move(Role.GridWorker, OrderAction.Confirm, Variant.Start)]);
        var checkedMoves = 0;
        var offeredMoves = 0;
        var steps = new HashSet<int>();
        while (queue.Count > 0 && seen.Count < 400)
        {
            var path = queue.Dequeue();
            var order = world.Replay(path);
            if (!seen.Add(World.Key(order)))
            {
                continue;
            }

            steps.Add(order.StepIndex);
            foreach (var role in Enum.GetValues<Role>())
            {
                var actor = world.Actor(order, role);
                var offered = order.ActionsFor(actor);
                foreach (var action in OrderActions.All)
                {
                    checkedMoves++;
                    var isOffered = offered.Contains(action);
                    offeredMoves += isOffered ? 1 : 0;
                    foreach (var variant in World.Variants(action))
                    {
                        var trial = world.Replay(path);
                        var move = new Move(role, action, variant);
                        if (!world.HasInput(trial, move))
                        {
                            continue; // nobody left to assign: not the guard's to say
                        }

                        var refusal = world.TryApply(trial, move);
                        if (isOffered && variant == World.Variants(action)[0])
                        {
                            Assert.True(refusal is null,
                                $"{preset}: {role} was offered {action} at “{order.Step.Name}” ({order.State}) but it was refused: {refusal?.Message}");
                        }
                        else if (!isOffered)
                        {
                            Assert.True(refusal is not null, $"{preset}: {role} was not offered {action} at “{order.Step.Name}” ({order.State}) but it was accepted");
                        }

                        if (refusal is null && path.Count < 24)
                        {
                            queue.Enqueue([.. path, move]);
                        }
                    }
                }
            }
        }

        // The walk reached every step a person handles, and it was not a walk of refusals.
        var handling = Enumerable.Range(0, world.Workflow.Steps.Count).Where(i => world.Workflow.Steps[i].Kind is not (StepKind.Patrol or StepKind.Place));
        Assert.Superset(handling.ToHashSet(), steps);
        Assert.True(offeredMoves > 100, $"{offeredMoves} of {checkedMoves} moves offered");
    }

    [Fact]
    public void A_team_leader_may_escalate_and_the_volunteer_who_claimed_may_reject_and_both_are_offered_it()
    {
        var world = new World("haidian");
        var claimed = world.Replay([new Move(Role.Resident, OrderAction.Confirm, Variant.Start), new Move(Role.OtherVolunteer, OrderAction.Accept, Variant.Main)]);
        Assert.Contains(OrderAction.Reject, claimed.ActionsFor(world.Actor(claimed, Role.OtherVolunteer)));

        var hongta = new World("hongta");
        var atTeam = hongta.Replay([
            new Move(Role.Resident, OrderAction.Confirm, Variant.Start), new Move(Role.StationAdmin, OrderAction.Collect, Variant.Main),
            new Move(Role.CenterAdmin, OrderAction.Dispatch, Variant.Main),
        ]);
        Assert.NotNull(atTeam.HolderTeamId);
        Assert.Contains(OrderAction.Escalate, atTeam.ActionsFor(hongta.Actor(atTeam, Role.TeamLeader)));
    }

    [Fact]
    public void Dispatch_one_level_at_a_time_takes_only_the_teams_of_the_holder_and_above()
    {
        var center = Unit.CreateRoot(Guid.NewGuid(), "中心", "C", Now);
        var institute = center.AddChild(UnitKind.Institute, "所", "I", Now);
        var station = institute.AddChild(UnitKind.Station, "站", "S", Now);
        Assert.Null(DispatchTargets.TeamRefusal(institute, institute, oneLevelAtATime: true));
        Assert.Null(DispatchTargets.TeamRefusal(institute, center, oneLevelAtATime: true));
        Assert.NotNull(DispatchTargets.TeamRefusal(institute, station, oneLevelAtATime: true));
        Assert.Null(DispatchTargets.TeamRefusal(institute, station, oneLevelAtATime: false));
        var other = center.AddChild(UnitKind.Institute, "另一所", "I2", Now);
        Assert.NotNull(DispatchTargets.TeamRefusal(institute, other, oneLevelAtATime: false));
    }

    internal enum Role
    {
        Resident,
        GridWorker,
        CenterAdmin,
        InstituteAdmin,
        StationAdmin,
        OtherStationAdmin,
        TeamLeader,
        TeamMember,
        OtherVolunteer,
        Leader,
    }

    internal enum Variant
    {
        Start,
        Main,
        Second,
    }

    internal sealed record Move(Role Role, OrderAction Action, Variant Variant);

    /// <summary>A district of one center, an institute with two stations, a team at each level, and one person per role.</summary>
    private sealed class World
    {
        private readonly Guid _district = Guid.NewGuid();
        private readonly Unit _center, _institute, _station, _otherStation;
        private readonly Dictionary<Guid, Unit> _units;
        private readonly (Guid Id, Unit Unit)[] _teams;
        private readonly Dictionary<Role, Guid> _users = Enum.GetValues<Role>().ToDictionary(r => r, _ => Guid.NewGuid());
        private readonly Dictionary<Role, Guid> _volunteers;

        public World(string preset)
        {
            Workflow = WorkflowPresets.Create(_district, preset, Now);
            _center = Unit.CreateRoot(_district, "中心", "C", Now);
            _institute = _center.AddChild(UnitKind.Institute, "所", "I", Now);
            _station = _institute.AddChild(UnitKind.Station, "站", "S", Now);
            _otherStation = _institute.AddChild(UnitKind.Station, "另一站", "S2", Now);
            _units = new[] { _center, _institute, _station, _otherStation }.ToDictionary(u => u.Id);
            _teams = [(Guid.NewGuid(), _station), (Guid.NewGuid(), _institute), (Guid.NewGuid(), _center)];
            _volunteers = new Dictionary<Role, Guid> { [Role.TeamLeader] = Guid.NewGuid(), [Role.TeamMember] = Guid.NewGuid(), [Role.OtherVolunteer] = Guid.NewGuid() };
        }

        public WorkflowDefinition Workflow { get; }

        public static Variant[] Variants(OrderAction action) => action switch
        {
            OrderAction.Rate or OrderAction.Review or OrderAction.Dispatch => [Variant.Main, Variant.Second],
            _ => [Variant.Main],
        };

        public Order Replay(List<Move> path)
        {
            var start = path[0];
            var byGridWorker = start.Role == Role.GridWorker;
            var order = new Order(_district, Workflow, "261207TEST01",
                new OrderDetails("上门测血压", null, Guid.NewGuid(), null, null, null, null, null, "刘建国", "13800000020"), _station.Id,
                byGridWorker ? OrderChannel.GridWorker : OrderChannel.App, _users[Role.Resident], byGridWorker ? _users[Role.GridWorker] : null, Now);
            order.File(new OrderActor(_users[start.Role], start.Role.ToString(), false, !byGridWorker, false, null), Places(), byGridWorker ? "hash" : null, null, Now);
            Show(order);
            foreach (var move in path.Skip(1))
            {
                if (TryApply(order, move) is { } refusal)
                {
                    throw new InvalidOperationException($"replaying {move} failed: {refusal.Message}");
                }
            }

            return order;
        }

        /// <summary>How <paramref name="role"/> stands to the order, as OrderAccess works it out from a person's grants.</summary>
        public OrderActor Actor(Order order, Role role)
        {
            var holderPath = _units[order.HolderUnitId].Path;
            var adminOf = role switch
            {
                Role.CenterAdmin => _center,
                Role.InstituteAdmin => _institute,
                Role.StationAdmin => _station,
                Role.OtherStationAdmin => _otherStation,
                _ => null,
            };
            var administers = adminOf is not null && holderPath.StartsWith(adminOf.Path, StringComparison.Ordinal);
            var leads = order.HolderTeamId is { } team && (administers || role == Role.TeamLeader && team == _teams[0].Id);
            var volunteer = _volunteers.TryGetValue(role, out var v) ? v : (Guid?)null;
            // The resident speaks for their order; the grid worker who filed it does not (the resident has an account).
            return new OrderActor(_users[role], role.ToString(), administers, role == Role.Resident, leads, volunteer);
        }

        /// <summary>Whether there is anyone left to choose for the move (everyone may be assigned already).</summary>
        public bool HasInput(Order order, Move move) => move.Action != OrderAction.Assign || FreeVolunteers(order).Count > 0;

        private List<(Guid, string)> FreeVolunteers(Order order)
        {
            var busy = order.Assignments.Where(a => a.WithdrawnAt is null).Select(a => a.VolunteerId).ToHashSet();
            return [.. _volunteers.Values.Where(id => !busy.Contains(id)).Take(1).Select(id => (id, "志愿者"))];
        }

        public Exception? TryApply(Order order, Move move)
        {
            var actor = Actor(order, move.Role);
            try
            {
                Apply(order, actor, move);
                Show(order);
                return null;
            }
            catch (Exception e) when (e is DomainException or AccessDeniedException)
            {
                return e;
            }
        }

        private void Apply(Order order, OrderActor actor, Move move)
        {
            var places = Places();
            switch (move.Action)
            {
                case OrderAction.Confirm:
                    order.Confirm(actor, places, Now);
                    break;
                case OrderAction.Collect or OrderAction.Draft:
                    order.CompleteUnitStep(move.Action, actor, places, null, Now);
                    break;
                case OrderAction.Dispatch:
                    var holder = _units[order.HolderUnitId];
                    var child = _units.Values.FirstOrDefault(u => DispatchTargets.MayPassDown(holder, u));
                    if (move.Variant == Variant.Second && child is not null)
                    {
                        order.DispatchDown(actor, child, holder, Now);
                        break;
                    }

                    // The team at the place if the step may reach it, else the nearest one above that it may.
                    var team = _teams.First(t => DispatchTargets.TeamRefusal(holder, t.Unit, order.Step.OneLevelAtATime) is null);
                    order.DispatchToTeam(actor, holder, team.Id, "队", team.Unit, Now);
                    break;
                case OrderAction.Accept:
                    order.Accept(actor, places, null, Now);
                    break;
                case OrderAction.Resolve:
                    order.Resolve(actor, null, Now);
                    break;
                case OrderAction.Escalate:
                    var parent = _units[order.HolderUnitId].ParentId is { } p ? _units[p] : null;
                    order.Escalate(actor, parent ?? _center, automatic: false, null, Now);
                    break;
                case OrderAction.Reject:
                    order.Reject(actor, "人手不足", Now);
                    break;
                case OrderAction.Assign:
                    order.Assign(actor, FreeVolunteers(order), Now);
                    break;
                case OrderAction.CheckIn:
                    order.CheckIn(actor, null, null, null, 500, Now);
                    break;
                case OrderAction.CheckOut:
                    order.CheckOut(actor, null, null, null, 500, Now.AddHours(1));
                    break;
                case OrderAction.Deliver:
                    order.Deliver(actor, "已完成", places, Now);
                    break;
                case OrderAction.Rate:
                    order.Rate(actor, move.Variant == Variant.Main ? 5 : 1, null, _institute, Now);
                    break;
                case OrderAction.Review:
                    order.Review(actor, redo: move.Variant == Variant.Second, null, Now);
                    break;
                case OrderAction.Reopen:
                    order.Reopen(actor, _institute, "居民反映没有解决", Now);
                    break;
                case OrderAction.Cancel:
                    order.Cancel(actor, null, Now);
                    break;
                case OrderAction.Merge:
                    var other = Replay([new Move(Role.Resident, OrderAction.Confirm, Variant.Start)]);
                    order.MergeInto(actor, other, Now);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(move));
            }
        }

        public static string Key(Order o) =>
            string.Join("|", o.State, o.StepIndex, o.HolderUnitId, o.HolderTeamId, o.HolderVolunteerId, o.ConfirmedAt is null, o.Rating,
                string.Join(",", o.Assignments.Where(a => a.WithdrawnAt is null).OrderBy(a => a.VolunteerId)
                    .Select(a => $"{a.VolunteerId}:{a.CheckInAt is not null}:{a.CheckOutAt is not null}")));

        private OrderPlaces Places() => OrderAccess.Places(_station.Id, [_center, _institute, _station]);

        private void Show(Order order) => order.ShowUnits(_units[order.UnitId], _units[order.HolderUnitId]);
    }
}
