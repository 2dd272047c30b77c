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

/// <summary>
/// Channels in namespaces with history: their sequence is journaled by a <see cref="ChannelOwner"/>, so
/// it outlives the channel's actors. The journal is Akka's in-memory one (made to fail on demand), which
/// lives as long as the actor system: what a stopped channel's successor recovers came from it.
/// </summary>
public sealed class DurableChannelSpecs : Akka.TestKit.Xunit2.TestKit
{
    private const string Hocon = """
        notify.channels.idle-timeout = 100ms
        notify.namespaces {
          feed  { history-size = 10, history-ttl = 10m }
          short { history-size = 3, history-ttl = 10m }
          brief { history-size = 10, history-ttl = 1s }
        }
        akka.persistence.journal.plugin = "akka.persistence.journal.failing"
        akka.persistence.journal.failing {
          class = "NotifyActors.Tests.Channels.FailingJournal, NotifyActors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """;

    private static readonly ChannelMember Member = new("client", "user");
    private readonly NotifyMetrics _metrics = new();
    private readonly IActorRef _channels;

    public DurableChannelSpecs(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString(Hocon).WithFallback(SpecConfig.Defaults), output: output)
    {
        _channels = SingleNode.StartChannels(Sys, NotifySettings.Create(Sys.Settings.Config), _metrics);
    }

    [Fact]
    public void A_channel_recovers_its_epoch_offset_and_history_after_its_actors_stopped()
    {
        var first = Publish("feed:news", "1");
        for (var i = 2; i <= 5; i++)
            Publish("feed:news", i.ToString());
        AwaitPassivated();

        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:news", 1, new RecoveryPosition(2, first.Epoch), Member), subscriber);
        var ack = subscriber.ExpectMsg<SubscribeAck>();

        Assert.Equal((5L, first.Epoch, (bool?)true), (ack.Offset, ack.Epoch, ack.Recovered));
        Assert.Equal(["3", "4", "5"], ack.Publications.Select(p => Encoding.UTF8.GetString(p.Data)));
        Assert.Equal((6L, first.Epoch), Offset(Publish("feed:news", "6")));
        Assert.Equal(6, subscriber.ExpectMsg<Publication>().Offset);
    }

    [Fact]
    public void A_namespace_without_history_writes_nothing_to_the_journal()
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("plain", 1, null, Member), subscriber);
        subscriber.ExpectMsg<SubscribeAck>();
        for (var i = 1; i <= 5; i++)
            Publish("plain", i.ToString());
        Publish("feed:written", "1");

        Assert.Equal(0, JournalEvents("plain"));
        Assert.Equal(0, FailingJournal.Writes("plain"));
        // The same journal took the publication of a namespace with history: the count above could have moved.
        Assert.Equal(2, FailingJournal.Writes("feed:written"));
    }

    [Fact]
    public void An_unpublished_channel_keeps_the_epoch_it_handed_out()
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:empty", 1, null, Member), subscriber);
        var left = subscriber.ExpectMsg<SubscribeAck>();
        Sys.Stop(subscriber.Ref);
        AwaitPassivated();

        var back = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:empty", 2, new RecoveryPosition(left.Offset, left.Epoch), Member), back);

        var again = back.ExpectMsg<SubscribeAck>();
        Assert.Equal((0L, left.Epoch, (bool?)true), (again.Offset, again.Epoch, again.Recovered));
    }

    [Fact]
    public void History_after_recovery_is_bounded_by_its_size()
    {
        for (var i = 1; i <= 40; i++)
            Publish("short:news", i.ToString());
        AwaitPassivated();

        var history = History("short:news");

        Assert.Equal(40, history.Offset);
        Assert.Equal([38L, 39L, 40L], history.Publications!.Select(p => p.Offset));
    }

    [Fact]
    public void Snapshots_keep_the_journal_bounded_and_recovery_starts_from_them()
    {
        for (var i = 1; i <= 200; i++)
            Publish("short:busy", i.ToString());

        // history-size 3: a snapshot every 16 publications, which deletes the events it covers. One
        // publication per event here (each waited for its answer), so at most 16 events stay.
        AwaitAssert(() => Assert.InRange(JournalEvents("short:busy"), 0, 16), TimeSpan.FromSeconds(5));
        AwaitPassivated();
        var history = History("short:busy");
        Assert.Equal(200, history.Offset);
        Assert.Equal([198L, 199L, 200L], history.Publications!.Select(p => p.Offset));
    }

    [Fact]
    public void History_after_recovery_is_bounded_by_its_ttl_and_the_position_stays()
    {
        var published = Publish("brief:news", "1");
        AwaitPassivated();

        AwaitAssert(() =>
        {
            var history = History("brief:news");
            Assert.Equal((1L, published.Epoch), (history.Offset, history.Epoch));
            Assert.Empty(history.Publications!);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public void A_query_waiting_for_a_slow_recovery_keeps_the_channel_until_it_is_answered()
    {
        Publish("feed:slow", "1");
        AwaitPassivated();
        var release = new TaskCompletionSource();
        FailingJournal.HoldNextReplay("feed:slow", release.Task);

        var asker = CreateTestProbe();
        _channels.Tell(new HistoryQuery("feed:slow", 7, null, null), asker);
        // Longer than the idle timeout: a channel that counted itself idle would have passivated and lost the query.
        asker.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        release.SetResult();

        var result = asker.ExpectMsg<HistoryResult>();
        Assert.Equal((7L, 1L), (result.RequestId, result.Offset));
    }

    [Fact]
    public void A_failed_write_answers_its_publisher_and_leaves_no_gap_for_the_subscribers()
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe("feed:flaky", 1, null, Member), subscriber);
        subscriber.ExpectMsg<SubscribeAck>();
        var first = Publish("feed:flaky", "1");
        Assert.Equal(1, subscriber.ExpectMsg<Publication>().Offset);

        FailingJournal.FailNext("feed:flaky", 1);
        var publisher = CreateTestProbe();
        _channels.Tell(new Publish("feed:flaky", Encoding.UTF8.GetBytes("\"lost\"")), publisher);
        publisher.ExpectMsg<PublishFailed>();

        // The channel carries on with the same subscriber: the next publication takes the offset the failed one did not.
        Assert.Equal((2L, first.Epoch), Offset(Publish("feed:flaky", "2")));
        var next = subscriber.ExpectMsg<Publication>();
        Assert.Equal((2L, first.Epoch), (next.Offset, next.Epoch));
        Assert.Contains("\"data\":2", Encoding.UTF8.GetString(next.FrameFor(ClientDialects.Native)));
        Assert.Equal(["1", "2"], History("feed:flaky").Publications!.Select(p => Encoding.UTF8.GetString(p.Data)));
    }

    [Fact]
    public void A_subscribe_racing_publications_sees_each_later_one_exactly_once_in_order()
    {
        const int count = 300;
        var publisher = CreateTestProbe();
        var subscriber = CreateTestProbe();
        for (var i = 1; i <= count; i++)
        {
            _channels.Tell(new Publish("feed:race", Encoding.UTF8.GetBytes(i.ToString())), publisher);
            if (i == count / 2)
                _channels.Tell(new Subscribe("feed:race", 1, null, Member), subscriber);
        }
        var acks = Enumerable.Range(0, count).Select(_ => publisher.ExpectMsg<PublishAck>()).ToList();
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), acks.Select(a => a.Offset));

        var ack = subscriber.ExpectMsg<SubscribeAck>();
        var received = Enumerable.Range(0, (int)(count - ack.Offset)).Select(_ => subscriber.ExpectMsg<Publication>().Offset).ToList();

        Assert.Equal(Enumerable.Range((int)ack.Offset + 1, count - (int)ack.Offset).Select(i => (long)i), received);
        subscriber.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void What_arrives_during_a_write_goes_to_the_store_in_the_next_one()
    {
        var publisher = CreateTestProbe();
        Subscribed("feed:batched"); // the epoch is written; the owner is ready
        var release = new TaskCompletionSource();
        FailingJournal.HoldNext("feed:batched", release.Task);
        var before = FailingJournal.Writes("feed:batched");

        for (var i = 1; i <= 500; i++)
            _channels.Tell(new Publish("feed:batched", Encoding.UTF8.GetBytes(i.ToString())), publisher);
        // The owner answers in order: once this subscriber has its position, every publish above is waiting behind the held write.
        var ack = Subscribed("feed:batched").ExpectMsg<SubscribeAck>(TimeSpan.Zero);
        release.SetResult();
        var acks = Enumerable.Range(0, 500).Select(_ => publisher.ExpectMsg<PublishAck>()).ToList();

        Assert.Equal(0, ack.Offset);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), acks.Select(a => a.Offset));
        // The held write carried the first publication; the 499 behind it went in batches of at most 256.
        Assert.Equal(3, FailingJournal.Writes("feed:batched") - before);
    }

    /// <summary>The events the journal still holds (would replay) for <paramref name="persistenceId"/>.</summary>
    private int JournalEvents(string persistenceId)
    {
        var probe = CreateTestProbe();
        Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null)
            .Tell(new Akka.Persistence.ReplayMessages(0, long.MaxValue, long.MaxValue, persistenceId, probe.Ref), probe.Ref);
        var events = 0;
        while (probe.ExpectMsg<object>() is Akka.Persistence.ReplayedMessage)
            events++;
        return events;
    }

    private (long, string) Offset(PublishAck ack) => (ack.Offset, ack.Epoch);

    /// <summary>A subscriber whose <see cref="SubscribeAck"/> has arrived (and is left in its queue for the caller).</summary>
    private TestProbe Subscribed(string channel)
    {
        var subscriber = CreateTestProbe();
        _channels.Tell(new Subscribe(channel, 1, null, Member), subscriber);
        subscriber.AwaitCondition(() => subscriber.HasMessages, TimeSpan.FromSeconds(3));
        return subscriber;
    }

    private void AwaitPassivated() => AwaitAssert(() => Assert.Equal((0L, 0L), (_metrics.Channels, _metrics.ChannelOwners)), TimeSpan.FromSeconds(10));

    private PublishAck Publish(string channel, string json)
    {
        var publisher = CreateTestProbe();
        _channels.Tell(new Publish(channel, Encoding.UTF8.GetBytes(json)), publisher);
        return publisher.ExpectMsg<PublishAck>();
    }

    private HistoryResult History(string channel)
    {
        var asker = CreateTestProbe();
        _channels.Tell(new HistoryQuery(channel, 1, null, null), asker);
        return asker.ExpectMsg<HistoryResult>();
    }
}
