using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// A client that stops reading fills its kernel buffers (kept small here), then its bounded
/// outbound queue; past either bound it is a slow consumer: closed with 4001, its actor stopped,
/// and no other subscriber waits for it. The close timeout is long so that the spec, reading again
/// once the verdict is in, sees the 4001 close frame behind the backlog.
/// </summary>
public abstract class SlowConsumerSpec(string hocon, ITestOutputHelper output) : ServiceSpec(hocon + """

    notify.heartbeat.interval = 10m
    notify.outbound.close-timeout = 30s
    notify.outbound.write-timeout = 60s
    """, output)
{
    protected const int KernelBuffer = 8 * 1024;
    private const int ReaderLag = 8;

    private static int ReadCount(List<long> offsets)
    {
        lock (offsets)
            return offsets.Count;
    }

    protected async Task Overflowing_the_queue_closes_with_4001_while_a_reader_gets_everything(int publications, int payloadBytes)
    {
        var (stalled, stalledActor, _) = await ConnectAsync(kernelBufferBytes: KernelBuffer);
        var (reader, readerActor, _) = await ConnectAsync();
        await SubscribeAsync(stalled, "burst");
        await SubscribeAsync(reader, "burst");
        var payload = "\"" + new string('x', payloadBytes) + "\"";

        var offsets = new List<long>();
        var received = Task.Run(async () =>
        {
            while (ReadCount(offsets) < publications)
            {
                var frame = await reader.ReceiveSkippingPingsAsync();
                lock (offsets)
                    offsets.Add(frame.GetProperty("offset").GetInt64());
            }
        });
        for (var i = 0; i < publications; i++)
        {
            await PublishAsync("burst", payload);
            // The server never waits for a reader; the spec's reader is just not meant to be slow itself,
            // so the burst is paced to what it reads (the stalled client reads nothing at all).
            if (i % ReaderLag == 0)
                await AwaitConditionAsync(() => Task.FromResult(ReadCount(offsets) >= i - ReaderLag), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));
        }

        ExpectTerminated(stalledActor, TimeSpan.FromSeconds(30));
        Assert.Equal(1, Metrics.SlowConsumerDisconnects);
        Assert.Equal(CloseCodes.SlowConsumer, await stalled.ReceiveCloseAsync(TimeSpan.FromSeconds(30)));

        await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, publications).Select(i => (long)i), offsets);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the reader's actor lives on
        await AwaitAssertAsync(() => Assert.Equal(1, Metrics.SubscriberActors));
        readerActor.Tell(SubscriberActor.Describe.Instance, TestActor);
        Assert.Equal(["burst"], ExpectMsg<SubscriberActor.Described>().Channels);
    }
}

public sealed class SlowConsumerByFramesSpecs(ITestOutputHelper output) : SlowConsumerSpec("""
    notify.outbound { max-frames = 128, max-bytes = 100MiB }
    """, output)
{
    [Fact]
    public Task A_client_that_stops_reading_is_closed_with_4001_when_its_frame_bound_overflows() =>
        Overflowing_the_queue_closes_with_4001_while_a_reader_gets_everything(publications: 5000, payloadBytes: 256);
}

public sealed class SlowConsumerByBytesSpecs(ITestOutputHelper output) : SlowConsumerSpec("""
    notify.outbound { max-frames = 100000, max-bytes = 256KiB }
    """, output)
{
    [Fact]
    public Task A_client_that_stops_reading_is_closed_with_4001_when_its_byte_bound_overflows() =>
        Overflowing_the_queue_closes_with_4001_while_a_reader_gets_everything(publications: 2000, payloadBytes: 4096);
}
