using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

public sealed class SupervisionSpecs(ITestOutputHelper output) : ServiceSpec("", output)
{
    [Fact]
    public async Task An_exception_inside_a_subscriber_stops_it_instead_of_restarting_and_is_counted()
    {
        var (client, subscriber, lifetime) = await ConnectAsync();
        var (offset, epoch) = await SubscribeAsync(client, "faulty");

        // A publication without a frame makes the actor throw while it delivers.
        subscriber.Tell(new Publication("faulty", offset + 1, epoch, null!));

        ExpectTerminated(subscriber);
        Assert.Equal(1, Metrics.SubscriberFailures);
        Assert.Equal(CloseCodes.InternalError, await client.ReceiveCloseAsync());
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        // Not restarted: the supervisor has no child left, and the channel let it go.
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(0, Metrics.SubscriberActors);
            Assert.Equal(0, Metrics.Channels);
        });
        var identity = await Sys.ActorSelection("/user/connections/*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5));
        Assert.Null(identity.Subject);
    }

    [Fact]
    public async Task A_client_close_stops_the_subscriber_and_releases_its_channels_without_dead_letters()
    {
        var (client, subscriber, lifetime) = await ConnectAsync();
        await SubscribeAsync(client, "a", id: 1);
        await SubscribeAsync(client, "b", id: 2);
        Assert.Equal(2, Metrics.Channels);

        await client.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        ExpectTerminated(subscriber);
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(0, Metrics.SubscriberActors);
            Assert.Equal(0, Metrics.Channels);
            Assert.Equal(0, Metrics.OutboundQueueDepth);
        });
        Assert.Equal(0, Metrics.DeadLetters);
    }

    [Fact]
    public async Task A_text_frame_that_is_not_utf8_closes_with_1007_as_rfc_6455_requires()
    {
        var (client, subscriber, lifetime) = await ConnectAsync();

        await client.Socket.SendAsync(new byte[] { (byte)'{', 0xff, 0xfe, (byte)'}' }, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        Assert.Equal(1007, await client.ReceiveCloseAsync());
        await client.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        ExpectTerminated(subscriber);
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_abrupt_drop_stops_the_subscriber()
    {
        var (client, subscriber, lifetime) = await ConnectAsync();
        await SubscribeAsync(client, "a");

        client.Socket.Abort();
        client.Dispose();

        ExpectTerminated(subscriber);
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(() => Assert.Equal(0, Metrics.Channels));
    }
}
