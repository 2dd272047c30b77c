using System.Diagnostics.Metrics;

namespace NotifyActors.Telemetry;

/// <summary>
/// The service's numbers. One instance per service (not static: tests run several services in one
/// process). Gauges are plain fields read when the exporter scrapes; counters are Meter counters.
/// The values are also readable directly, for specs and the leak watchdog.
/// </summary>
public sealed class NotifyMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _publications;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _slowConsumers;
    private readonly Counter<long> _heartbeatTimeouts;
    private readonly Counter<long> _subscriberFailures;

    private long _connections;
    private long _subscriberActors;
    private long _channels;
    private long _outboundQueueDepth;
    private long _leakSuspected;
    private string? _leakReason;
    private long _deadLettersTotal;
    private long _publicationsTotal;
    private long _deliveriesTotal;
    private long _slowConsumersTotal;
    private long _heartbeatTimeoutsTotal;
    private long _subscriberFailuresTotal;

    public NotifyMetrics()
    {
        _meter = new Meter(MetricNames.Meter);
        _meter.CreateObservableGauge(MetricNames.Connections, () => Connections, "{connection}", "Open client WebSockets.");
        _meter.CreateObservableGauge(MetricNames.SubscriberActors, () => SubscriberActors, "{actor}", "Live subscriber actors (one per connection; drifting from connections means a leak).");
        _meter.CreateObservableGauge(MetricNames.Channels, () => Channels, "{actor}", "Live channel actors.");
        _meter.CreateObservableGauge(MetricNames.OutboundQueueDepth, () => OutboundQueueDepth, "{frame}", "Frames queued for sockets across all connections.");
        _meter.CreateObservableGauge(MetricNames.LeakSuspected, () => Interlocked.Read(ref _leakSuspected), null, "1 while the leak watchdog sees subscriber actors and sockets disagree, else 0.");
        _deadLetters = _meter.CreateCounter<long>(MetricNames.DeadLetters, "{message}", "Messages sent to actors that no longer exist or dropped by Akka.");
        _publications = _meter.CreateCounter<long>(MetricNames.Publications, "{publication}", "Publications accepted by channels.");
        _deliveries = _meter.CreateCounter<long>(MetricNames.Deliveries, "{frame}", "Publication frames written to sockets.");
        _slowConsumers = _meter.CreateCounter<long>(MetricNames.SlowConsumerDisconnects, "{connection}", "Connections closed with 4001 because their outbound queue overflowed or a write stalled.");
        _heartbeatTimeouts = _meter.CreateCounter<long>(MetricNames.HeartbeatTimeouts, "{connection}", "Connections closed with 4000 because the client showed no sign of life.");
        _subscriberFailures = _meter.CreateCounter<long>(MetricNames.SubscriberFailures, "{failure}", "Subscriber actors stopped by their supervisor after an exception.");
        // Counters are exported only after their first Add; start every series at 0 so scrapes always show it.
        foreach (var counter in new[] { _deadLetters, _publications, _deliveries, _slowConsumers, _heartbeatTimeouts, _subscriberFailures })
            counter.Add(0);
    }

    public long Connections => Interlocked.Read(ref _connections);
    public long SubscriberActors => Interlocked.Read(ref _subscriberActors);
    public long Channels => Interlocked.Read(ref _channels);
    public long OutboundQueueDepth => Interlocked.Read(ref _outboundQueueDepth);
    public bool LeakSuspected => Interlocked.Read(ref _leakSuspected) == 1;
    public long DeadLetters => Interlocked.Read(ref _deadLettersTotal);
    public long Publications => Interlocked.Read(ref _publicationsTotal);
    public long Deliveries => Interlocked.Read(ref _deliveriesTotal);
    public long SlowConsumerDisconnects => Interlocked.Read(ref _slowConsumersTotal);
    public long HeartbeatTimeouts => Interlocked.Read(ref _heartbeatTimeoutsTotal);
    public long SubscriberFailures => Interlocked.Read(ref _subscriberFailuresTotal);

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);
    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);
    public void SubscriberStarted() => Interlocked.Increment(ref _subscriberActors);
    public void SubscriberStopped() => Interlocked.Decrement(ref _subscriberActors);
    public void ChannelStarted() => Interlocked.Increment(ref _channels);
    public void ChannelStopped() => Interlocked.Decrement(ref _channels);
    public void OutboundQueued(long frames) => Interlocked.Add(ref _outboundQueueDepth, frames);
    /// <summary>Why the leak watchdog suspects a leak, or null while it does not.</summary>
    public string? LeakReason => Volatile.Read(ref _leakReason);

    public void SetLeakSuspected(string? reason)
    {
        Volatile.Write(ref _leakReason, reason);
        Interlocked.Exchange(ref _leakSuspected, reason is null ? 0 : 1);
    }

    public void DeadLetter() => Count(_deadLetters, ref _deadLettersTotal);
    public void Published() => Count(_publications, ref _publicationsTotal);
    public void Delivered() => Count(_deliveries, ref _deliveriesTotal);
    public void SlowConsumerDisconnected() => Count(_slowConsumers, ref _slowConsumersTotal);
    public void HeartbeatTimedOut() => Count(_heartbeatTimeouts, ref _heartbeatTimeoutsTotal);
    public void SubscriberFailed() => Count(_subscriberFailures, ref _subscriberFailuresTotal);

    public void Dispose() => _meter.Dispose();

    private static void Count(Counter<long> counter, ref long total)
    {
        Interlocked.Increment(ref total);
        counter.Add(1);
    }
}
