using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// PROTOCOL.md section 6: GET /api/channels and POST /api/disconnect answer for the whole cluster from any node, and
/// the admin API and notifyctl show the cluster (its members, each node's figures and their sum) and make a node leave.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClusterAnswerSpecs
{
    [Fact]
    public async Task Channels_and_disconnect_answer_for_every_node_from_any_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        await using var alice0 = await cluster[0].ConnectAsAsync("alice");
        await alice0.SubscribeAsync("news", id: 1);
        await alice0.SubscribeAsync("sport", id: 2);
        await using var alice1 = await cluster[1].ConnectAsAsync("alice");
        await alice1.SubscribeAsync("news", id: 1);
        await using var bob2 = await cluster[2].ConnectAsAsync("bob");
        await bob2.SubscribeAsync("news", id: 1);

        foreach (var node in cluster.Nodes)
        {
            var (status, body) = await node.GetJsonAsync("api/channels");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal([("news", 3), ("sport", 1)], Channels(body));
        }
        Assert.Equal([("sport", 1)], Channels((await cluster[1].GetJsonAsync("api/channels?prefix=sp")).Body));

        // Alice's connections are on nodes 0 and 1; the disconnect goes through node 2.
        Assert.Equal(2, await cluster[2].DisconnectAsync("""{"user":"alice"}"""));
        Assert.Equal((WebSocketCloseStatus)4003, await alice0.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice1.ReceiveCloseAsync());
        await cluster[0].PublishOkAsync("news", "\"still here\"");
        Assert.Equal("\"still here\"", (await bob2.ReceiveJsonAsync()).GetProperty("data").GetRawText());
        await Eventually.HoldsAsync(async () => Channels((await cluster[0].GetJsonAsync("api/channels")).Body).SequenceEqual([("news", 1)]),
            TimeSpan.FromSeconds(10), () => "alice's subscriptions are still counted");
    }

    [Fact]
    public async Task Admin_nodes_lists_every_member_with_its_figures_and_their_sum()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        var clients = new List<TestClient>();
        try
        {
            // One connection on node 0, two on node 1, none on node 2.
            foreach (var node in new[] { cluster[0], cluster[1], cluster[1] })
            {
                clients.Add(await node.ConnectAsAsync($"user-{clients.Count}"));
                await clients[^1].SubscribeAsync("news", id: 1);
            }

            using var admin = cluster[1].AdminHttp();
            var body = JsonDocument.Parse(await admin.GetStringAsync("admin/nodes")).RootElement;

            var nodes = body.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!);
            Assert.Equal(cluster.Nodes.Select(ClusterAddress).Order(), nodes.Keys.Order());
            Assert.Equal([ClusterAddress(cluster[1])], nodes.Values.Where(n => n.GetProperty("self").GetBoolean()).Select(n => n.GetProperty("node").GetString()));
            Assert.All(nodes.Values, n => Assert.Equal("up", n.GetProperty("status").GetString()));
            Assert.All(nodes.Values, n => Assert.True(n.GetProperty("reachable").GetBoolean()));
            Assert.Equal([1L, 2L, 0L], cluster.Nodes.Select(node => nodes[ClusterAddress(node)].GetProperty("stats").GetProperty("connections").GetInt64()));
            Assert.Equal([1L, 2L, 0L], cluster.Nodes.Select(node => nodes[ClusterAddress(node)].GetProperty("stats").GetProperty("subscriber_actors").GetInt64()));
            Assert.Equal(0, body.GetProperty("unreachable").GetInt32());
            Assert.Equal(3, body.GetProperty("total").GetProperty("connections").GetInt64());

            var table = await NotifyCtlSpecs.RunAsync(cluster[0], "nodes");
            Assert.Equal(0, table.ExitCode);
            Assert.All(cluster.Nodes, node => Assert.Contains(ClusterAddress(node), table.Console));
            Assert.Contains(ClusterAddress(cluster[0]) + " (this node)", table.Console);
            Assert.Matches(@"total\s.*\s3\s", table.Console);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Notifyctl_leave_makes_a_node_leave_its_clients_get_1001_and_the_others_carry_on()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        await using var stays = await TestClient.ConnectAsync(cluster[0].WebSocketUri);
        await stays.SubscribeAsync("news", id: 1);
        await using var leaves = await TestClient.ConnectAsync(cluster[2].WebSocketUri);
        await leaves.SubscribeAsync("news", id: 1);
        try
        {
            var run = await NotifyCtlSpecs.RunAsync(cluster[0], "leave", ClusterAddress(cluster[2]));

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("is leaving the cluster", run.Console);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await leaves.ReceiveCloseAsync());
            await Eventually.HoldsAsync(() => cluster[0].Metrics.ClusterMembers == 2 && cluster[1].Metrics.ClusterMembers == 2,
                TimeSpan.FromSeconds(20), () => $"members Up: {cluster[0].Metrics.ClusterMembers} and {cluster[1].Metrics.ClusterMembers}");
            // The other nodes' connections stay open (a channel whose owner was on the node that left may tell its
            // subscribers to resubscribe: the namespace keeps no history), and the cluster serves new ones.
            Assert.Equal(WebSocketState.Open, stays.Socket.State);
            await using var later = await TestClient.ConnectAsync(cluster[0].WebSocketUri);
            await later.SubscribeAsync("after", id: 1);
            await cluster[1].PublishOkAsync("after", "\"after the leave\"");
            Assert.Equal("\"after the leave\"", (await later.ReceiveJsonAsync()).GetProperty("data").GetRawText());

            var unknown = await NotifyCtlSpecs.RunAsync(cluster[0], "leave", "127.0.0.1:1");
            Assert.NotEqual(0, unknown.ExitCode);
            Assert.Contains("no member at '127.0.0.1:1'", unknown.Error);
        }
        finally
        {
            // Akka.Hosting marks a process whose actor system the cluster stopped (the node that left) with exit code -1;
            // here that process is the test run, and the node left as it was told to.
            Environment.ExitCode = 0;
        }
    }

    private static string ClusterAddress(ServiceHost node)
    {
        var address = Akka.Cluster.Cluster.Get(node.ActorSystem).SelfAddress;
        return $"{address.Host}:{address.Port}";
    }

    private static List<(string, int)> Channels(JsonElement body) =>
        body.GetProperty("channels").EnumerateArray().Select(c => (c.GetProperty("channel").GetString()!, c.GetProperty("subscribers").GetInt32())).ToList();
}
