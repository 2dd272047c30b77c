using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Centrifugo's JSON client protocol at /connection/websocket, spoken by hand: the commands, their replies and the
/// pushes, as Centrifugo's SDKs rely on them (../shared/CENTRIFUGO.md). The codes are in CentrifugoCodeSpecs.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CentrifugoProtocolSpecs
{
    private const string Namespaces = """
        notify.namespaces {
          chat { history-size = 100, history-ttl = 10m, presence = on, join-leave = on, allow-client-publish = on, allow-anonymous = off }
        }
        """;

    [Fact]
    public async Task Connect_answers_the_client_id_the_ping_interval_and_the_token_ttl()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);

        var (wire, connected) = await CentrifugoWire.ConnectAsync(server, TestTokens.Create("alice", expires));
        await using var owned = wire;

        Assert.Equal(32, connected.GetProperty("client").GetString()!.Length);
        Assert.Equal(25, connected.GetProperty("ping").GetInt32());
        Assert.True(connected.GetProperty("pong").GetBoolean());
        Assert.True(connected.GetProperty("expires").GetBoolean());
        Assert.InRange(connected.GetProperty("ttl").GetInt64(), 590, 600);
        var stats = await server.AdminHttp().GetFromJsonAsync<JsonElement>("admin/subscribers?user=alice");
        Assert.Equal("centrifugo-json", stats.GetProperty("subscribers")[0].GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task Connect_and_subscribes_in_one_frame_run_in_order_and_publications_follow_with_offsets()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await server.PublishOkAsync("chat:room", "\"before\"");
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(
            CentrifugoWire.Connect(1, TestTokens.Valid("alice")),
            CentrifugoWire.Command(2, "subscribe", new { channel = "chat:room" }),
            CentrifugoWire.Command(3, "subscribe", new { channel = "news" }));

        Assert.True((await wire.ReplyAsync(1)).TryGetProperty("connect", out _));
        // Replies to subscribes may come in any order (each waits for its channel); the SDKs match them by id.
        var replies = await wire.RepliesAsync(2, 3);
        var chat = replies[2].GetProperty("subscribe");
        Assert.True(chat.GetProperty("recoverable").GetBoolean());
        Assert.True(chat.GetProperty("positioned").GetBoolean());
        Assert.Equal(1, chat.GetProperty("offset").GetInt64());
        var epoch = chat.GetProperty("epoch").GetString();
        var news = replies[3].GetProperty("subscribe");
        Assert.Empty(news.EnumerateObject());

        for (var i = 1; i <= 3; i++)
            await server.PublishOkAsync("chat:room", $$"""{"n":{{i}}}""");
        for (var i = 1; i <= 3; i++)
        {
            var pub = await wire.PushAsync("pub", "chat:room");
            Assert.Equal(i + 1, pub.GetProperty("offset").GetInt64());
            Assert.Equal(i, pub.GetProperty("data").GetProperty("n").GetInt32());
        }
        var (_, afterEpoch) = await server.PublishOkAsync("news", "\"plain\"");
        Assert.Equal("plain", (await wire.PushAsync("pub", "news")).GetProperty("data").GetString());
        Assert.NotEqual(epoch, afterEpoch);
    }

    [Fact]
    public async Task Subscribe_with_recover_gets_exactly_the_missed_publications_or_recovered_false_for_another_epoch()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (first, epoch) = await server.PublishOkAsync("chat:room", "1");
        for (var i = 2; i <= 5; i++)
            await server.PublishOkAsync("chat:room", i.ToString());
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _wire = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:room", recover = true, offset = first + 1, epoch }));
        var recovered = (await wire.ReplyAsync(2)).GetProperty("subscribe");
        await wire.SendAsync(CentrifugoWire.Command(3, "subscribe", new { channel = "chat:other", recover = true, offset = 3, epoch = "not-an-epoch" }));
        var unrecovered = (await wire.ReplyAsync(3)).GetProperty("subscribe");

        Assert.True(recovered.GetProperty("was_recovering").GetBoolean());
        Assert.True(recovered.GetProperty("recovered").GetBoolean());
        Assert.Equal([3L, 4L, 5L], recovered.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal([3, 4, 5], recovered.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data").GetInt32()));
        Assert.True(unrecovered.GetProperty("was_recovering").GetBoolean());
        Assert.False(unrecovered.GetProperty("recovered").GetBoolean());
        Assert.Empty(unrecovered.GetProperty("publications").EnumerateArray());
    }

    [Fact]
    public async Task Publish_presence_and_presence_stats_answer_for_the_channel_and_joins_and_leaves_are_pushed()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (alice, aliceConnected) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _alice = alice;
        await alice.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:room" }));
        await alice.ReplyAsync(2);
        var (bob, bobConnected) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("bob"));
        await using var _bob = bob;
        await bob.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:room" }));
        await bob.ReplyAsync(2);

        var join = await alice.PushAsync("join", "chat:room");
        Assert.Equal(("bob", bobConnected.GetProperty("client").GetString()), (join.GetProperty("info").GetProperty("user").GetString(), join.GetProperty("info").GetProperty("client").GetString()));

        await alice.SendAsync(CentrifugoWire.Command(3, "publish", new { channel = "chat:room", data = new { text = "hi" } }));
        Assert.Empty((await alice.ReplyAsync(3)).GetProperty("publish").EnumerateObject());
        Assert.Equal("hi", (await alice.PushAsync("pub", "chat:room")).GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("hi", (await bob.PushAsync("pub", "chat:room")).GetProperty("data").GetProperty("text").GetString());

        await alice.SendAsync(CentrifugoWire.Command(4, "presence", new { channel = "chat:room" }), CentrifugoWire.Command(5, "presence_stats", new { channel = "chat:room" }));
        var presence = (await alice.ReplyAsync(4)).GetProperty("presence").GetProperty("presence");
        var stats = (await alice.ReplyAsync(5)).GetProperty("presence_stats");
        var aliceClient = aliceConnected.GetProperty("client").GetString()!;
        Assert.Equal("alice", presence.GetProperty(aliceClient).GetProperty("user").GetString());
        Assert.Equal(aliceClient, presence.GetProperty(aliceClient).GetProperty("client").GetString());
        Assert.Equal(2, presence.EnumerateObject().Count());
        Assert.Equal((2, 2), (stats.GetProperty("num_clients").GetInt32(), stats.GetProperty("num_users").GetInt32()));

        await bob.SendAsync(CentrifugoWire.Command(3, "unsubscribe", new { channel = "chat:room" }));
        Assert.Empty((await bob.ReplyAsync(3)).GetProperty("unsubscribe").EnumerateObject());
        Assert.Equal("bob", (await alice.PushAsync("leave", "chat:room")).GetProperty("info").GetProperty("user").GetString());
    }

    [Fact]
    public async Task History_answers_oldest_first_newest_first_with_reverse_after_since_and_only_the_position_for_limit_0()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        string epoch = "";
        for (var i = 1; i <= 6; i++)
            (_, epoch) = await server.PublishOkAsync("chat:log", i.ToString());
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _wire = wire;

        async Task<(List<long> Offsets, long Offset, string Epoch)> HistoryAsync(long id, object request)
        {
            await wire.SendAsync(CentrifugoWire.Command(id, "history", request));
            var history = (await wire.ReplyAsync(id)).GetProperty("history");
            var offsets = history.TryGetProperty("publications", out var publications)
                ? publications.EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ToList()
                : [];
            return (offsets, history.GetProperty("offset").GetInt64(), history.GetProperty("epoch").GetString()!);
        }

        Assert.Equal([1L, 2L], (await HistoryAsync(2, new { channel = "chat:log", limit = 2 })).Offsets);
        Assert.Equal([6L, 5L], (await HistoryAsync(3, new { channel = "chat:log", limit = 2, reverse = true })).Offsets);
        Assert.Equal([4L, 5L], (await HistoryAsync(4, new { channel = "chat:log", limit = 2, since = new { offset = 3, epoch } })).Offsets);
        Assert.Equal([2L, 1L], (await HistoryAsync(5, new { channel = "chat:log", limit = 5, reverse = true, since = new { offset = 3, epoch } })).Offsets);
        var position = await HistoryAsync(6, new { channel = "chat:log", limit = 0 });
        Assert.Empty(position.Offsets);
        Assert.Equal((6L, epoch), (position.Offset, position.Epoch));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], (await HistoryAsync(7, new { channel = "chat:log", limit = -1 })).Offsets);

        await wire.SendAsync(CentrifugoWire.Command(8, "history", new { channel = "chat:log", limit = 2, since = new { offset = 3, epoch = "gone" } }));
        var error = (await wire.ReplyAsync(8)).GetProperty("error");
        Assert.Equal((112, "unrecoverable position"), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Rpc_is_method_not_found_send_is_ignored_and_a_pong_keeps_the_connection()
    {
        await using var server = await ServiceHost.StartAsync("notify.heartbeat { interval = 1s, timeout = 2s }");
        var (wire, connected) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;
        Assert.Equal(1, connected.GetProperty("ping").GetInt32());

        await wire.SendAsync("""{"send":{"data":{"x":1}}}""", CentrifugoWire.Command(2, "rpc", new { method = "m", data = new { } }));
        var error = (await wire.ReplyAsync(2)).GetProperty("error");
        Assert.Equal((104, "method not found"), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));

        // Answer five pings with pongs: 5 s is past the 3 s deadline, so only the pongs keep it open.
        for (var i = 0; i < 5; i++)
        {
            var ping = await wire.NextAsync(TimeSpan.FromSeconds(5));
            Assert.Empty(ping.EnumerateObject());
            await wire.SendAsync("{}");
        }
        await wire.SendAsync(CentrifugoWire.Command(3, "presence_stats", new { channel = "news" }));
        Assert.Equal(108, (await wire.ReplyAsync(3)).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Centrifugo_connections_are_counted_like_native_ones_and_leave_nothing_behind()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var metrics = server.Metrics;
        var wires = new List<CentrifugoWire>();
        for (var i = 0; i < 40; i++)
        {
            // Half connect and subscribe to channels with history; the rest never get as far as a connect.
            var wire = await CentrifugoWire.OpenAsync(server);
            wires.Add(wire);
            if (i % 2 == 1)
                continue;
            await wire.SendAsync(CentrifugoWire.Connect(1, TestTokens.Valid($"user{i}")), CentrifugoWire.Command(2, "subscribe", new { channel = $"chat:room{i % 5}" }));
            await wire.RepliesAsync(1, 2);
        }
        Assert.Equal((40, 40, 5), (metrics.Connections, metrics.SubscriberActors, metrics.Channels));

        // Some close properly, some vanish (the socket is dropped without a close frame).
        for (var i = 0; i < wires.Count; i++)
        {
            if (i % 3 == 0)
                wires[i].Client.Socket.Abort();
            else
                await wires[i].Client.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            await wires[i].DisposeAsync();
        }

        await Eventually.HoldsAsync(() => metrics.Connections == 0 && metrics.SubscriberActors == 0 && metrics.Channels == 0 && metrics.OutboundQueueDepth == 0,
            TimeSpan.FromSeconds(30), () => $"connections {metrics.Connections}, subscriber actors {metrics.SubscriberActors}, channels {metrics.Channels}, queued {metrics.OutboundQueueDepth}");
        Assert.Equal((0L, 0L), (metrics.DeadLetters, metrics.SubscriberFailures));
    }

    [Fact]
    public async Task Pretty_printed_data_reaches_a_centrifugo_client_as_one_message_with_the_same_value()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var owned = wire;
        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:pretty" }));
        await wire.ReplyAsync(2);

        using (var response = await server.PublishAsync("chat:pretty", "{\r\n  \"lines\": [\n    1,\n    2\n  ],\n  \"text\": \"a\\nb\"\n}"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await wire.Client.ReceiveAsync();
        await wire.SendAsync(CentrifugoWire.Command(3, "history", new { channel = "chat:pretty", limit = 1 }));
        var history = (await wire.ReplyAsync(3)).GetProperty("history").GetProperty("publications")[0].GetProperty("data");

        // The SDKs split a frame at line breaks: the push must be one line, and its data the same JSON value.
        Assert.DoesNotContain('\n', received.Text);
        var data = JsonDocument.Parse(received.Text).RootElement.GetProperty("push").GetProperty("pub").GetProperty("data");
        foreach (var value in new[] { data, history })
        {
            Assert.Equal([1, 2], value.GetProperty("lines").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal("a\nb", value.GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task A_publication_reaches_native_and_centrifugo_subscribers_alike()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _wire = wire;
        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:mixed" }));
        await wire.ReplyAsync(2);
        await using var native = await server.ConnectAsAsync("bob");
        await native.SubscribeAsync("chat:mixed", id: 1);

        using var response = await server.PublishAsync("chat:mixed", """{"to":"both"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var pushed = await wire.NextNotPingAsync();
        while (!pushed.GetProperty("push").TryGetProperty("pub", out _))
            pushed = await wire.NextNotPingAsync(); // bob's join came first
        Assert.Equal("both", pushed.GetProperty("push").GetProperty("pub").GetProperty("data").GetProperty("to").GetString());
        var frame = await native.ReceiveJsonAsync();
        while (frame.Type() != "pub")
            frame = await native.ReceiveJsonAsync();
        Assert.Equal("both", frame.GetProperty("data").GetProperty("to").GetString());
    }
}
