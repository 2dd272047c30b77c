using System.Text;
using Akka.Actor;
using Akka.Configuration;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Channels;

/// <summary>The channel actors keep the directory (GET /api/channels) in step with their membership.</summary>
public sealed class ChannelDirectorySpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly NotifyMetrics _metrics = new();
    private readonly IActorRef _channels;
    private readonly ChannelDirectory _directory;

    public ChannelDirectorySpecs(ITestOutputHelper output) : base(SpecConfig.Defaults, output: output)
    {
        var settings = NotifySettings.Create(ConfigurationFactory
            .ParseString("notify.namespaces.feed { history-size = 3, history-ttl = 10m }")
            .WithFallback(NotifyConfig.Defaults));
        _channels = SingleNode.StartChannels(Sys, settings, _metrics);
        _directory = ChannelDirectory.For(Sys);
    }

    [Fact]
    public void A_channel_is_listed_with_its_count_as_soon_as_a_subscribe_is_answered()
    {
        Subscribe("news");
        Subscribe("news");
        Subscribe("chat.room");

        Assert.Equal([Entry("chat.room", 1), Entry("news", 2)], Counts(_directory.List()));
    }

    [Fact]
    public void The_count_follows_unsubscribes_and_stopped_subscribers()
    {
        var leaving = Subscribe("news");
        var stopping = Subscribe("news");
        Subscribe("news");

        _channels.Tell(new Unsubscribe("news"), leaving);
        Sys.Stop(stopping);

        AwaitAssert(() => Assert.Equal([Entry("news", 1)], Counts(_directory.List())), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_channel_whose_last_subscriber_left_is_not_listed_and_is_removed_when_it_stops()
    {
        var only = Subscribe("news");

        _channels.Tell(new Unsubscribe("news"), only);

        AwaitAssert(() =>
        {
            Assert.Empty(_directory.List());
            Assert.Equal(0, _metrics.Channels);
        }, TimeSpan.FromSeconds(10));
        // Its successor starts from nothing.
        Subscribe("news");
        Assert.Equal([Entry("news", 1)], Counts(_directory.List()));
    }

    [Fact]
    public void A_channel_that_only_saw_publications_is_never_listed()
    {
        Publish("quiet");

        Assert.Empty(_directory.List());
        // Nothing keeps it: it stops, and then not even operators see it.
        AwaitAssert(() => Assert.Empty(_directory.List(includeIdle: true)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void An_entry_follows_the_offset_the_epoch_and_the_history_kept()
    {
        Subscribe("feed:news");
        Subscribe("news");
        string? epoch = null;
        for (var i = 1; i <= 5; i++)
        {
            epoch = Publish("feed:news").Epoch;
            Publish("news");
        }

        var listed = _directory.List();
        Assert.Equal(new ChannelSummary("feed:news", 1, 5, epoch!, 3), listed[0]); // history-size = 3
        Assert.Equal(5, listed[1].Offset);
        Assert.Equal(0, listed[1].HistoryLength); // the default namespace keeps no history
    }

    [Fact]
    public void A_channel_kept_only_for_its_history_is_listed_for_operators_but_not_for_the_api()
    {
        var only = Subscribe("feed:news");
        Publish("feed:news");

        _channels.Tell(new Unsubscribe("feed:news"), only);

        AwaitAssert(() => Assert.Empty(_directory.List()), TimeSpan.FromSeconds(10));
        var idle = Assert.Single(_directory.List(includeIdle: true));
        Assert.Equal(("feed:news", 0, 1L, 1), (idle.Name, idle.Subscribers, idle.Offset, idle.HistoryLength));
    }

    [Fact]
    public void A_prefix_selects_by_ordinal_start_and_the_list_is_sorted()
    {
        foreach (var name in new[] { "chat.b", "chat.a", "Chat.c", "news", "chatty" })
            Subscribe(name);

        Assert.Equal(["chat.a", "chat.b", "chatty"], _directory.List("chat").Select(summary => summary.Name));
        Assert.Equal(["chat.a", "chat.b"], _directory.List("chat.").Select(summary => summary.Name));
        Assert.Empty(_directory.List("nothing"));
        Assert.Equal(5, _directory.List("").Count);
    }

    [Fact]
    public void Each_actor_system_has_its_own_directory()
    {
        Subscribe("news");
        using var other = ActorSystem.Create("other");

        Assert.Same(_directory, ChannelDirectory.For(Sys));
        Assert.Empty(ChannelDirectory.For(other).List());
    }

    /// <summary>A subscriber (a probe) whose subscribe has been answered.</summary>
    private IActorRef Subscribe(string channel)
    {
        var probe = CreateTestProbe();
        _channels.Tell(new Subscribe(channel, 1, null, new ChannelMember("client-" + channel, "user")), probe);
        probe.ExpectMsg<SubscribeAck>();
        return probe.Ref;
    }

    private PublishAck Publish(string channel)
    {
        _channels.Tell(new Publish(channel, Encoding.UTF8.GetBytes("1")));
        return ExpectMsg<PublishAck>();
    }

    private static (string, int) Entry(string channel, int subscribers) => (channel, subscribers);

    private static IEnumerable<(string, int)> Counts(IEnumerable<ChannelSummary> listing) =>
        listing.Select(summary => (summary.Name, summary.Subscribers));
}
