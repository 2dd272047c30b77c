using Akka.Actor;
using Akka.Cluster.Sharding;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// The channels' owners, one per channel in the whole cluster: a Cluster.Sharding entity type whose entity id is the
/// channel's name. <see cref="Start"/> gives the node's shard region, through which every message for an owner goes
/// (<see cref="IChannelMessage"/>: the name is the entity id); the region finds the owner on whichever node its shard
/// lives, and starts it where none runs. Entities are not remembered: an owner with no hub passivates itself, and
/// what a channel with history must keep is in the journal.
/// </summary>
public static class ChannelOwners
{
    public const string TypeName = "channel-owner";

    /// <summary>
    /// Starts this node's region (the node must be, or become, a cluster member: shards are placed on Up members).
    /// Akka's sharding extension owns the region and stops it, handing its shards off, when the node leaves.
    /// </summary>
    public static IActorRef Start(ActorSystem system, NotifySettings settings, NotifyMetrics metrics)
    {
        var sharding = ClusterSharding.Get(system);
        var shardingSettings = ClusterShardingSettings.Create(system);
        return sharding.Start(
            TypeName,
            name => PropsFor(name, settings, metrics),
            shardingSettings,
            new Extractor(settings.Cluster.Shards),
            sharding.DefaultShardAllocationStrategy(shardingSettings),
            OwnerStop.Instance);
    }

    private static Props PropsFor(string name, NotifySettings settings, NotifyMetrics metrics)
    {
        // The registry sends nothing for a name outside the configured namespaces; a node configured differently
        // from the one that sent it would be, and the namespace with no history is the harmless guess.
        var ns = settings.NamespaceOf(name) ?? settings.Namespaces[NamespaceSettings.DefaultName];
        return ns.KeepsHistory
            ? ChannelOwner.Props(name, ns, settings, metrics)
            : EphemeralChannelOwner.Props(name, ns, settings, metrics);
    }

    private sealed class Extractor(int shards) : HashCodeMessageExtractor(shards)
    {
        public override string? EntityId(object message) => (message as IChannelMessage)?.Channel;
    }
}
