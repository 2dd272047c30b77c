using NotifyActors.Telemetry;
using Xunit;

namespace NotifyActors.Tests.Telemetry;

/// <summary>The per-processor counter behind the per-frame metrics: nothing lost when every core adds at once.</summary>
public sealed class StripedCounterSpecs
{
    [Fact]
    public async Task Concurrent_additions_and_subtractions_sum_exactly()
    {
        var counter = new StripedCounter();
        const int Threads = 8;
        const int PerThread = 100_000;

        // Each thread adds 2 and takes 1 back per round, from whatever processor it runs on.
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(2);
                counter.Add(-1);
            }
        })));

        Assert.Equal(Threads * PerThread, counter.Sum());
    }

    [Fact]
    public void A_count_can_go_below_zero_and_back()
    {
        var counter = new StripedCounter();
        counter.Add(-5);
        Assert.Equal(-5, counter.Sum());
        counter.Add(7);
        Assert.Equal(2, counter.Sum());
    }
}
