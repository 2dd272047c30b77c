using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Connections;
using NotifyActors.Telemetry;

namespace NotifyActors.Cluster;

/// <summary>
/// /user/node on every node: answers for this node what another node (or this one) asks in order to answer for the
/// whole cluster (NodeMessages.cs): its figures, its channels, disconnecting its clients. It holds nothing
/// but what it was given, so it has nothing to lose on a restart.
/// </summary>
public sealed class NodeAgent : UntypedActor
{
    public const string Name = "node";

    private readonly NotifyMetrics _metrics;
    private readonly IActorRef _connections;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly ChannelDirectory _directory = ChannelDirectory.For(Context.System);

    public NodeAgent(NotifyMetrics metrics, IActorRef connections)
    {
        _metrics = metrics;
        _connections = connections;
    }

    /// <param name="connections">This node's <see cref="ConnectionsSupervisor"/>.</param>
    public static Props Props(NotifyMetrics metrics, IActorRef connections) =>
        Akka.Actor.Props.Create(() => new NodeAgent(metrics, connections));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case NodeStatsQuery:
                Sender.Tell(NodeStats.Of(_metrics, _started));
                break;
            case NodeChannelsQuery query:
                Sender.Tell(new NodeChannels(_directory.List(query.Prefix).Select(c => new ChannelCount(c.Name, c.Subscribers)).ToList()));
                break;
            case ConnectionsSupervisor.DisconnectClients disconnect:
                _connections.Forward(disconnect);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}
