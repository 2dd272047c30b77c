using NotifyActors.Telemetry;

namespace NotifyActors.Server.Admin;

/// <summary>
/// The last ten minutes of the service's main figures, one sample a second, for the dashboard's charts
/// (GET /admin/stats/history): a page opened now shows what happened before it was opened. A fixed
/// ring, so it costs the same whatever the uptime. Written by <see cref="StatsSampler"/> only; read by
/// HTTP requests (hence the lock).
/// </summary>
public sealed class StatsHistory
{
    public const int Capacity = 600;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly StatsSample[] _samples = new StatsSample[Capacity];
    private readonly Lock _lock = new();
    private long _written;
    private Totals? _previous; // only the sampler's thread touches it

    /// <summary>Takes one sample now; rates are per second since the previous sample (0 for the first).</summary>
    public void Sample(NotifyMetrics metrics, long gcHeapBytes, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        var totals = new Totals(metrics.Publications, metrics.Deliveries, metrics.DeadLetters, at);
        var before = _previous is { } previous && at > previous.At ? previous : totals;
        var seconds = Math.Max(1, at - before.At) / 1000.0;
        var sample = new StatsSample(
            at,
            metrics.Connections,
            metrics.SubscriberActors,
            metrics.Channels,
            Rate(totals.Publications - before.Publications, seconds),
            Rate(totals.Deliveries - before.Deliveries, seconds),
            Rate(totals.DeadLetters - before.DeadLetters, seconds),
            gcHeapBytes);
        _previous = totals;
        lock (_lock)
        {
            _samples[_written % Capacity] = sample;
            _written++;
        }
    }

    /// <summary>The kept samples taken after <paramref name="afterUnixMs"/> (all when null), oldest first.</summary>
    public IReadOnlyList<StatsSample> Since(long? afterUnixMs)
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_written, Capacity);
            var result = new List<StatsSample>(count);
            for (var i = count; i >= 1; i--)
            {
                var sample = _samples[(_written - i) % Capacity];
                if (afterUnixMs is null || sample.At > afterUnixMs)
                    result.Add(sample);
            }
            return result;
        }
    }

    private static double Rate(long count, double seconds) => Math.Round(Math.Max(0, count) / seconds, 2);

    private readonly record struct Totals(long Publications, long Deliveries, long DeadLetters, long At);
}

/// <summary>One second of the service: gauges, rates per second since the sample before, GC heap.</summary>
public sealed record StatsSample(
    long At,
    long Connections,
    long SubscriberActors,
    long Channels,
    double PublicationsPerSecond,
    double DeliveriesPerSecond,
    double DeadLettersPerSecond,
    long GcHeapBytes);
