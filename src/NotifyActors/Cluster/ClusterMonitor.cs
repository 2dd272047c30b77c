using Akka.Actor;
using Akka.Cluster;
using NotifyActors.Telemetry;
using static Akka.Cluster.ClusterEvent;

namespace NotifyActors.Cluster;

/// <summary>
/// /user/cluster-monitor: keeps notify_cluster_members (members Up) and notify_cluster_unreachable as this node sees
/// the cluster. It follows the events themselves: the cluster's read view (Cluster.State) is updated by another actor
/// and may not have seen an event yet when this one gets it. Akka's cluster extension ends the subscription when this
/// actor stops.
/// </summary>
public sealed class ClusterMonitor : UntypedActor
{
    private readonly NotifyMetrics _metrics;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<UniqueAddress, Member> _members = [];
    private readonly HashSet<UniqueAddress> _unreachable = [];

    public ClusterMonitor(NotifyMetrics metrics) => _metrics = metrics;

    public static Props Props(NotifyMetrics metrics) => Akka.Actor.Props.Create(() => new ClusterMonitor(metrics));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(IMemberEvent), typeof(IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
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
                _unreachable.Add(unreachable.Member.UniqueAddress);
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
