using Akka.Actor;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

public sealed class ClosingSpecs(ITestOutputHelper output) : ServiceSpec("""
    notify.heartbeat.interval = 10m
    notify.outbound { write-timeout = 60s, close-timeout = 30s }
    """, output)
{
    [Fact]
    public async Task A_server_close_delivers_every_frame_queued_before_it_then_the_close_frame()
    {
        const int publications = 600;
        // Small kernel buffers and a client that reads only after the close was decided: most frames are still queued.
        var (client, subscriber, lifetime) = await ConnectAsync(kernelBufferBytes: 8 * 1024);
        var (offset, _) = await SubscribeAsync(client, "news");
        for (var i = 0; i < publications; i++)
            await PublishAsync("news", "\"" + new string('x', 200) + "\"");

        // A publish is answered once the channel's hub has it, not once the subscriber has: wait until the subscriber
        // has taken every publication (written, or queued for the socket), so that the close comes behind all of them,
        // with most still queued.
        AwaitAssert(() => Assert.Equal(publications, Metrics.Deliveries + Metrics.OutboundQueueDepth), TimeSpan.FromSeconds(10));
        subscriber.Tell(new SubscriberActor.Disconnect(CloseReason.Disconnected));

        for (var expected = offset + 1; expected <= offset + publications; expected++)
            Assert.Equal(expected, (await client.ReceiveSkippingPingsAsync()).GetProperty("offset").GetInt64());
        Assert.Equal(CloseCodes.Disconnected, await client.ReceiveCloseAsync());
        ExpectTerminated(subscriber);
        await client.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
