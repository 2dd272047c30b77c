using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Channels;

/// <summary>The channel actor's recovery, history, presence and join/leave, through the registry.</summary>
public sealed class ChannelFeatureSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Hocon = """
        notify.recovery.max-publications = 4
        # A reply carries at most half of it: 2 KiB.
        notify.outbound.max-bytes = 4KiB
        notify.namespaces {
          feed  { history-size = 10, history-ttl = 10m }
          brief { history-size = 10, history-ttl = 1s }
          room  { presence = on, join-leave = on }
          seen  { presence = on, join-leave = off }
        }
        """;

    private readonly NotifyMetrics _metrics = new();
    private readonly IActorRef _channels;

    public ChannelFeatureSpecs(ITestOutputHelper output) : base(SpecConfig.Defaults, output: output)
    {
        var settings = NotifySettings.Create(ConfigurationFactory.ParseString(Hocon).WithFallback(NotifyConfig.Defaults));
        _channels = SingleNode.StartChannels(Sys, settings, _metrics);
    }

    [Fact]
    public void Subscribe_with_recover_gets_the_missed_publications_in_order_then_live_ones()
    {
        var first = Publish("feed:news", "1");
        Publish("feed:news", "2");
        Publish("feed:news", "3");
        var subscriber = CreateTestProbe();

        _channels.Tell(new Subscribe("feed:news", 1, new RecoveryPosition(1, first.Epoch), Member("a")), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();
        Publish("feed:news", "4");

        Assert.True(ack.Recovered);
        Assert.Equal(3, ack.Offset);
        Assert.Equal([(2L, "2"), (3L, "3")], ack.Publications.Select(p => (p.Offset, Encoding.UTF8.GetString(p.Data))));
        Assert.Equal(4, subscriber.ExpectMsg<Publication>().Offset);
    }

    [Fact]
    public void Subscribe_without_recover_answers_no_recovery_fields()
    {
        Publish("feed:news", "1");
        var subscriber = CreateTestProbe();

        _channels.Tell(new Subscribe("feed:news", 1, null, Member("a")), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();

        Assert.Null(ack.Recovered);
        Assert.Empty(ack.Publications);
    }

    [Theory]
    [InlineData(0, false)] // 5 missed: more than max-publications (4)
    [InlineData(1, true)]  // 4 missed: exactly the cap
    [InlineData(5, true)]  // nothing missed
    [InlineData(6, false)] // past the current offset
    public void Recovery_needs_the_epoch_every_missed_publication_and_at_most_the_cap(long from, bool recovered)
    {
        string epoch = "";
        for (var i = 1; i <= 5; i++)
            epoch = Publish("feed:news", i.ToString()).Epoch;
        var subscriber = CreateTestProbe();

        _channels.Tell(new Subscribe("feed:news", 1, new RecoveryPosition(from, epoch), Member("a")), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();

        Assert.Equal(recovered, ack.Recovered);
        Assert.Equal(recovered ? Enumerable.Range((int)from + 1, 5 - (int)from).Select(i => (long)i) : [], ack.Publications.Select(p => p.Offset));
        Assert.Equal(5, ack.Offset);
    }

    [Fact]
    public void Recovery_in_another_epoch_is_refused_with_the_current_position()
    {
        var published = Publish("feed:news", "1");
        var subscriber = CreateTestProbe();

        _channels.Tell(new Subscribe("feed:news", 1, new RecoveryPosition(0, "x" + published.Epoch), Member("a")), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();

        Assert.False(ack.Recovered);
        Assert.Empty(ack.Publications);
        Assert.Equal((1L, published.Epoch), (ack.Offset, ack.Epoch));
    }

    [Fact]
    public void History_answers_the_newest_the_ones_after_a_position_or_null_for_a_lost_position()
    {
        string epoch = "";
        for (var i = 1; i <= 5; i++)
            epoch = Publish("feed:news", i.ToString()).Epoch;

        var all = History(new HistoryQuery("feed:news", 1, null, null));
        var newest = History(new HistoryQuery("feed:news", 2, 2, null));
        var since = History(new HistoryQuery("feed:news", 3, null, new RecoveryPosition(3, epoch)));
        var sinceLimited = History(new HistoryQuery("feed:news", 4, 1, new RecoveryPosition(1, epoch)));
        var otherEpoch = History(new HistoryQuery("feed:news", 5, null, new RecoveryPosition(3, "x" + epoch)));

        Assert.Equal((1L, 5L, epoch), (all.RequestId, all.Offset, all.Epoch));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], all.Publications!.Select(p => p.Offset));
        Assert.Equal([4L, 5L], newest.Publications!.Select(p => p.Offset));
        Assert.Equal([4L, 5L], since.Publications!.Select(p => p.Offset));
        Assert.Equal([2L], sinceLimited.Publications!.Select(p => p.Offset));
        Assert.Null(otherEpoch.Publications);
        Assert.Equal(5, otherEpoch.RequestId);
    }

    [Fact]
    public void One_reply_carries_no_more_history_than_half_the_outbound_queue()
    {
        string epoch = "";
        // Each takes 500 bytes and its framing in a reply: four of them are more than 2 KiB.
        for (var i = 1; i <= 10; i++)
            epoch = Publish("feed:big", $"\"{new string('x', 498)}\"").Epoch;

        var newest = History(new HistoryQuery("feed:big", 1, null, null));
        var since = History(new HistoryQuery("feed:big", 2, null, new RecoveryPosition(2, epoch)));
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:big", 1, new RecoveryPosition(7, epoch), Member("a")), subscriber);
        var recovered = subscriber.ExpectMsg<SubscribeAck>();
        _channels.Tell(new Subscribe("feed:big", 2, new RecoveryPosition(6, epoch), Member("b")), subscriber);
        var tooMuch = subscriber.ExpectMsg<SubscribeAck>();

        Assert.Equal([8L, 9L, 10L], newest.Publications!.Select(p => p.Offset));
        Assert.Equal([3L, 4L, 5L], since.Publications!.Select(p => p.Offset));
        Assert.Equal((true, 3), (recovered.Recovered, recovered.Publications.Count));
        Assert.Equal((false, 0), (tooMuch.Recovered, tooMuch.Publications.Count));
    }

    [Fact]
    public void Presence_lists_every_member_and_follows_unsubscribe_and_termination()
    {
        var alice = Subscribed("seen:lobby", Member("alice"));
        var bob = Subscribed("seen:lobby", Member("bob"));
        var carol = Subscribed("seen:lobby", Member("carol"));
        Assert.Equal(["alice", "bob", "carol"], Presence("seen:lobby"));

        _channels.Tell(new Unsubscribe("seen:lobby"), bob.Ref);
        Sys.Stop(carol.Ref);

        AwaitAssert(() => Assert.Equal(["alice"], Presence("seen:lobby")), TimeSpan.FromSeconds(10));
        alice.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // still subscribed, and told nothing: join-leave is off here
    }

    [Fact]
    public void Join_goes_to_the_other_members_only_and_leave_to_those_who_stay()
    {
        var alice = Subscribed("room:lobby", Member("alice"));

        var bob = Subscribed("room:lobby", Member("bob"));
        Assert.Equal("""{"type":"join","channel":"room:lobby","client":"client-bob","user":"bob"}""", Frame(alice.ExpectMsg<MembershipEvent>()));
        Publish("room:lobby", "1");
        Assert.Equal(1, bob.ExpectMsg<Publication>().Offset); // the publication is bob's next message: no join of himself
        Assert.Equal(1, alice.ExpectMsg<Publication>().Offset);

        Sys.Stop(bob.Ref);
        Assert.Equal("""{"type":"leave","channel":"room:lobby","client":"client-bob","user":"bob"}""", Frame(alice.ExpectMsg<MembershipEvent>()));
    }

    [Fact]
    public void Namespace_without_join_leave_sends_no_membership_events()
    {
        var alice = Subscribed("seen:lobby", Member("alice"));
        var bob = Subscribed("seen:lobby", Member("bob"));
        Sys.Stop(bob.Ref);
        AwaitAssert(() => Assert.Equal(["alice"], Presence("seen:lobby")), TimeSpan.FromSeconds(10));

        Publish("seen:lobby", "1");

        Assert.Equal(1, alice.ExpectMsg<Publication>().Offset);
    }

    [Fact]
    public void Presence_query_of_an_unused_channel_leaves_no_channel_behind()
    {
        Assert.Empty(Presence("seen:nobody"));

        AwaitAssert(() => Assert.Equal(0, _metrics.Channels), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Channel_with_history_stops_when_idle_and_its_successor_continues_the_sequence()
    {
        var first = Publish("brief:quiet", "1");
        var second = Publish("brief:quiet", "2");
        Assert.Equal((2L, first.Epoch), (second.Offset, second.Epoch));

        AwaitAssert(() => Assert.Equal(0, _metrics.Channels), TimeSpan.FromSeconds(10));
        var successor = Publish("brief:quiet", "3");
        Assert.Equal((3L, first.Epoch), (successor.Offset, successor.Epoch));
    }

    [Fact]
    public void A_subscriber_that_left_recovers_what_was_published_after_the_channel_stopped()
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:fresh", 1, null, Member("a")), subscriber);
        var left = subscriber.ExpectMsg<SubscribeAck>();
        _channels.Tell(new Unsubscribe("feed:fresh"), subscriber);
        AwaitAssert(() => Assert.Equal(0, _metrics.Channels), TimeSpan.FromSeconds(10));

        var published = Publish("feed:fresh", "1");
        Assert.Equal((left.Offset + 1, left.Epoch), (published.Offset, published.Epoch));
        var back = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:fresh", 2, new RecoveryPosition(left.Offset, left.Epoch), Member("a")), back);
        Assert.True(back.ExpectMsg<SubscribeAck>().Recovered);
        Sys.Stop(back.Ref);

        AwaitAssert(() => Assert.Equal(0, _metrics.Channels), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Channel_in_a_namespace_without_history_stops_when_idle_and_comes_back_with_a_new_epoch()
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("room:lobby", 1, null, Member("a")), subscriber);
        var left = subscriber.ExpectMsg<SubscribeAck>();
        _channels.Tell(new Unsubscribe("room:lobby"), subscriber);

        AwaitAssert(() => Assert.Equal((0L, 0L), (_metrics.Channels, _metrics.ChannelOwners)), TimeSpan.FromSeconds(10));
        Assert.NotEqual(left.Epoch, Publish("room:lobby", "1").Epoch);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _metrics.Dispose();
    }

    private static ChannelMember Member(string user) => new("client-" + user, user);

    private TestProbe Subscribed(string channel, ChannelMember member)
    {
        var probe = CreateTestProbe();
        _channels.Tell(new Subscribe(channel, 1, null, member), probe);
        probe.ExpectMsg<SubscribeAck>();
        return probe;
    }

    private PublishAck Publish(string channel, string json)
    {
        _channels.Tell(new Publish(channel, Encoding.UTF8.GetBytes(json)), TestActor);
        return ExpectMsg<PublishAck>();
    }

    private HistoryResult History(HistoryQuery query)
    {
        _channels.Tell(query, TestActor);
        return ExpectMsg<HistoryResult>();
    }

    private List<string> Presence(string channel)
    {
        var probe = CreateTestProbe();
        _channels.Tell(new PresenceQuery(channel, 7), probe);
        var result = probe.ExpectMsg<PresenceResult>();
        Assert.Equal(7, result.RequestId);
        return result.Members.Select(m => m.User).Order().ToList();
    }

    private static string Frame(MembershipEvent membershipEvent) => Encoding.UTF8.GetString(membershipEvent.FrameFor(ClientDialects.Native));
}
