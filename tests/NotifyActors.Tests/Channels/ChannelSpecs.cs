using Akka.Configuration;
using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.TestKit;
using NotifyActors.Channels;
using NotifyActors.Protocol;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Channels;

public sealed class ChannelSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ChannelMember Member = new("client", "user");
    private readonly NotifyMetrics _metrics = new();
    private readonly IActorRef _channels;

    public ChannelSpecs(ITestOutputHelper output) : base(SpecConfig.Defaults, output: output)
    {
        // Channels stop as soon as they are idle: every spec here races with passivation.
        var settings = NotifySettings.Create(ConfigurationFactory.ParseString("notify.channels.idle-timeout = 0s").WithFallback(NotifyConfig.Defaults));
        _channels = SingleNode.StartChannels(Sys, settings, _metrics);
    }

    [Fact]
    public void A_subscriber_gets_the_current_position_then_every_later_publication()
    {
        Publish("news", "1");
        var subscriber = CreateTestProbe();

        _channels.Tell(new Subscribe("news", 1, null, Member), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();
        Publish("news", "\"second\"");

        var publication = subscriber.ExpectMsg<Publication>();
        Assert.Equal(ack.Offset + 1, publication.Offset);
        Assert.Equal(ack.Epoch, publication.Epoch);
        Assert.Equal($$"""{"type":"pub","channel":"news","offset":{{publication.Offset}},"data":"second"}""", Encoding.UTF8.GetString(publication.FrameFor(ClientDialects.Native)));
    }

    [Fact]
    public void Every_subscriber_receives_the_same_encoded_frame()
    {
        var first = Subscribed("news");
        var second = Subscribed("news");

        Publish("news", "{\"a\":1}");

        Assert.Same(first.ExpectMsg<Publication>().FrameFor(ClientDialects.Native), second.ExpectMsg<Publication>().FrameFor(ClientDialects.Native));
    }

    [Fact]
    public void A_channel_drops_a_terminated_subscriber_and_keeps_delivering_to_the_others()
    {
        var leaving = Subscribed("news");
        var staying = Subscribed("news");

        Sys.Stop(leaving.Ref);
        ExpectTerminatedOf(leaving);
        // The channel lives on for the remaining subscriber...
        var ack = Publish("news", "1");
        Assert.Equal(ack.Offset, staying.ExpectMsg<Publication>().Offset);

        // ...and, once that one is gone too, has nothing left and stops.
        Sys.Stop(staying.Ref);
        AwaitAssert(() => Assert.Equal(0, _metrics.Channels), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_channel_without_subscribers_stops_and_its_successor_starts_a_new_epoch()
    {
        var first = Publish("quiet", "1");
        AwaitAssert(() => Assert.Equal((0L, 0L), (_metrics.Channels, _metrics.ChannelOwners)), TimeSpan.FromSeconds(10));

        var second = Publish("quiet", "2");

        Assert.Equal(1, second.Offset);
        Assert.NotEqual(first.Epoch, second.Epoch);
    }

    [Fact]
    public async Task Offsets_stay_gap_free_and_ordered_under_concurrent_publishers()
    {
        const int publishers = 8;
        const int each = 500;
        var subscriber = Subscribed("busy");
        var acknowledged = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var ack = await _channels.Ask<PublishAck>(new Publish("busy", Encoding.UTF8.GetBytes($"[{p},{i}]")), TimeSpan.FromSeconds(10));
                acknowledged.Add(ack.Offset);
            }
        })));

        var expected = Enumerable.Range(1, publishers * each).Select(i => (long)i).ToList();
        Assert.Equal(expected, acknowledged.Order());
        var delivered = subscriber.ReceiveN(publishers * each, TimeSpan.FromSeconds(30)).Cast<Publication>().Select(p => p.Offset);
        Assert.Equal(expected, delivered);
    }

    [Fact]
    public async Task Subscribes_racing_with_passivation_are_never_lost()
    {
        // A channel's hub with no subscribers passivates as soon as the last one leaves; the next
        // subscribe, sent at once, races with that and waits in the registry: each must be answered, by the old or
        // the new incarnation.
        var previous = CreateTestProbe();
        _channels.Tell(new Subscribe("flappy", 0, null, Member), previous);
        await previous.ExpectMsgAsync<SubscribeAck>(TimeSpan.FromSeconds(10));
        // A subscribe is answered by the channel's hub on this node: each hub that answers is one incarnation.
        var hubs = new HashSet<IActorRef> { previous.LastSender };
        for (var round = 1; round <= 200; round++)
        {
            _ = _channels.Ask<PublishAck>(new Publish("flappy", Encoding.UTF8.GetBytes("1")), TimeSpan.FromSeconds(10));
            _channels.Tell(new Unsubscribe("flappy"), previous);
            var probe = CreateTestProbe();
            _channels.Tell(new Subscribe("flappy", round, null, Member), probe);
            await probe.ExpectMsgAsync<SubscribeAck>(TimeSpan.FromSeconds(10));
            hubs.Add(probe.LastSender);
            previous = probe;
        }
        _channels.Tell(new Unsubscribe("flappy"), previous);
        // The race happened: the channel passivated between rounds, and the subscribes still got their answers.
        Assert.True(hubs.Count > 1, $"the channel's hub never passivated in 200 rounds ({hubs.Count} incarnation)");
        await AwaitAssertAsync(() => Assert.Equal((0L, 0L), (_metrics.Channels, _metrics.ChannelOwners)), TimeSpan.FromSeconds(10));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _metrics.Dispose();
    }

    private TestProbe Subscribed(string channel)
    {
        var probe = CreateTestProbe();
        _channels.Tell(new Subscribe(channel, 1, null, Member), probe);
        probe.ExpectMsg<SubscribeAck>();
        return probe;
    }

    private PublishAck Publish(string channel, string json)
    {
        _channels.Tell(new Publish(channel, Encoding.UTF8.GetBytes(json)), TestActor);
        return ExpectMsg<PublishAck>();
    }

    private void ExpectTerminatedOf(TestProbe probe)
    {
        Watch(probe.Ref);
        ExpectTerminated(probe.Ref);
    }
}
