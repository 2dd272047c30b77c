using System.Text;
using Akka.Actor;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Channels;

/// <summary>The channel actors keep the directory (GET /api/channels) in step with their membership.</summary>
public sealed class ChannelDirectorySpecs : Akka.TestKit.Xunit2.TestKit
{
    private readonly NotifyMetrics _metrics = new();
    private readonly IActorRef _channels;
    private readonly ChannelDirectory _directory;

    public ChannelDirectorySpecs(ITestOutputHelper output) : base(NotifyConfig.Defaults, output: output)
    {
        _channels = Sys.ActorOf(ChannelRegistry.Props(NotifySettings.Create(NotifyConfig.Defaults), _metrics), "channels");
        _directory = ChannelDirectory.For(Sys);
    }

    [Fact]
    public void A_channel_is_listed_with_its_count_as_soon_as_a_subscribe_is_answered()
    {
        Subscribe("news");
        Subscribe("news");
        Subscribe("chat.room");

        Assert.Equal([Entry("chat.room", 1), Entry("news", 2)], _directory.List());
    }

    [Fact]
    public void The_count_follows_unsubscribes_and_stopped_subscribers()
    {
        var leaving = Subscribe("news");
        var stopping = Subscribe("news");
        Subscribe("news");

        _channels.Tell(new Unsubscribe("news"), leaving);
        Sys.Stop(stopping);

        AwaitAssert(() => Assert.Equal([Entry("news", 1)], _directory.List()), TimeSpan.FromSeconds(10));
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
        Assert.Equal([Entry("news", 1)], _directory.List());
    }

    [Fact]
    public void A_channel_that_only_saw_publications_is_never_listed()
    {
        _channels.Tell(new Publish("quiet", Encoding.UTF8.GetBytes("1")));
        ExpectMsg<PublishAck>();

        Assert.Empty(_directory.List());
    }

    [Fact]
    public void A_prefix_selects_by_ordinal_start_and_the_list_is_sorted()
    {
        foreach (var name in new[] { "chat.b", "chat.a", "Chat.c", "news", "chatty" })
            Subscribe(name);

        Assert.Equal(["chat.a", "chat.b", "chatty"], _directory.List("chat").Select(entry => entry.Key));
        Assert.Equal(["chat.a", "chat.b"], _directory.List("chat.").Select(entry => entry.Key));
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

    private static KeyValuePair<string, int> Entry(string channel, int subscribers) => new(channel, subscribers);
}
