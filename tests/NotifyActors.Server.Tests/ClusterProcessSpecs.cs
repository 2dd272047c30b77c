using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Issue 12's real-process test: three service processes on a shared PostgreSQL, clients on each, 1,000 publications
/// through random nodes. SIGKILL the node that owns the channel mid-stream: its clients reconnect to another node,
/// recover (recovered: true) with every publication they missed, the other clients see every offset exactly once, and
/// every publication answered 200 is in history. Then SIGTERM another: its clients get 1001, recover elsewhere, and the
/// last node keeps serving.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClusterProcessSpecs(ITestOutputHelper output)
{
    private const int Publications = 1000;
    private const int Publishers = 4;

    [Fact]
    public async Task Killing_then_stopping_nodes_mid_stream_loses_nothing_answered_and_their_clients_recover_elsewhere()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var cluster = await ProcessCluster.StartAsync(3, """
            notify.namespaces.feed { history-size = 2000, history-ttl = 1h, allow-anonymous = on }
            notify.recovery.max-publications = 2000
            notify.cluster.ask-timeout = 3s
            """, OwnerMoveRun.SharedStore);
        var channel = $"feed:stream-{Guid.NewGuid():N}";
        // The first publish also waits for sharding's coordinator, which a cluster that just formed may still be starting.
        await Eventually.HoldsAsync(async () => (await PublishAsync(cluster[0], channel, "\"first\"")).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => "the first publication was not answered");
        var owner = await OwnerAsync(cluster);

        // Publishers through random running nodes; what is answered 200 is recorded, what is not is only counted.
        var answered = new ConcurrentDictionary<long, string>();
        var servedAgain = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The owner's node is the one killed. Its clients back off until the cluster has taken 100 publications
        // without them, so that their recovery has something to bring.
        var subscribers = new List<(RecoveringSubscriber Subscriber, Task Reading)>();
        foreach (var node in cluster.Nodes.Concat(cluster.Nodes))
            subscribers.Add(await RecoveringSubscriber.StartAsync(cluster, node, channel, limit.Token, node == owner ? () => servedAgain.Task : null));

        var unanswered = 0;
        var sent = 0;
        var midStream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answeredAtKill = -1;
        var killedAt = long.MaxValue;
        var servedAgainAt = long.MaxValue;
        var publishing = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            int n;
            while ((n = Interlocked.Increment(ref sent)) <= Publications)
            {
                var running = cluster.Running.ToList();
                var asked = DateTime.UtcNow.Ticks;
                var (status, offset) = await PublishAsync(running[random.Next(running.Count)], channel, $"\"p{n}\"");
                if (status == HttpStatusCode.OK)
                {
                    Assert.True(answered.TryAdd(offset, $"\"p{n}\""), $"offset {offset} answered twice");
                    if (answered.Count >= 300)
                        midStream.TrySetResult();
                    if (Volatile.Read(ref answeredAtKill) is >= 0 and var atKill && answered.Count >= atKill + 100)
                        servedAgain.TrySetResult();
                    long first;
                    while (asked > Interlocked.Read(ref killedAt) && asked < (first = Interlocked.Read(ref servedAgainAt))
                        && Interlocked.CompareExchange(ref servedAgainAt, asked, first) != first)
                    {
                    }
                }
                else
                {
                    Interlocked.Increment(ref unanswered);
                }
                // Paced, so that the kill lands mid-stream, not after the last publication.
                await Task.Delay(5);
            }
        })).ToList();

        await midStream.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var answeredBefore = answered.Count;
        Volatile.Write(ref answeredAtKill, answeredBefore);
        Interlocked.Exchange(ref killedAt, DateTime.UtcNow.Ticks);
        await cluster.KillAsync(owner);
        await Task.WhenAll(publishing).WaitAsync(limit.Token);
        Assert.True(answered.Count > answeredBefore + 100, $"the kill came after {answeredBefore} of {answered.Count} answered publications, not mid-stream");
        output.WriteLine($"SIGKILL of node {owner.Index} (the owner) after {answeredBefore} answered; {unanswered} of {Publications} unanswered; " +
            $"the first publish asked after the kill and answered 200 was asked {TimeSpan.FromTicks(servedAgainAt - killedAt).TotalSeconds:0.0} s after it");

        await PublishEndAsync(cluster, channel, "\"end-1\"", subscribers, limit.Token);
        var killedClients = subscribers.Where(s => s.Subscriber.FirstNode == owner.Index).Select(s => s.Subscriber).ToList();
        Assert.All(killedClients, s => Assert.True(s.Recoveries >= 1, "a client of the killed node did not recover elsewhere"));
        Assert.All(killedClients, s => Assert.True(s.Replayed >= 100, $"a client of the killed node recovered only {s.Replayed} publications"));
        output.WriteLine($"clients of the killed node: {string.Join(", ", killedClients.Select(s => $"{s.Recoveries} recovery, {s.Replayed} publications replayed"))}");

        // Every publication answered 200 is in history at its offset, and every subscriber took every offset once.
        var history = await HistoryAsync(cluster.Running.First(), channel);
        Assert.All(answered, a => Assert.Equal(a.Value, history.GetValueOrDefault(a.Key)));
        AssertEveryOffsetOnce(subscribers.Select(s => s.Subscriber), history);

        // SIGTERM one of the two left: its clients are closed with 1001 and recover on the last node.
        var stopped = cluster.Running.First();
        var exit = await cluster.TerminateAsync(stopped, TimeSpan.FromSeconds(30));
        Assert.Equal(0, exit);
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await PublishAsync(cluster.Running.Single(), channel, $"\"after-{i}\"")).Status);
        await PublishEndAsync(cluster, channel, "\"end-2\"", subscribers, limit.Token);
        var closedClients = subscribers.Select(s => s.Subscriber).Where(s => s.Closes.Contains(WebSocketCloseStatus.EndpointUnavailable)).ToList();
        Assert.NotEmpty(closedClients);
        Assert.All(closedClients, s => Assert.True(s.Recoveries >= 1));
        AssertEveryOffsetOnce(subscribers.Select(s => s.Subscriber), await HistoryAsync(cluster.Running.Single(), channel));

        limit.Cancel();
        await Task.WhenAll(subscribers.Select(s => s.Reading));
        Assert.All(subscribers, s => Assert.Empty(s.Subscriber.Problems));
    }

    /// <summary>Each subscriber's offsets run without a gap or a repeat from where it subscribed to the newest in history, with history's data.</summary>
    private static void AssertEveryOffsetOnce(IEnumerable<RecoveringSubscriber> subscribers, Dictionary<long, string> history)
    {
        var newest = history.Keys.Max();
        foreach (var subscriber in subscribers)
        {
            var received = subscriber.Received.Where(r => r.Offset <= newest).ToList();
            Assert.Empty(subscriber.Problems);
            Assert.Equal(Enumerable.Range((int)received[0].Offset, (int)(newest - received[0].Offset + 1)).Select(o => (long)o), received.Select(r => r.Offset));
            Assert.All(received, r => Assert.Equal(history[r.Offset], r.Data));
        }
    }

    /// <summary>Publishes <paramref name="marker"/> (again, while no node answers) and waits until every subscriber took it.</summary>
    private static async Task PublishEndAsync(ProcessCluster cluster, string channel, string marker, List<(RecoveringSubscriber Subscriber, Task Reading)> subscribers, CancellationToken limit)
    {
        await Eventually.HoldsAsync(async () => (await PublishAsync(cluster.Running.First(), channel, marker)).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), () => "the end marker was not answered");
        await Eventually.HoldsAsync(() => subscribers.All(s => s.Subscriber.Has(marker) || s.Reading.IsCompleted), TimeSpan.FromSeconds(60),
            () => string.Join("; ", subscribers.Where(s => !s.Subscriber.Has(marker)).Select(s => $"from node {s.Subscriber.FirstNode}: {string.Join(", ", s.Subscriber.Problems)}")));
        Assert.All(subscribers, s => Assert.True(s.Subscriber.Has(marker), string.Join(", ", s.Subscriber.Problems)));
    }

    /// <summary>
    /// The node whose /metrics counts the channel's owner. Asked again for a while: right after the first publish no
    /// node showed it, in one CI run of two and one local run of two (not explained; the exporter's scrape cache is
    /// the likely reason), and the next scrapes did.
    /// </summary>
    private static async Task<ProcessCluster.Node> OwnerAsync(ProcessCluster cluster)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            foreach (var node in cluster.Nodes)
            {
                if (new PrometheusText(await node.Api.GetStringAsync("metrics")).Value("notify_channel_owners") == 1)
                    return node;
            }
            if (DateTime.UtcNow >= deadline)
                throw new InvalidOperationException("no node owns the channel");
            await Task.Delay(200);
        }
    }

    private static async Task<(HttpStatusCode Status, long Offset)> PublishAsync(ProcessCluster.Node node, string channel, string data)
    {
        try
        {
            using var response = await node.Api.PostAsync("api/publish", new StringContent($"{{\"channel\":\"{channel}\",\"data\":{data}}}", System.Text.Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.OK)
                return (response.StatusCode, 0);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (HttpStatusCode.OK, body.RootElement.GetProperty("offset").GetInt64());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The node died under the request.
            return (HttpStatusCode.ServiceUnavailable, 0);
        }
    }

    private static async Task<Dictionary<long, string>> HistoryAsync(ProcessCluster.Node node, string channel)
    {
        using var body = JsonDocument.Parse(await node.Api.GetStringAsync($"api/history?channel={channel}&limit=2000"));
        return body.RootElement.GetProperty("publications").EnumerateArray()
            .ToDictionary(p => p.GetProperty("offset").GetInt64(), p => p.GetProperty("data").GetRawText());
    }
}
