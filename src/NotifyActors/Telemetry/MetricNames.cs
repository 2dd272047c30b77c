namespace NotifyActors.Telemetry;

/// <summary>
/// Instrument names, defined once. The Prometheus exporter turns dots into underscores and adds
/// "_total" to counters, giving the series names of PROTOCOL.md section 4.
/// </summary>
public static class MetricNames
{
    public const string Meter = "NotifyActors";
    public const string Connections = "notify.connections";
    public const string SubscriberActors = "notify.subscriber_actors";
    public const string Channels = "notify.channels";
    public const string ChannelOwners = "notify.channel_owners";
    public const string OutboundQueueDepth = "notify.outbound_queue_depth";
    public const string LeakSuspected = "notify.leak_suspected";
    public const string DeadLetters = "notify.dead_letters";
    public const string Publications = "notify.publications";
    public const string Deliveries = "notify.deliveries";
    public const string SlowConsumerDisconnects = "notify.slow_consumer_disconnects";
    public const string HeartbeatTimeouts = "notify.heartbeat_timeouts";
    public const string SubscriberFailures = "notify.subscriber_failures";
    public const string ChannelRepairs = "notify.channel_repairs";
    public const string ClusterMembers = "notify.cluster_members";
    public const string ClusterUnreachable = "notify.cluster_unreachable";
    public const string ClusterUnreachableEvents = "notify.cluster_unreachable_events";
    // The exporter adds the unit: notify_cluster_publication_lag_seconds (a histogram).
    public const string CrossNodeLag = "notify.cluster_publication_lag";
    public const string TcpConnections = "notify.tcp_connections";
    public const string TcpRefused = "notify.tcp_refused";

    /// <summary>The "reason" of a refused TCP connection (notify_tcp_refused_total).</summary>
    public static class TcpRefusal
    {
        public const string NodeLimit = "node_limit";
        public const string AddressLimit = "address_limit";
        public const string AdminLimit = "admin_limit";
    }
}
