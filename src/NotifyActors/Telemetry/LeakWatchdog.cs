using Akka.Actor;
using Akka.Event;
using NotifyActors.Configuration;

namespace NotifyActors.Telemetry;

/// <summary>
/// Makes a leak announce itself. Every interval it compares live subscriber actors with open
/// sockets and measures the dead-letter rate; when either stays out of bounds for longer than the
/// grace period it sets notify_leak_suspected to 1 and logs one warning with the figures, and it
/// clears both when the numbers agree again.
/// </summary>
public sealed class LeakWatchdog : ReceiveActor, IWithTimers
{
    private readonly NotifyMetrics _metrics;
    private readonly WatchdogSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _lastDeadLetters;
    private DateTime _lastCheck;
    private DateTime? _driftSince;

    /// <param name="clock">Measures the grace period and the dead-letter rate; specs pass one they move by hand.</param>
    public LeakWatchdog(NotifyMetrics metrics, WatchdogSettings settings, TimeProvider clock)
    {
        _metrics = metrics;
        _settings = settings;
        _clock = clock;
        Receive<Check>(_ => OnCheck());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NotifyMetrics metrics, WatchdogSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new LeakWatchdog(metrics, settings, clock ?? TimeProvider.System));

    /// <summary>Compare the figures now; the watchdog's own timer sends it every interval.</summary>
    internal sealed record Check
    {
        public static readonly Check Instance = new();
    }

    protected override void PreStart()
    {
        _lastDeadLetters = _metrics.DeadLetters;
        _lastCheck = Now;
        Timers.StartPeriodicTimer("check", Check.Instance, _settings.Interval);
    }

    private void OnCheck()
    {
        var now = Now;
        var deadLetters = _metrics.DeadLetters;
        var rate = (deadLetters - _lastDeadLetters) / Math.Max((now - _lastCheck).TotalSeconds, 0.001);
        _lastDeadLetters = deadLetters;
        _lastCheck = now;

        var drift = Drift(rate);
        if (drift is null)
        {
            _driftSince = null;
            if (_metrics.LeakSuspected)
                _log.Info("Leak watchdog: clear again ({0} subscriber actors, {1} connections)", _metrics.SubscriberActors, _metrics.Connections);
            _metrics.SetLeakSuspected(null);
            return;
        }

        _driftSince ??= now;
        if (now - _driftSince.Value < _settings.Grace || _metrics.LeakSuspected)
            return;
        _metrics.SetLeakSuspected(drift);
        _log.Warning("Leak watchdog: leak suspected for {0:0}s: {1}", (now - _driftSince.Value).TotalSeconds, drift);
    }

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private string? Drift(double deadLettersPerSecond)
    {
        var actors = _metrics.SubscriberActors;
        var connections = _metrics.Connections;
        if (Math.Abs(actors - connections) > _settings.Tolerance)
            return $"{actors} subscriber actors for {connections} open connections (tolerance {_settings.Tolerance})";
        if (deadLettersPerSecond > _settings.MaxDeadLettersPerSecond)
            return $"{deadLettersPerSecond:0.#} dead letters/s (bound {_settings.MaxDeadLettersPerSecond})";
        return null;
    }
}
