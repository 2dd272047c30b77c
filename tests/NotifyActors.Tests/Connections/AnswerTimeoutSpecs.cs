using NotifyActors.Tests.Channels;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// notify.cluster.ask-timeout on a client's queries: a publish whose channel does not answer in time (here its store
/// holds the write; in a cluster, its owner's node died) is answered internal, once, and the connection carries on.
/// </summary>
public sealed class AnswerTimeoutSpecs(ITestOutputHelper output) : ServiceSpec("""
    notify.cluster.ask-timeout = 300ms
    notify.namespaces.feed { history-size = 10, history-ttl = 10m, allow-client-publish = on }
    akka.persistence.journal.plugin = "akka.persistence.journal.failing"
    akka.persistence.journal.failing {
      class = "NotifyActors.Tests.Channels.FailingJournal, NotifyActors.Tests"
      plugin-dispatcher = "akka.actor.default-dispatcher"
    }
    """, output)
{
    [Fact]
    public async Task A_publish_left_unanswered_is_answered_internal_once_and_the_connection_carries_on()
    {
        var channel = $"feed:held-{Guid.NewGuid():N}";
        var (client, _, _) = await ConnectAsync();
        await SubscribeAsync(client, channel);
        var release = new TaskCompletionSource();
        FailingJournal.HoldNext(channel, release.Task);

        await client.SendAsync($$"""{"op":"publish","id":5,"channel":"{{channel}}","data":1}""");
        var reply = await client.ReceiveSkippingPingsAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(("error", 5L, "internal"), (reply.GetProperty("type").GetString(), reply.GetProperty("id").GetInt64(), reply.GetProperty("code").GetString()));
        Assert.Contains("may or may not have been accepted", reply.GetProperty("message").GetString());

        // The held write completes after all: the subscriber gets the publication, and no second answer to id 5 comes
        // (the next frame after the publication is the answer to the next command).
        release.SetResult();
        var publication = await client.ReceiveSkippingPingsAsync();
        Assert.Equal(("pub", 1L), (publication.GetProperty("type").GetString(), publication.GetProperty("offset").GetInt64()));
        await client.SendAsync($$"""{"op":"publish","id":6,"channel":"{{channel}}","data":2}""");
        var frames = new[] { await client.ReceiveSkippingPingsAsync(), await client.ReceiveSkippingPingsAsync() };
        Assert.Equal(["pub", "published"], frames.Select(f => f.GetProperty("type").GetString()).Order());
        Assert.Equal(6, frames.Single(f => f.GetProperty("type").GetString() == "published").GetProperty("id").GetInt64());
    }
}
