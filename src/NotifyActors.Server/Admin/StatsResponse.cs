using NotifyActors.Cluster;

namespace NotifyActors.Server.Admin;

/// <summary>
/// A node's totals and gauges as GET /admin/stats answers them (and each node's, and their sum, in GET /admin/nodes);
/// rates are left to the reader (two samples and their uptime_seconds).
/// </summary>
public sealed record StatsResponse(
    long Connections,
    long SubscriberActors,
    long Channels,
    long ChannelOwners,
    long OutboundQueueDepth,
    long PublicationsTotal,
    long DeliveriesTotal,
    long DeadLettersTotal,
    long SlowConsumerDisconnectsTotal,
    long HeartbeatTimeoutsTotal,
    long SubscriberFailuresTotal,
    bool LeakSuspected,
    string? LeakReason,
    long GcHeapBytes,
    double UptimeSeconds)
{
    public static StatsResponse Of(NodeStats stats) => new(
        stats.Connections,
        stats.SubscriberActors,
        stats.Channels,
        stats.ChannelOwners,
        stats.OutboundQueueDepth,
        stats.Publications,
        stats.Deliveries,
        stats.DeadLetters,
        stats.SlowConsumerDisconnects,
        stats.HeartbeatTimeouts,
        stats.SubscriberFailures,
        stats.LeakReason is not null,
        stats.LeakReason,
        stats.GcHeapBytes,
        stats.UptimeSeconds);

    /// <summary>
    /// The nodes' figures added up; a leak suspected on any node is suspected for the sum (its reasons, by node);
    /// the uptime is the longest.
    /// </summary>
    public static StatsResponse Sum(IReadOnlyList<(string Node, NodeStats Stats)> nodes)
    {
        var reasons = nodes.Where(n => n.Stats.LeakReason is not null).Select(n => $"{n.Node}: {n.Stats.LeakReason}").ToList();
        return new StatsResponse(
            nodes.Sum(n => n.Stats.Connections),
            nodes.Sum(n => n.Stats.SubscriberActors),
            nodes.Sum(n => n.Stats.Channels),
            nodes.Sum(n => n.Stats.ChannelOwners),
            nodes.Sum(n => n.Stats.OutboundQueueDepth),
            nodes.Sum(n => n.Stats.Publications),
            nodes.Sum(n => n.Stats.Deliveries),
            nodes.Sum(n => n.Stats.DeadLetters),
            nodes.Sum(n => n.Stats.SlowConsumerDisconnects),
            nodes.Sum(n => n.Stats.HeartbeatTimeouts),
            nodes.Sum(n => n.Stats.SubscriberFailures),
            reasons.Count > 0,
            reasons.Count > 0 ? string.Join("; ", reasons) : null,
            nodes.Sum(n => n.Stats.GcHeapBytes),
            nodes.Count > 0 ? nodes.Max(n => n.Stats.UptimeSeconds) : 0);
    }
}
