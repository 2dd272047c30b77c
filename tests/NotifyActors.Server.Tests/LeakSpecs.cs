using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Akka.Actor;
using Xunit.Abstractions;

namespace NotifyActors.Server.Tests;

/// <summary>
/// However connections end, everything they held is reclaimed: sockets, subscriber actors, channel
/// actors. Read from the service's own counters, from /metrics and from the actor tree.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LeakSpecs(ITestOutputHelper output)
{
    private const int Connections = 2000;
    private const int Batch = 100;
    private const int SharedChannels = 50;
    /// <summary>Dead letters tolerated for 2,000 connections coming and going: a leak or a race would make thousands.</summary>
    private const long DeadLetterBound = 20;
    private static readonly TimeSpan Reclaim = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_thousand_connections_closed_abruptly_or_cleanly_leave_no_socket_actor_or_channel_behind()
    {
        await using var server = await ServiceHost.StartAsync();
        var metrics = server.Metrics;
        await AssertBaselineAsync(server, "before any connection");
        var deadLettersBefore = metrics.DeadLetters;
        var watch = Stopwatch.StartNew();

        // Each connection: one channel all share, one of 50 shared by some, one of its own.
        var clients = new TestClient[Connections];
        for (var start = 0; start < Connections; start += Batch)
        {
            await Task.WhenAll(Enumerable.Range(start, Batch).Select(async i =>
            {
                var client = await TestClient.ConnectAsync(server.WebSocketUri, timeout: TimeSpan.FromSeconds(30));
                await client.SubscribeAsync("leak-all", id: 1);
                await client.SubscribeAsync($"leak-shared-{i % SharedChannels}", id: 2);
                await client.SubscribeAsync($"leak-own-{i}", id: 3);
                clients[i] = client;
            }));
        }
        output.WriteLine($"{Connections} connections with 3 subscriptions each after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Connections, metrics.Connections);
        Assert.Equal(Connections, metrics.SubscriberActors);
        Assert.Equal(1 + SharedChannels + Connections, metrics.Channels);

        // One publication through the shared channel reaches every connection (and stays unread).
        var deliveriesBefore = metrics.Deliveries;
        using (var response = await server.PublishAsync("leak-all", "\"to everyone\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Eventually.HoldsAsync(() => metrics.Deliveries - deliveriesBefore == Connections, TimeSpan.FromSeconds(30),
            () => $"{metrics.Deliveries - deliveriesBefore} of {Connections} deliveries");

        // Half vanish without a close frame, half close cleanly, interleaved.
        for (var start = 0; start < Connections; start += Batch)
        {
            await Task.WhenAll(Enumerable.Range(start, Batch).Select(async i =>
            {
                var socket = clients[i].Socket;
                if (i % 2 == 0)
                {
                    socket.Abort();
                }
                else
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
                    Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
                }
                socket.Dispose();
            }));
        }
        output.WriteLine($"all closed or aborted after {watch.Elapsed.TotalSeconds:0.0} s");

        await Eventually.HoldsAsync(() => metrics.Connections == 0 && metrics.SubscriberActors == 0 && metrics.Channels == 0, Reclaim,
            () => $"connections {metrics.Connections}, subscriber actors {metrics.SubscriberActors}, channels {metrics.Channels}");
        output.WriteLine($"reclaimed after {watch.Elapsed.TotalSeconds:0.0} s; dead letters {metrics.DeadLetters - deadLettersBefore}");
        await AssertBaselineAsync(server, "after every connection ended");
        var deadLetters = metrics.DeadLetters - deadLettersBefore;
        Assert.True(deadLetters < DeadLetterBound, $"{deadLetters} dead letters for {Connections} connections (bound {DeadLetterBound})");
        Assert.False(metrics.LeakSuspected);
    }

    [Fact]
    public async Task Channels_with_history_stop_when_their_subscribers_leave_and_come_back_with_their_position()
    {
        var store = Path.Combine(Path.GetTempPath(), $"notify-leak-{Guid.NewGuid():N}", "notify.db");
        await using var server = await ServiceHost.StartAsync(
            "notify.namespaces.kept { history-size = 100, history-ttl = 10m }",
            new Dictionary<string, string?> { ["NOTIFY_PERSISTENCE"] = "sqlite", ["NOTIFY_PERSISTENCE_CONNECTION"] = $"Data Source={store}" });
        var metrics = server.Metrics;
        var baseline = metrics.Channels;

        // 500 connections on 100 channels in a namespace with history, each channel published to once.
        var clients = new List<TestClient>();
        for (var start = 0; start < 500; start += Batch)
        {
            clients.AddRange(await Task.WhenAll(Enumerable.Range(start, Batch).Select(async i =>
            {
                var client = await TestClient.ConnectAsync(server.WebSocketUri, timeout: TimeSpan.FromSeconds(30));
                await client.SubscribeAsync($"kept:room-{i % 100}", id: 1);
                return client;
            })));
        }
        Assert.Equal(baseline + 100, metrics.Channels);
        var positions = new Dictionary<int, (long Offset, string Epoch)>();
        for (var c = 0; c < 100; c++)
        {
            using var response = await server.PublishAsync($"kept:room-{c}", "1");
            var ack = await response.Content.ReadFromJsonAsync<JsonElement>();
            positions[c] = (ack.GetProperty("offset").GetInt64(), ack.GetProperty("epoch").GetString()!);
        }
        foreach (var client in clients)
            await client.DisposeAsync();

        await Eventually.HoldsAsync(() => metrics.Channels == baseline, TimeSpan.FromSeconds(30),
            () => $"{metrics.Channels - baseline} channel actors left of 100");
        // What they must remember is in the store: each comes back at the offset and epoch it left with.
        await using var back = await TestClient.ConnectAsync(server.WebSocketUri);
        for (var c = 0; c < 100; c += 33)
        {
            var subscribed = await back.SubscribeAsync($"kept:room-{c}", id: c + 10);
            Assert.Equal(positions[c], (subscribed.GetProperty("offset").GetInt64(), subscribed.GetProperty("epoch").GetString()!));
        }
    }

    [Fact]
    public async Task Channel_actor_stops_once_its_last_subscriber_leaves()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        await first.SubscribeAsync("news", id: 1);
        var subscribed = await second.SubscribeAsync("news", id: 1);
        Assert.Equal(1, server.Metrics.Channels);

        await first.SendTextAsync("""{"op":"unsubscribe","id":2,"channel":"news"}""");
        Assert.Equal("unsubscribed", (await first.ReceiveJsonAsync()).GetProperty("type").GetString());
        // The channel stays while one subscriber remains: same epoch (no successor), publication delivered.
        using (var response = await server.PublishAsync("news", "\"still here\""))
        {
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(subscribed.GetProperty("epoch").GetString(), answer.GetProperty("epoch").GetString());
        }
        Assert.Equal("still here", (await second.ReceiveJsonAsync()).GetProperty("data").GetString());
        Assert.Equal(1, server.Metrics.Channels);

        await second.SendTextAsync("""{"op":"unsubscribe","id":2,"channel":"news"}""");
        Assert.Equal("unsubscribed", (await second.ReceiveJsonAsync()).GetProperty("type").GetString());
        await AssertBaselineAsync(server, "after the last unsubscribe", connections: 2);
    }

    [Fact]
    public async Task Publishing_to_channels_nobody_subscribes_to_leaves_no_channel_actor_behind()
    {
        await using var server = await ServiceHost.StartAsync();

        for (var i = 0; i < 50; i++)
        {
            using var response = await server.PublishAsync($"nobody-{i}", "1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await AssertBaselineAsync(server, "after publishing to 50 empty channels");
    }

    [Fact]
    public async Task Channel_passivating_while_a_subscriber_arrives_keeps_serving_it()
    {
        // Idle at once: every unsubscribe makes the channel passivate.
        await using var server = await ServiceHost.StartAsync("notify.channels.idle-timeout = 0s");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        // Each round's unsubscribe makes the channel idle, and the next subscribe, sent with it, races with the
        // passivation that follows. Every command must still be answered exactly once.
        var hubs = new HashSet<IActorRef>();
        await client.SubscribeAsync("flapping", id: 1);
        for (var round = 1; round <= 200; round++)
        {
            await client.SendTextAsync($$"""{"op":"unsubscribe","id":{{2 * round}},"channel":"flapping"}""");
            // 0 to 3 ms between the two, so that the subscribe lands before, during and after the passivation.
            await Task.Delay(round % 4);
            await client.SendTextAsync($$"""{"op":"subscribe","id":{{2 * round + 1}},"channel":"flapping"}""");
            var unsubscribed = await client.ReceiveJsonAsync();
            Assert.Equal(("unsubscribed", 2L * round), (unsubscribed.Type(), unsubscribed.GetProperty("id").GetInt64()));
            var subscribed = await client.ReceiveJsonAsync();
            Assert.Equal(("subscribed", 2L * round + 1), (subscribed.Type(), subscribed.GetProperty("id").GetInt64()));
            // The hub this node has for the channel now: each new one is an incarnation after a passivation.
            var hub = await server.ActorSystem.ActorSelection("/user/channels/flapping").Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
            if (hub.Subject is { } subject)
                hubs.Add(subject);
        }
        Assert.True(hubs.Count > 1, $"the channel's hub never passivated between the subscribes ({hubs.Count} incarnation)");
        await client.SendTextAsync("""{"op":"unsubscribe","id":999,"channel":"flapping"}""");
        Assert.Equal("unsubscribed", (await client.ReceiveJsonAsync()).Type());

        var last = await client.SubscribeAsync("flapping", id: 1000);
        using (var response = await server.PublishAsync("flapping", "\"still served\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("still served", pub.GetProperty("data").GetString());
        Assert.Equal(last.GetProperty("offset").GetInt64() + 1, pub.GetProperty("offset").GetInt64());
        await client.SendTextAsync("""{"op":"unsubscribe","id":1001,"channel":"flapping"}""");
        Assert.Equal("unsubscribed", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        await AssertBaselineAsync(server, "after the flapping subscriber left the channel", connections: 1);
    }

    /// <summary>No connection, subscriber actor or channel actor left: counters, /metrics and the actor tree agree.</summary>
    private static async Task AssertBaselineAsync(ServiceHost server, string when, int connections = 0)
    {
        var metrics = server.Metrics;
        await Eventually.HoldsAsync(() => metrics.Connections == connections && metrics.SubscriberActors == connections && metrics.Channels == 0, Reclaim,
            () => $"{when}: connections {metrics.Connections}, subscriber actors {metrics.SubscriberActors}, channels {metrics.Channels}");

        PrometheusText? scraped = null;
        await Eventually.HoldsAsync(async () =>
        {
            scraped = await server.ScrapeAsync();
            return scraped.Value("notify_connections") == connections
                && scraped.Value("notify_subscriber_actors") == connections
                && scraped.Value("notify_channels") == 0
                && scraped.Value("notify_leak_suspected") == 0;
        }, TimeSpan.FromSeconds(10), () => $"{when}: /metrics says connections {scraped?.Value("notify_connections")}, subscriber actors {scraped?.Value("notify_subscriber_actors")}, channels {scraped?.Value("notify_channels")}, leak {scraped?.Value("notify_leak_suspected")}");

        if (connections == 0)
            Assert.Null(await FirstChildAsync(server.ActorSystem, "/user/connections"));
        Assert.Null(await FirstChildAsync(server.ActorSystem, "/user/channels"));
    }

    /// <summary>Any child of the actor at <paramref name="path"/>, or null when it has none.</summary>
    private static async Task<IActorRef?> FirstChildAsync(ActorSystem system, string path)
    {
        // A wildcard selection that matches nothing is answered by an empty ref with a null subject.
        var identity = await system.ActorSelection(path + "/*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(5));
        return identity.Subject;
    }
}
