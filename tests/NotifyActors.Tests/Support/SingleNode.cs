using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Tests.Support;

/// <summary>
/// A spec's actor system as the service runs a single node: a cluster of one (it joins itself), the channels' owners
/// as sharding entities, and the registry in front of them. Messages sent before the node is Up wait in the region.
/// </summary>
internal static class SingleNode
{
    public static IActorRef StartChannels(ActorSystem system, NotifySettings settings, NotifyMetrics metrics)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        var owners = ChannelOwners.Start(system, settings, metrics);
        return system.ActorOf(ChannelRegistry.Props(settings, metrics, owners), "channels");
    }
}
