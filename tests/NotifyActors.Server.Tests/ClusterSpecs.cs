using System.Collections.Concurrent;

namespace NotifyActors.Server.Tests;

/// <summary>
/// PROTOCOL.md section 6: several nodes form one service. Three whole services in this process, joined into one
/// cluster on loopback ports: a publication made through any node reaches the subscribers on every node in offset
/// order, exactly once, with the same race guarantees as on one node.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClusterSpecs
{
    private const string EndMarker = "\"end\"";

    [Fact]
    public async Task A_publication_through_any_node_reaches_the_subscribers_on_every_node_in_order_once()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        const string channel = "cluster-news";
        var clients = new List<TestClient>();
        try
        {
            // Two subscribers per node: the publication crosses to each node once and fans out there.
            foreach (var node in cluster.Nodes.Concat(cluster.Nodes))
            {
                var client = await TestClient.ConnectAsync(node.WebSocketUri);
                clients.Add(client);
                Assert.Equal(0, (await client.SubscribeAsync(channel, id: 1)).GetProperty("offset").GetInt64());
            }

            var published = new ConcurrentDictionary<long, string>();
            var publishers = Enumerable.Range(0, 3).Select(p => Task.Run(async () =>
            {
                for (var n = 0; n < 100; n++)
                {
                    var data = $"\"p{p}-{n}\"";
                    var (offset, _) = await cluster[(p + n) % 3].PublishOkAsync(channel, data);
                    Assert.True(published.TryAdd(offset, data), $"offset {offset} given twice");
                }
            })).ToList();
            await Task.WhenAll(publishers);
            var (final, _) = await cluster[1].PublishOkAsync(channel, EndMarker);
            published[final] = EndMarker;

            Assert.Equal(Enumerable.Range(1, (int)final).Select(i => (long)i), published.Keys.Order());
            foreach (var received in await Task.WhenAll(clients.Select(c => c.ReadPublicationsUntilAsync(channel, EndMarker))))
                Assert.Equal(published.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)), received);

            // The two nodes without the channel's owner received its publications across the network, and timed them.
            foreach (var node in cluster.Nodes.Where(n => n.Metrics.ChannelOwners == 0))
                Assert.True((await node.ScrapeAsync()).Value("notify_cluster_publication_lag_seconds_count") > 0, "no cross-node lag recorded");
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Presence_from_any_node_lists_the_subscribers_of_every_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3, "notify.namespaces.seen { presence = on }");
        const string channel = "seen:lobby";
        var clients = new List<TestClient>();
        try
        {
            foreach (var node in cluster.Nodes.Concat(cluster.Nodes))
            {
                var client = await node.ConnectAsAsync($"user-{clients.Count}");
                clients.Add(client);
                await client.SubscribeAsync(channel, id: 1);
            }
            var everyone = ChannelApi.Members(clients);

            foreach (var node in cluster.Nodes)
            {
                var (status, body) = await node.GetJsonAsync($"api/presence?channel={channel}");
                Assert.Equal(System.Net.HttpStatusCode.OK, status);
                Assert.Equal(everyone, body.Clients());
            }
            Assert.Equal(everyone, (await clients[2].AskAsync($$"""{"op":"presence","id":7,"channel":"{{channel}}"}""")).Clients());

            // A client that leaves, on one node, leaves the presence every node answers.
            var leaving = clients[1];
            clients.RemoveAt(1);
            await leaving.DisposeAsync();
            var rest = ChannelApi.Members(clients);
            foreach (var node in cluster.Nodes)
            {
                await Eventually.HoldsAsync(async () => (await node.GetJsonAsync($"api/presence?channel={channel}")).Body.Clients().SequenceEqual(rest),
                    TimeSpan.FromSeconds(10), () => "the client that left is still listed");
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Joins_and_leaves_on_one_node_are_pushed_to_the_subscribers_on_every_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3, "notify.namespaces.room { presence = on, join-leave = on }");
        const string channel = "room:lobby";
        await using var alice = await cluster[0].ConnectAsAsync("alice");
        await alice.SubscribeAsync(channel, id: 1);
        await using var bob = await cluster[1].ConnectAsAsync("bob");
        await bob.SubscribeAsync(channel, id: 1);
        await AssertMembershipAsync(alice, "join", bob, "bob");

        var carol = await cluster[2].ConnectAsAsync("carol");
        await carol.SubscribeAsync(channel, id: 1);
        await AssertMembershipAsync(alice, "join", carol, "carol");
        await AssertMembershipAsync(bob, "join", carol, "carol");

        carol.Socket.Abort();
        await AssertMembershipAsync(alice, "leave", carol, "carol");
        await AssertMembershipAsync(bob, "leave", carol, "carol");

        // Nothing else was pushed: each saw each join and leave once (the next frame is this publication).
        await cluster[2].PublishOkAsync(channel, EndMarker);
        foreach (var client in new[] { alice, bob })
            Assert.Equal("pub", (await client.ReceiveJsonAsync()).Type());
    }

    private static async Task AssertMembershipAsync(TestClient observer, string type, TestClient subject, string user)
    {
        var push = await observer.ReceiveJsonAsync();
        Assert.Equal(type, push.Type());
        Assert.Equal(subject.Welcome.GetProperty("client").GetString(), push.GetProperty("client").GetString());
        Assert.Equal(user, push.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Subscribes_on_other_nodes_racing_publications_see_every_later_offset_once_in_order()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        await SubscribeRaceSpecs.RaceAsync(cluster.Nodes);
    }

    [Fact]
    public async Task When_the_owners_node_leaves_mid_stream_no_acknowledged_publication_is_lost_and_the_others_see_no_gap()
    {
        // A channel with history in the store the nodes share: its next owner, on another node, recovers it.
        await using var cluster = await LocalCluster.StartAsync(3, OwnerMoveRun.Hocon, OwnerMoveRun.SharedStore);
        await using var run = await OwnerMoveRun.StartAsync(cluster, "handoff");
        await run.AnsweredAsync(100, TimeSpan.FromSeconds(30), "before the owner's node leaves");
        await run.Owner.StopAsync(); // leaves the cluster and hands its shards to the others
        await run.AnsweredAsync(run.Published.Count + 100, TimeSpan.FromSeconds(60), "after the owner's node left");
        await run.FinishAsync();
        Assert.InRange(run.Unanswered, 0, 5);
    }
}
