using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Centrifugo's own JavaScript client (npm centrifuge, run by node through <see cref="CentrifugeSdk"/>) against the
/// real service at /connection/websocket: what a team switching from Centrifugo gets with its apps unchanged.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CentrifugeSdkSpecs
{
    private const string Namespaces = """
        notify.namespaces {
          chat { history-size = 100, history-ttl = 10m, presence = on, join-leave = off, allow-client-publish = on, allow-anonymous = off }
        }
        """;

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task The_sdk_connects_with_a_token_subscribes_optimistically_and_receives_publications_in_order(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var sdk = CentrifugeSdk.Start();

        // Subscribing before the connect completes: the SDK sends connect and both subscribes in one frame.
        await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: ["chat:room", "news"]);
        await sdk.WaitEventAsync("subscribed", "chat:room");
        await sdk.WaitEventAsync("subscribed", "news");
        for (var i = 1; i <= 20; i++)
            await server.PublishOkAsync(i % 2 == 0 ? "chat:room" : "news", $$"""{"n":{{i}}}""");

        var room = await PublicationsAsync(sdk, "chat:room", 10);
        var news = await PublicationsAsync(sdk, "news", 10);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => 2 * i), room.Select(p => p.GetProperty("data").GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), room.Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2 * i + 1), news.Select(p => p.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task After_a_lost_connection_the_sdk_recovers_exactly_what_it_missed_and_an_unknown_epoch_is_not_recovered(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var sdk = CentrifugeSdk.Start();
        await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: ["chat:room"], minReconnectDelay: 2000);
        await sdk.WaitEventAsync("subscribed", "chat:room");
        for (var i = 1; i <= 3; i++)
            await server.PublishOkAsync("chat:room", i.ToString());
        await PublicationsAsync(sdk, "chat:room", 3);

        await sdk.SendAsync(new { op = "dropTransport" });
        await sdk.WaitEventAsync("subscribing", "chat:room");
        for (var i = 4; i <= 8; i++)
            await server.PublishOkAsync("chat:room", i.ToString());

        var resubscribed = await sdk.WaitEventAsync("subscribed", "chat:room", TimeSpan.FromSeconds(20));
        Assert.True(resubscribed.GetProperty("wasRecovering").GetBoolean());
        Assert.True(resubscribed.GetProperty("recovered").GetBoolean());
        var missed = await PublicationsAsync(sdk, "chat:room", 5);
        Assert.Equal([4, 5, 6, 7, 8], missed.Select(p => p.GetProperty("data").GetInt32()));
        await server.PublishOkAsync("chat:room", "9");
        Assert.Equal(9, (await PublicationsAsync(sdk, "chat:room", 1))[0].GetProperty("data").GetInt32());

        await sdk.SendAsync(new { op = "subscribe", channel = "chat:other", since = new { offset = 3, epoch = "an-epoch-long-gone" } });
        var unknown = await sdk.WaitEventAsync("subscribed", "chat:other");
        Assert.True(unknown.GetProperty("wasRecovering").GetBoolean());
        Assert.False(unknown.GetProperty("recovered").GetBoolean());
        Assert.DoesNotContain(sdk.Events, e => e.GetProperty("event").GetString() == "publication" && e.GetProperty("channel").GetString() == "chat:other");
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task Presence_presence_stats_and_history_with_a_limit_answer_through_the_sdk(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        for (var i = 1; i <= 5; i++)
            await server.PublishOkAsync("chat:room", i.ToString());
        await using var bob = await server.ConnectAsAsync("bob");
        await bob.SubscribeAsync("chat:room", id: 1);
        await using var sdk = CentrifugeSdk.Start();
        var connected = await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: ["chat:room"]);
        await sdk.WaitEventAsync("subscribed", "chat:room");

        await sdk.SendAsync(new { op = "presence", channel = "chat:room", tag = "p" });
        await sdk.SendAsync(new { op = "presenceStats", channel = "chat:room", tag = "s" });
        await sdk.SendAsync(new { op = "history", channel = "chat:room", limit = 2, reverse = true, tag = "h" });

        var clients = (await sdk.ResultAsync("presence", "p")).GetProperty("value").GetProperty("clients");
        Assert.Equal(["alice", "bob"], clients.EnumerateObject().Select(c => c.Value.GetProperty("user").GetString()).Order());
        Assert.Equal("alice", clients.GetProperty(connected.GetProperty("client").GetString()!).GetProperty("user").GetString());
        var stats = (await sdk.ResultAsync("presenceStats", "s")).GetProperty("value");
        Assert.Equal((2, 2), (stats.GetProperty("numClients").GetInt32(), stats.GetProperty("numUsers").GetInt32()));
        var history = (await sdk.ResultAsync("history", "h")).GetProperty("value");
        Assert.Equal([5L, 4L], history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal(5, history.GetProperty("offset").GetInt64());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task A_channel_limited_to_another_user_is_refused_103_and_the_connection_lives_on(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var sdk = CentrifugeSdk.Start();
        await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: []);

        await sdk.SendAsync(new { op = "subscribe", channel = "chat:dm#bob,carol" });
        // A permanent refusal: the SDK unsubscribes with the error's code and message, and does not retry.
        var unsubscribed = await sdk.WaitEventAsync("unsubscribed", "chat:dm#bob,carol");
        await sdk.SendAsync(new { op = "subscribe", channel = "chat:dm#alice,bob" });
        await sdk.WaitEventAsync("subscribed", "chat:dm#alice,bob");

        Assert.Equal((103, "permission denied"), (unsubscribed.GetProperty("code").GetInt32(), unsubscribed.GetProperty("reason").GetString()));
        Assert.DoesNotContain(sdk.Events, e => e.GetProperty("event").GetString() == "disconnected");
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task A_disconnect_by_the_server_api_is_3503_and_the_sdk_does_not_reconnect(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var sdk = CentrifugeSdk.Start();
        await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: [], minReconnectDelay: 100);

        Assert.Equal(1, await server.DisconnectAsync("""{"user":"alice"}"""));

        var disconnected = await sdk.WaitEventAsync("disconnected");
        Assert.Equal((3503, "force disconnect"), (disconnected.GetProperty("code").GetInt32(), disconnected.GetProperty("reason").GetString()));
        // Terminal: the SDK makes no new connection (it would be counted here within its 100 ms reconnect delay).
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(0, server.Metrics.Connections);
        Assert.DoesNotContain(sdk.Events, e => e.GetProperty("event").GetString() == "connecting" && e.GetProperty("code").GetInt32() != 0);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task A_token_about_to_expire_is_refreshed_by_the_sdk_and_the_connection_stays(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces + "\nnotify.centrifugo.expiry-grace = 1s");
        await using var sdk = CentrifugeSdk.Start();
        await ConnectAsync(sdk, server, protocol, TestTokens.Create("alice", DateTimeOffset.UtcNow.AddSeconds(3)), subscribeFirst: ["chat:room"],
            tokens: [TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(10))]);
        await sdk.WaitEventAsync("subscribed", "chat:room");

        await sdk.WaitEventAsync("getToken", timeout: TimeSpan.FromSeconds(10));
        // Past the first token's expiry and its grace: without the refresh the connection would be closed 3005.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await server.PublishOkAsync("chat:room", "\"still here\"");

        Assert.Equal("still here", (await PublicationsAsync(sdk, "chat:room", 1))[0].GetProperty("data").GetString());
        Assert.DoesNotContain(sdk.Events, e => e.GetProperty("event").GetString() == "disconnected");
        Assert.Equal(1, server.Metrics.Connections);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("protobuf")]
    public async Task A_slow_consumer_is_closed_3008_then_reconnects_and_recovers_what_it_missed(string protocol)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces + "\nnotify.outbound { max-frames = 16, max-bytes = 256KiB }");
        var metrics = server.Metrics;
        await using var sdk = CentrifugeSdk.Start();
        await ConnectAsync(sdk, server, protocol, TestTokens.Valid("alice"), subscribeFirst: ["chat:room"], minReconnectDelay: 500);
        await sdk.WaitEventAsync("subscribed", "chat:room");

        await sdk.SendAsync(new { op = "pauseReading" });
        var pad = new string('x', 1000);
        var published = 0;
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (metrics.SlowConsumerDisconnects == 0)
            {
                using var response = await server.PublishAsync("chat:room", JsonSerializer.Serialize(new { n = ++published, pad }), limit.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        await sdk.SendAsync(new { op = "resumeReading" });

        var closed = await sdk.NextAsync(e => e.GetProperty("event").GetString() == "connecting" && e.GetProperty("code").GetInt32() != 0, TimeSpan.FromSeconds(30));
        Assert.Equal((3008, "slow"), (closed.GetProperty("code").GetInt32(), closed.GetProperty("reason").GetString()));
        var resubscribed = await sdk.WaitEventAsync("subscribed", "chat:room", TimeSpan.FromSeconds(30));
        Assert.True(resubscribed.GetProperty("recovered").GetBoolean());
        var all = await PublicationsAsync(sdk, "chat:room", published, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(1, published), all.Select(p => p.GetProperty("data").GetProperty("n").GetInt32()));
    }

    /// <summary>Starts the SDK's connect, with <paramref name="subscribeFirst"/> asked for before it, and returns its connected event.</summary>
    private static async Task<JsonElement> ConnectAsync(CentrifugeSdk sdk, ServiceHost server, string protocol, string? token, string[] subscribeFirst,
        int minReconnectDelay = 200, string[]? tokens = null)
    {
        await sdk.SendAsync(new
        {
            op = "connect",
            subscribe = subscribeFirst,
            url = CentrifugoWire.UriOf(server).ToString(),
            protocol,
            token,
            tokens = tokens ?? [],
            minReconnectDelay,
            maxReconnectDelay = Math.Max(minReconnectDelay, 2000),
        });
        return await sdk.WaitEventAsync("connected");
    }

    /// <summary>The next <paramref name="count"/> publication events of a channel, in arrival order.</summary>
    private static async Task<List<JsonElement>> PublicationsAsync(CentrifugeSdk sdk, string channel, int count, TimeSpan? timeout = null)
    {
        var publications = new List<JsonElement>(count);
        while (publications.Count < count)
            publications.Add(await sdk.WaitEventAsync("publication", channel, timeout));
        return publications;
    }
}
