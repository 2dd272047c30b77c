using NotifyActors.Telemetry;

namespace NotifyActors.Cluster;

// What any node asks another node's agent (NodeAgent, /user/node) to answer for the whole cluster: each node answers
// for itself, and the asker sums or merges (ClusterNodes in the server). A disconnect goes the same way, as
// ConnectionsSupervisor.DisconnectClients.

/// <summary>Asks a node for its figures, answered by <see cref="NodeStats"/>.</summary>
public sealed record NodeStatsQuery : INodeMessage
{
    public static readonly NodeStatsQuery Instance = new();
}

/// <summary>One node's totals and gauges, as its /metrics has them.</summary>
public sealed record NodeStats(
    long Connections,
    long SubscriberActors,
    long Channels,
    long ChannelOwners,
    long OutboundQueueDepth,
    long Publications,
    long Deliveries,
    long DeadLetters,
    long SlowConsumerDisconnects,
    long HeartbeatTimeouts,
    long SubscriberFailures,
    string? LeakReason,
    long GcHeapBytes,
    double UptimeSeconds) : INodeMessage
{
    public static NodeStats Of(NotifyMetrics metrics, DateTimeOffset started) => new(
        metrics.Connections,
        metrics.SubscriberActors,
        metrics.Channels,
        metrics.ChannelOwners,
        metrics.OutboundQueueDepth,
        metrics.Publications,
        metrics.Deliveries,
        metrics.DeadLetters,
        metrics.SlowConsumerDisconnects,
        metrics.HeartbeatTimeouts,
        metrics.SubscriberFailures,
        metrics.LeakReason,
        GC.GetTotalMemory(forceFullCollection: false),
        Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 3));
}

/// <summary>Asks a node for its channels with subscribers there whose names start with <see cref="Prefix"/>.</summary>
public sealed record NodeChannelsQuery(string Prefix) : INodeMessage;

/// <summary>A channel and how many subscribers it has on the answering node.</summary>
public sealed record ChannelCount(string Channel, int Subscribers);

/// <summary>A node's answer to <see cref="NodeChannelsQuery"/>.</summary>
public sealed record NodeChannels(IReadOnlyList<ChannelCount> Channels) : INodeMessage;
