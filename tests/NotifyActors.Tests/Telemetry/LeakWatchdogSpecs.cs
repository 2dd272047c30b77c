using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Telemetry;

public sealed class LeakWatchdogSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private readonly NotifyMetrics _metrics = new();

    [Fact]
    public void Sockets_without_subscriber_actors_past_the_grace_period_raise_the_flag_until_they_agree_again()
    {
        Sys.ActorOf(LeakWatchdog.Props(_metrics, new WatchdogSettings(TimeSpan.FromMilliseconds(100), 2, 1000, TimeSpan.FromMilliseconds(500))));

        for (var i = 0; i < 5; i++)
            _metrics.ConnectionOpened();

        AwaitAssert(() => Assert.True(_metrics.LeakSuspected), TimeSpan.FromSeconds(10));
        Assert.Contains("0 subscriber actors for 5 open connections", _metrics.LeakReason);

        for (var i = 0; i < 5; i++)
            _metrics.ConnectionClosed();

        AwaitAssert(() => Assert.False(_metrics.LeakSuspected), TimeSpan.FromSeconds(10));
        Assert.Null(_metrics.LeakReason);
    }

    [Fact]
    public void A_dead_letter_storm_raises_the_flag()
    {
        Sys.ActorOf(LeakWatchdog.Props(_metrics, new WatchdogSettings(TimeSpan.FromMilliseconds(200), 2, 10, TimeSpan.FromMilliseconds(300))));
        Sys.ActorOf(DeadLetterCounter.Props(_metrics, new DeadLetterRing(10)));
        var gone = Sys.ActorOf(Props.Empty);
        Watch(gone);
        Sys.Stop(gone);
        ExpectTerminated(gone);

        // Each attempt sends another 100 dead letters, until the watchdog has seen the rate for its grace period.
        AwaitAssert(() =>
        {
            for (var i = 0; i < 100; i++)
                gone.Tell(i, ActorRefs.NoSender);
            Assert.True(_metrics.LeakSuspected);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        Assert.Contains("dead letters/s", _metrics.LeakReason);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _metrics.Dispose();
    }
}
