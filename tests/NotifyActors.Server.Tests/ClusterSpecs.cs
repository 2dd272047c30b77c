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
            foreach (var received in await Task.WhenAll(clients.Select(c => ReadUntilEndAsync(c, channel))))
                Assert.Equal(published.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)), received);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
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
        await using var cluster = await LocalCluster.StartAsync(3, """
            notify.namespaces.durable { history-size = 1000, history-ttl = 1h, allow-anonymous = on }
            """, new Dictionary<string, string?>
            {
                ["NOTIFY_PERSISTENCE"] = "postgres",
                ["NOTIFY_PERSISTENCE_CONNECTION"] = PostgresDatabase.ConnectionString,
            });
        var channel = $"durable:handoff-{Guid.NewGuid():N}";
        var (first, epoch) = await cluster[0].PublishOkAsync(channel, "\"first\"");
        var owner = cluster.Nodes.Single(n => n.Metrics.ChannelOwners == 1);
        var others = cluster.Nodes.Where(n => n != owner).ToList();
        var clients = new List<TestClient>();
        try
        {
            foreach (var node in others)
            {
                var client = await TestClient.ConnectAsync(node.WebSocketUri);
                clients.Add(client);
                Assert.Equal(first, (await client.SubscribeAsync(channel, id: 1)).GetProperty("offset").GetInt64());
            }

            var published = new ConcurrentDictionary<long, string>();
            using var stop = new CancellationTokenSource();
            var publishers = Enumerable.Range(0, 2).Select(p => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var data = $"\"p{p}-{n}\"";
                    var (offset, publishedEpoch) = await others[(p + n) % 2].PublishOkAsync(channel, data);
                    Assert.Equal(epoch, publishedEpoch);
                    Assert.True(published.TryAdd(offset, data), $"offset {offset} given twice");
                }
            })).ToList();
            await Eventually.HoldsAsync(() => published.Count >= 100, TimeSpan.FromSeconds(30), () => $"{published.Count} publications");
            await owner.StopAsync(); // leaves the cluster and hands its shards to the others
            var atLeave = published.Count;
            await Eventually.HoldsAsync(() => published.Count >= atLeave + 100 || publishers.Any(p => p.IsFaulted), TimeSpan.FromSeconds(60),
                () => $"{published.Count - atLeave} publications after the owner's node left");
            await stop.CancelAsync();
            await Task.WhenAll(publishers);
            Assert.Equal(1, others.Sum(n => n.Metrics.ChannelOwners)); // the channel moved to one of the others
            var (final, endEpoch) = await others[0].PublishOkAsync(channel, EndMarker);
            Assert.Equal(epoch, endEpoch);
            published[final] = EndMarker;

            // Every answered publication has its own offset, none missing; each subscriber saw each once, in order.
            Assert.Equal(Enumerable.Range((int)first + 1, (int)(final - first)).Select(i => (long)i), published.Keys.Order());
            foreach (var received in await Task.WhenAll(clients.Select(c => ReadUntilEndAsync(c, channel))))
                Assert.Equal(published.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)), received);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    private static async Task<List<(long Offset, string Data)>> ReadUntilEndAsync(TestClient client, string channel)
    {
        var received = new List<(long, string)>();
        while (true)
        {
            var frame = await client.ReceiveJsonAsync();
            Assert.True(frame.Type() == "pub" && frame.GetProperty("channel").GetString() == channel, $"expected a publication in {channel}, got {frame}");
            var data = frame.GetProperty("data").GetRawText();
            received.Add((frame.GetProperty("offset").GetInt64(), data));
            if (data == EndMarker)
                return received;
        }
    }
}
