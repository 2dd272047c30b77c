using NotifyActors.Telemetry;
using Xunit;

namespace NotifyActors.Tests.Telemetry;

public sealed class DeadLetterRingSpecs
{
    [Fact]
    public void A_ring_keeps_only_the_most_recent_entries_newest_first()
    {
        var ring = new DeadLetterRing(3);
        for (var i = 0; i < 5; i++)
            ring.Add(new DeadLetterEntry(DateTimeOffset.UnixEpoch.AddSeconds(i), "", $"/user/a{i}", "System.String"));

        Assert.Equal(["/user/a4", "/user/a3", "/user/a2"], ring.Snapshot().Select(entry => entry.Recipient));
    }

    [Fact]
    public void An_empty_ring_is_an_empty_list()
    {
        Assert.Empty(new DeadLetterRing(10).Snapshot());
    }
}
