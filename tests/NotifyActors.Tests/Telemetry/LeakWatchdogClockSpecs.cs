using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Telemetry;

/// <summary>
/// The watchdog's grace period on a clock moved by hand: its own timer is set too far off to fire while a spec runs,
/// and the spec tells it each check, so no spec waits the grace period out.
/// </summary>
public sealed class LeakWatchdogClockSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private readonly NotifyMetrics _metrics = new();
    private readonly HandClock _clock = new();

    [Fact]
    public void A_drift_within_tolerance_or_shorter_than_the_grace_period_is_not_a_leak_and_one_past_it_is()
    {
        var watchdog = Sys.ActorOf(LeakWatchdog.Props(_metrics, new WatchdogSettings(TimeSpan.FromHours(1), 2, 1000, TimeSpan.FromSeconds(60)), _clock));
        _metrics.ConnectionOpened();
        _metrics.ConnectionOpened();
        _metrics.SubscriberStarted(); // one off: within the tolerance of 2
        CheckAfter(watchdog, TimeSpan.FromMinutes(5));
        Assert.False(_metrics.LeakSuspected);

        for (var i = 0; i < 4; i++)
            _metrics.SubscriberStarted(); // three off: out of tolerance from the next check on
        CheckAfter(watchdog, TimeSpan.FromSeconds(1));
        CheckAfter(watchdog, TimeSpan.FromSeconds(59));
        Assert.False(_metrics.LeakSuspected);

        CheckAfter(watchdog, TimeSpan.FromSeconds(1));
        Assert.True(_metrics.LeakSuspected);
        Assert.Contains("5 subscriber actors for 2 open connections", _metrics.LeakReason);
    }

    /// <summary>Moves the clock, has the watchdog check, and returns once it has (the Identify queues behind the check).</summary>
    private void CheckAfter(IActorRef watchdog, TimeSpan elapsed)
    {
        _clock.Advance(elapsed);
        watchdog.Tell(LeakWatchdog.Check.Instance, ActorRefs.NoSender);
        watchdog.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _metrics.Dispose();
    }

    private sealed class HandClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
