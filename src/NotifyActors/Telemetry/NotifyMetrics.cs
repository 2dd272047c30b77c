using System.Diagnostics.Metrics;

namespace NotifyActors.Telemetry;

/// <summary>
/// The service's numbers. One instance per service (not static: tests run several services in one
/// process). Every number is changed with one atomic operation; the two changed for every frame
/// (deliveries, outbound queue depth) are striped per processor (<see cref="StripedCounter"/>). The
/// exporter reads them through observable instruments when it scrapes. The values are also readable directly, for specs, the admin API and the leak watchdog.
/// </summary>
public sealed class NotifyMetrics : IDisposable
{
    private readonly Meter _meter;

    private long _connections;
    private long _subscriberActors;
    private long _channels;
    private long _channelOwners;
    // Changed for every frame or delivery, on every core: striped (see StripedCounter).
    private readonly StripedCounter _outboundQueueDepth = new();
    private string? _leakReason;
    private long _deadLettersTotal;
    private long _publicationsTotal;
    private readonly StripedCounter _deliveriesTotal = new();
    private long _slowConsumersTotal;
    private long _heartbeatTimeoutsTotal;
    private long _subscriberFailuresTotal;
    private long _tcpConnections;
    private long _tcpRefusedNodeLimit;
    private long _tcpRefusedAddressLimit;
    private long _tcpRefusedAdminLimit;
    private long _clusterMembers;
    private long _channelRepairs;
    private long _clusterUnreachable;
    private long _clusterUnreachableEvents;
    private readonly Histogram<double> _crossNodeLag;

    public NotifyMetrics()
    {
        _meter = new Meter(MetricNames.Meter);
        _meter.CreateObservableGauge(MetricNames.Connections, () => Connections, "{connection}", "Open client WebSockets.");
        _meter.CreateObservableGauge(MetricNames.SubscriberActors, () => SubscriberActors, "{actor}", "Live subscriber actors (one per connection; drifting from connections means a leak).");
        _meter.CreateObservableGauge(MetricNames.Channels, () => Channels, "{actor}", "Live channel hubs: channels with subscribers (or just left by them) on this node.");
        _meter.CreateObservableGauge(MetricNames.ChannelOwners, () => ChannelOwners, "{actor}", "Live channel owners on this node: the one writer of each channel's offsets, one per channel in the cluster.");
        _meter.CreateObservableGauge(MetricNames.OutboundQueueDepth, () => OutboundQueueDepth, "{frame}", "Frames queued for sockets across all connections.");
        _meter.CreateObservableGauge(MetricNames.LeakSuspected, () => LeakSuspected ? 1 : 0, null, "1 while the leak watchdog sees subscriber actors and sockets disagree, else 0.");
        _meter.CreateObservableCounter(MetricNames.DeadLetters, () => DeadLetters, "{message}", "Messages sent to actors that no longer exist or dropped by Akka.");
        _meter.CreateObservableCounter(MetricNames.Publications, () => Publications, "{publication}", "Publications accepted by channels.");
        _meter.CreateObservableCounter(MetricNames.Deliveries, () => Deliveries, "{frame}", "Publication frames written to sockets.");
        _meter.CreateObservableCounter(MetricNames.SlowConsumerDisconnects, () => SlowConsumerDisconnects, "{connection}", "Connections closed with 4001 because their outbound queue overflowed or a write stalled.");
        _meter.CreateObservableCounter(MetricNames.HeartbeatTimeouts, () => HeartbeatTimeouts, "{connection}", "Connections closed with 4000 because the client showed no sign of life.");
        _meter.CreateObservableCounter(MetricNames.SubscriberFailures, () => SubscriberFailures, "{failure}", "Subscriber actors stopped by their supervisor after an exception.");
        _meter.CreateObservableCounter(MetricNames.ChannelRepairs, () => ChannelRepairs, "{publication}", "Publications a channel hub missed (lost between nodes, or stored while its owner changed) and fetched again from the owner's history.");
        _meter.CreateObservableGauge(MetricNames.ClusterMembers, () => ClusterMembers, "{node}", "Cluster members Up, as this node sees them.");
        _meter.CreateObservableGauge(MetricNames.ClusterUnreachable, () => ClusterUnreachable, "{node}", "Cluster members this node cannot reach.");
        _meter.CreateObservableCounter(MetricNames.ClusterUnreachableEvents, () => ClusterUnreachableEvents, "{event}",
            "Times this node marked a member unreachable (a member that died, or one too busy to answer heartbeats in time, which the gauge no longer shows once it answers again).");
        _crossNodeLag = _meter.CreateHistogram(MetricNames.CrossNodeLag, "s",
            "From a channel's owner on another node sending publications to this node's hub receiving them (the two nodes' wall clocks: keep them in sync).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _meter.CreateObservableGauge(MetricNames.TcpConnections, () => TcpConnections, "{connection}", "TCP connections open on the public listeners: WebSockets, upgrades in progress, server API connections.");
        _meter.CreateObservableCounter(MetricNames.TcpRefused, () => (Measurement<long>[])
        [
            new(Interlocked.Read(ref _tcpRefusedNodeLimit), new KeyValuePair<string, object?>("reason", MetricNames.TcpRefusal.NodeLimit)),
            new(Interlocked.Read(ref _tcpRefusedAddressLimit), new KeyValuePair<string, object?>("reason", MetricNames.TcpRefusal.AddressLimit)),
            new(Interlocked.Read(ref _tcpRefusedAdminLimit), new KeyValuePair<string, object?>("reason", MetricNames.TcpRefusal.AdminLimit)),
        ], "{connection}", "TCP connections closed as soon as accepted, by reason: the node's limit (notify.tcp.max-connections), one address's (max-pending-per-address), the admin listeners' (max-admin-connections).");
    }

    public long Connections => Interlocked.Read(ref _connections);
    public long SubscriberActors => Interlocked.Read(ref _subscriberActors);
    public long Channels => Interlocked.Read(ref _channels);
    public long ChannelOwners => Interlocked.Read(ref _channelOwners);
    public long ClusterMembers => Interlocked.Read(ref _clusterMembers);
    public long ChannelRepairs => Interlocked.Read(ref _channelRepairs);
    public long ClusterUnreachable => Interlocked.Read(ref _clusterUnreachable);
    public long ClusterUnreachableEvents => Interlocked.Read(ref _clusterUnreachableEvents);
    public long OutboundQueueDepth => _outboundQueueDepth.Sum();
    public bool LeakSuspected => LeakReason is not null;
    public long DeadLetters => Interlocked.Read(ref _deadLettersTotal);
    public long Publications => Interlocked.Read(ref _publicationsTotal);
    public long Deliveries => _deliveriesTotal.Sum();
    public long SlowConsumerDisconnects => Interlocked.Read(ref _slowConsumersTotal);
    public long HeartbeatTimeouts => Interlocked.Read(ref _heartbeatTimeoutsTotal);
    public long SubscriberFailures => Interlocked.Read(ref _subscriberFailuresTotal);
    public long TcpConnections => Interlocked.Read(ref _tcpConnections);
    public long TcpRefused => Interlocked.Read(ref _tcpRefusedNodeLimit) + Interlocked.Read(ref _tcpRefusedAddressLimit) + Interlocked.Read(ref _tcpRefusedAdminLimit);

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);
    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);
    public void SubscriberStarted() => Interlocked.Increment(ref _subscriberActors);
    public void SubscriberStopped() => Interlocked.Decrement(ref _subscriberActors);
    /// <summary>The cluster as this node sees it now (set by the cluster monitor on every membership or reachability change).</summary>
    public void MemberUnreachable() => Interlocked.Increment(ref _clusterUnreachableEvents);

    public void ClusterChanged(int members, int unreachable)
    {
        Interlocked.Exchange(ref _clusterMembers, members);
        Interlocked.Exchange(ref _clusterUnreachable, unreachable);
    }

    /// <summary>Records one batch of publications that crossed from another node (a clock step backwards counts as 0).</summary>
    public void CrossNodeLag(TimeSpan lag) => _crossNodeLag.Record(Math.Max(0, lag.TotalSeconds));

    public void Repaired(int publications) => Interlocked.Add(ref _channelRepairs, publications);

    public void OwnerStarted() => Interlocked.Increment(ref _channelOwners);
    public void OwnerStopped() => Interlocked.Decrement(ref _channelOwners);

    public void ChannelStarted() => Interlocked.Increment(ref _channels);
    public void ChannelStopped() => Interlocked.Decrement(ref _channels);
    public void OutboundQueued(long frames) => _outboundQueueDepth.Add(frames);
    /// <summary>Why the leak watchdog suspects a leak, or null while it does not.</summary>
    public string? LeakReason => Volatile.Read(ref _leakReason);

    /// <summary>Null clears the suspicion.</summary>
    public void SetLeakSuspected(string? reason) => Volatile.Write(ref _leakReason, reason);

    public void DeadLetter() => Interlocked.Increment(ref _deadLettersTotal);
    public void Published() => Interlocked.Increment(ref _publicationsTotal);
    public void Delivered() => _deliveriesTotal.Add(1);
    public void SlowConsumerDisconnected() => Interlocked.Increment(ref _slowConsumersTotal);
    public void HeartbeatTimedOut() => Interlocked.Increment(ref _heartbeatTimeoutsTotal);
    public void SubscriberFailed() => Interlocked.Increment(ref _subscriberFailuresTotal);
    public void TcpConnectionOpened() => Interlocked.Increment(ref _tcpConnections);
    public void TcpConnectionClosed() => Interlocked.Decrement(ref _tcpConnections);

    /// <summary>A TCP connection refused, for one of <see cref="MetricNames.TcpRefusal"/>'s reasons.</summary>
    public void TcpRefusedFor(string reason)
    {
        switch (reason)
        {
            case MetricNames.TcpRefusal.NodeLimit:
                Interlocked.Increment(ref _tcpRefusedNodeLimit);
                break;
            case MetricNames.TcpRefusal.AddressLimit:
                Interlocked.Increment(ref _tcpRefusedAddressLimit);
                break;
            default:
                Interlocked.Increment(ref _tcpRefusedAdminLimit);
                break;
        }
    }

    public void Dispose() => _meter.Dispose();
}
