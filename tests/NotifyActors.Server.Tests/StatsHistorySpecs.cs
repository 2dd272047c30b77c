using NotifyActors.Server.Admin;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Tests;

/// <summary>The ring of one-second samples behind the dashboard's charts.</summary>
[Collection(ServerCollection.Name)] // a NotifyMetrics is a Meter named "NotifyActors": keep it away from running services
public sealed class StatsHistorySpecs
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rates_are_per_second_since_the_previous_sample_and_gauges_are_as_sampled()
    {
        using var metrics = new NotifyMetrics();
        var history = new StatsHistory();
        history.Sample(metrics, 1000, Start);
        metrics.ConnectionOpened();
        for (var i = 0; i < 30; i++)
            metrics.Delivered();
        metrics.Published();
        metrics.DeadLetter();

        history.Sample(metrics, 2000, Start.AddSeconds(2));

        var samples = history.Since(null);
        Assert.Equal(2, samples.Count);
        Assert.Equal(0, samples[0].DeliveriesPerSecond); // nothing to compare the first one with
        var second = samples[1];
        Assert.Equal((1L, 15.0, 0.5, 0.5, 2000L), (second.Connections, second.DeliveriesPerSecond, second.PublicationsPerSecond, second.DeadLettersPerSecond, second.GcHeapBytes));
        Assert.Equal(Start.AddSeconds(2).ToUnixTimeMilliseconds(), second.At);
    }

    [Fact]
    public void It_keeps_the_newest_ten_minutes_oldest_first_and_answers_what_came_after_a_time()
    {
        using var metrics = new NotifyMetrics();
        var history = new StatsHistory();
        for (var second = 0; second < StatsHistory.Capacity + 50; second++)
            history.Sample(metrics, second, Start.AddSeconds(second));

        var all = history.Since(null);
        Assert.Equal(StatsHistory.Capacity, all.Count);
        Assert.Equal(50, all[0].GcHeapBytes);
        Assert.Equal(StatsHistory.Capacity + 49, all[^1].GcHeapBytes);
        var after = history.Since(all[^3].At);
        Assert.Equal([all[^2].At, all[^1].At], after.Select(sample => sample.At));
        Assert.Empty(history.Since(all[^1].At));
    }
}
