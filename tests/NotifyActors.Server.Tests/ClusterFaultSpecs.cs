namespace NotifyActors.Server.Tests;

/// <summary>
/// Faults injected between the nodes of an in-process cluster (Akka.Remote's failure injector under remoting): what a
/// node's hub misses of its channel's publications, it fetches again from the owner's history, so its subscribers
/// still see every offset once, in order.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClusterFaultSpecs(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string EndMarker = "\"end\"";

    [Fact]
    public async Task Publications_dropped_between_nodes_are_repaired_from_history_and_reach_the_subscribers_once_in_order()
    {
        // A short position check, so that a dropped last publication (no later one shows the gap) is found quickly.
        await using var cluster = await LocalCluster.StartAsync(2, """
            notify.namespaces.feed { history-size = 1000, history-ttl = 1h }
            notify.channels.position-check = 1s
            """, failureInjection: true);
        var channel = $"feed:lossy-{Guid.NewGuid():N}";
        var (first, epoch) = await cluster[0].PublishOkAsync(channel, "\"first\"");
        var owner = cluster.Nodes.Single(n => n.Metrics.ChannelOwners == 1);
        var remote = cluster.Nodes.Single(n => n != owner);
        await using var subscriber = await TestClient.ConnectAsync(remote.WebSocketUri);
        Assert.Equal(first, (await subscriber.SubscribeAsync(channel, id: 1)).GetProperty("offset").GetInt64());

        // A fifth of what the owner's node sends the other is lost while 200 publications go out through the owner's node.
        await LocalCluster.DropAsync(owner, remote, 0.2);
        var published = new List<(long Offset, string Data)>();
        for (var i = 0; i < 200; i++)
        {
            var data = $"\"{i}\"";
            var (offset, publishedEpoch) = await owner.PublishOkAsync(channel, data);
            Assert.Equal(epoch, publishedEpoch);
            published.Add((offset, data));
        }
        await LocalCluster.DropAsync(owner, remote, 0);
        var (final, _) = await owner.PublishOkAsync(channel, EndMarker);
        published.Add((final, EndMarker));

        var received = await subscriber.ReadPublicationsUntilAsync(channel, EndMarker, TimeSpan.FromSeconds(20));
        Assert.Equal(published, received);
        Assert.True(remote.Metrics.ChannelRepairs > 0, "nothing was dropped, or nothing repaired: the spec proved nothing");
    }

    [Fact]
    public async Task When_the_owners_node_dies_its_channel_moves_and_the_others_see_every_offset_once_in_order()
    {
        // Split Brain Resolver downs the dead node after stable-after (20 s by default; 5 s here) and its shards move.
        await using var cluster = await LocalCluster.StartAsync(3, OwnerMoveRun.Hocon + "\nakka.cluster.split-brain-resolver.stable-after = 5s", OwnerMoveRun.SharedStore);
        await using var run = await OwnerMoveRun.StartAsync(cluster, "death");
        await run.AnsweredAsync(50, TimeSpan.FromSeconds(30), "before the owner's node dies");
        ((Akka.Actor.ExtendedActorSystem)run.Owner.ActorSystem).Abort(); // the node's actors die at once: no leave, no hand-off
        var death = System.Diagnostics.Stopwatch.StartNew();
        var atDeath = run.Published.Count;
        await run.AnsweredAsync(atDeath + 2, TimeSpan.FromSeconds(90), "none since the owner's node died");
        output.WriteLine($"publishing answered again {death.Elapsed.TotalSeconds:0.0} s after the owner's node died; {run.Unanswered} publishes unanswered meanwhile");
        await run.AnsweredAsync(atDeath + 50, TimeSpan.FromSeconds(30), "since the owner's node died");
        await run.FinishAsync();
        output.WriteLine($"repaired from history by the surviving nodes: {run.Others.Sum(n => n.Metrics.ChannelRepairs)} publications");
        // Each survivor saw the dead node become unreachable: counted, though the gauge is 0 again once it is removed.
        Assert.All(run.Others, node => Assert.True(node.Metrics.ClusterUnreachableEvents >= 1, "the dead node's unreachability was not counted"));
    }

    [Fact]
    public async Task A_hub_whose_registration_is_held_up_joins_its_subscriber_where_the_owner_is_then_and_misses_nothing_after()
    {
        await using var cluster = await LocalCluster.StartAsync(2, failureInjection: true);
        var channel = $"lossy-{Guid.NewGuid():N}";
        var (first, epoch) = await cluster[0].PublishOkAsync(channel, "\"first\"");
        var owner = cluster.Nodes.Single(n => n.Metrics.ChannelOwners == 1);
        var remote = cluster.Nodes.Single(n => n != owner);
        await using var subscriber = await TestClient.ConnectAsync(remote.WebSocketUri);

        // Everything the subscriber's node sends the owner's is lost: its new hub's registration, again and again.
        await LocalCluster.DropAsync(remote, owner, 1.0);
        await subscriber.SendTextAsync($$"""{"op":"subscribe","id":1,"channel":"{{channel}}"}""");
        for (var i = 0; i < 50; i++)
            await owner.PublishOkAsync(channel, $"\"early-{i}\"");
        // The fault lasts past the hub's first retry (1 s), not long enough for the nodes to declare each other unreachable.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await LocalCluster.DropAsync(remote, owner, 0);

        var subscribed = await subscriber.ReceiveJsonAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("subscribed", subscribed.Type());
        var at = subscribed.GetProperty("offset").GetInt64();
        Assert.Equal(epoch, subscribed.GetProperty("epoch").GetString());
        Assert.True(at >= first + 50, $"subscribed at {at}: the registration was not held up");
        var published = new List<long>();
        for (var i = 0; i < 50; i++)
            published.Add((await owner.PublishOkAsync(channel, $"\"late-{i}\"")).Offset);
        var received = new List<long>();
        while (received.Count < published.Count)
            received.Add((await subscriber.ReceiveJsonAsync(TimeSpan.FromSeconds(20))).GetProperty("offset").GetInt64());
        Assert.Equal(Enumerable.Range((int)at + 1, published.Count).Select(i => (long)i), received);
        Assert.Equal(published, received);
    }
}
