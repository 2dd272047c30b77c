using Akka.Actor;
using Akka.Cluster;
using NotifyActors.Telemetry;
using static Akka.Cluster.ClusterEvent;

namespace NotifyActors.Cluster;

/// <summary>
/// /user/cluster-monitor: keeps notify_cluster_members (members Up) and notify_cluster_unreachable as this node sees
/// the cluster. It follows the events themselves: the cluster's read view (Cluster.State) is updated by another actor
/// and may not have seen an event yet when this one gets it. Akka's cluster extension ends the subscription when this
/// actor stops. It also answers, on this node, which members there are (<see cref="GetMembers"/>): the nodes to ask
/// for a cluster-wide answer, and notifyctl's nodes.
/// </summary>
public sealed class ClusterMonitor : UntypedActor
{
    private readonly NotifyMetrics _metrics;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];

    public ClusterMonitor(NotifyMetrics metrics) => _metrics = metrics;

    public static Props Props(NotifyMetrics metrics) => Akka.Actor.Props.Create(() => new ClusterMonitor(metrics));

    /// <summary>Asks for the members as this node sees them, answered by <see cref="Members"/>.</summary>
    public sealed record GetMembers
    {
        public static readonly GetMembers Instance = new();
    }

    /// <summary>The members, by address.</summary>
    public sealed record Members(IReadOnlyList<MemberView> List);

    /// <summary>A member: its address, status and roles, and whether this node can reach it.</summary>
    public sealed record MemberView(Address Address, MemberStatus Status, IReadOnlyCollection<string> Roles, bool Reachable, bool IsSelf)
    {
        /// <summary>host:port, how operators name a node (notifyctl nodes, notifyctl leave).</summary>
        public string Node => $"{Address.Host}:{Address.Port}";
    }

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case GetMembers:
                Sender.Tell(new Members(_members.Values
                    .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
                    .Select(m => new MemberView(m.Address, m.Status, m.Roles, !_unreachable.Contains(m.UniqueAddress), m.UniqueAddress.Equals(_cluster.SelfUniqueAddress)))
                    .ToList()));
                return;
            case CurrentClusterState state:
                foreach (var member in state.Members)
                    _members[member.UniqueAddress] = member;
                foreach (var member in state.Unreachable)
                    _unreachable.Add(member.UniqueAddress);
                break;
            case MemberRemoved removed:
                _members.Remove(removed.Member.UniqueAddress);
                _unreachable.Remove(removed.Member.UniqueAddress);
                break;
            case IMemberEvent changed:
                _members[changed.Member.UniqueAddress] = changed.Member;
                break;
            case UnreachableMember unreachable:
                if (_unreachable.Add(unreachable.Member.UniqueAddress))
                    _metrics.MemberUnreachable();
                break;
            case ReachableMember reachable:
                _unreachable.Remove(reachable.Member.UniqueAddress);
                break;
            default:
                Unhandled(message);
                return;
        }
        _metrics.ClusterChanged(_members.Values.Count(m => m.Status == MemberStatus.Up), _unreachable.Count);
    }
}
