using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>The life of one connection: welcome, subscribe, publications over HTTP, unsubscribe.</summary>
[Collection(ServerCollection.Name)]
public sealed class ConnectionSpecs
{
    [Fact]
    public async Task Welcome_is_the_first_frame_and_names_the_client_the_anonymous_user_the_ping_interval_and_protocol()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri, readWelcome: false);

        var first = await client.ReceiveJsonAsync();

        Assert.Equal("welcome", first.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("client").GetString()));
        Assert.Equal("", first.GetProperty("user").GetString());
        Assert.Equal(25, first.GetProperty("ping").GetInt32());
        Assert.Equal(1, first.GetProperty("protocol").GetInt32());
    }

    [Fact]
    public async Task Every_connection_gets_its_own_client_id()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.NotEqual(first.Welcome.GetProperty("client").GetString(), second.Welcome.GetProperty("client").GetString());
    }

    [Fact]
    public async Task Welcome_announces_the_configured_ping_interval()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_HEARTBEAT_INTERVAL"] = "7" });
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.Equal(7, client.Welcome.GetProperty("ping").GetInt32());
    }

    [Fact]
    public async Task Subscribe_is_answered_with_the_id_channel_offset_and_epoch()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync("""{"op":"subscribe","id":1,"channel":"news"}""");
        var reply = await client.ReceiveJsonAsync();

        Assert.Equal("subscribed", reply.GetProperty("type").GetString());
        Assert.Equal(1, reply.GetProperty("id").GetInt64());
        Assert.Equal("news", reply.GetProperty("channel").GetString());
        Assert.Equal(0, reply.GetProperty("offset").GetInt64());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("epoch").GetString()));
    }

    [Fact]
    public async Task Subscriber_receives_a_publication_made_over_http()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var subscribed = await client.SubscribeAsync("news", id: 1);
        const string data = """{"title":"héllo \"world\"","n":[1,2.5,null,true],"nested":{"a":{}}}""";

        using var response = await server.PublishAsync("news", data);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("news", answer.GetProperty("channel").GetString());
        Assert.Equal(1, answer.GetProperty("offset").GetInt64());
        Assert.Equal(subscribed.GetProperty("epoch").GetString(), answer.GetProperty("epoch").GetString());

        var pub = await client.ReceiveJsonAsync();
        Assert.Equal(["type", "channel", "offset", "data"], pub.EnumerateObject().Select(property => property.Name));
        Assert.Equal("pub", pub.GetProperty("type").GetString());
        Assert.Equal("news", pub.GetProperty("channel").GetString());
        Assert.Equal(1, pub.GetProperty("offset").GetInt64());
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(data).RootElement, pub.GetProperty("data")), $"data changed on the way: {pub}");
        Assert.Equal(data, pub.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Publications_arrive_in_offset_order_without_gaps()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("ticks", id: 1);

        for (var i = 1; i <= 50; i++)
        {
            using var response = await server.PublishAsync("ticks", i.ToString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        for (var i = 1; i <= 50; i++)
        {
            var pub = await client.ReceiveJsonAsync();
            Assert.Equal(i, pub.GetProperty("offset").GetInt64());
            Assert.Equal(i, pub.GetProperty("data").GetInt32());
        }
    }

    [Fact]
    public async Task Every_subscriber_of_a_channel_receives_the_publication()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        await first.SubscribeAsync("room", id: 1);
        await second.SubscribeAsync("room", id: 1);

        using var response = await server.PublishAsync("room", "\"hi\"");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        foreach (var client in new[] { first, second })
        {
            var pub = await client.ReceiveJsonAsync();
            Assert.Equal("pub", pub.GetProperty("type").GetString());
            Assert.Equal("hi", pub.GetProperty("data").GetString());
        }
    }

    [Fact]
    public async Task Unsubscribe_is_answered_and_later_publications_are_not_received()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        await client.SendTextAsync("""{"op":"unsubscribe","id":2,"channel":"news"}""");
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("unsubscribed", reply.GetProperty("type").GetString());
        Assert.Equal(2, reply.GetProperty("id").GetInt64());
        Assert.Equal("news", reply.GetProperty("channel").GetString());

        using (var response = await server.PublishAsync("news", "\"after unsubscribe\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The publication was handed to the subscribers before the 200, so it would be queued
        // before this subscribe: the next frame being the reply proves nothing came.
        await client.SubscribeAsync("barrier", id: 3);
        using (var response = await server.PublishAsync("barrier", "\"marker\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var next = await client.ReceiveJsonAsync();
        Assert.Equal("barrier", next.GetProperty("channel").GetString());
        Assert.Equal("marker", next.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Resubscribing_after_unsubscribe_continues_from_the_channels_current_offset()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var keeper = await TestClient.ConnectAsync(server.WebSocketUri);
        await keeper.SubscribeAsync("news", id: 1); // keeps the channel (and its sequence) alive
        await client.SubscribeAsync("news", id: 1);
        using (var response = await server.PublishAsync("news", "1"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await client.ReceiveJsonAsync()).GetProperty("offset").GetInt64());

        await client.SendTextAsync("""{"op":"unsubscribe","id":2,"channel":"news"}""");
        Assert.Equal("unsubscribed", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        using (var response = await server.PublishAsync("news", "2"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var again = await client.SubscribeAsync("news", id: 3);
        Assert.Equal(2, again.GetProperty("offset").GetInt64());
        using (var response = await server.PublishAsync("news", "3"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal(3, pub.GetProperty("offset").GetInt64());
        Assert.Equal(3, pub.GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task Client_that_closes_cleanly_gets_the_close_handshake_answered_with_1000()
    {
        await using var server = await ServiceHost.StartAsync();
        var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        using (var cts = new CancellationTokenSource(TestClient.DefaultTimeout))
            await client.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "bye", cts.Token);

        Assert.Equal(System.Net.WebSockets.WebSocketState.Closed, client.Socket.State);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
        await client.DisposeAsync();
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0,
            TimeSpan.FromSeconds(10), () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
    }

    [Fact]
    public async Task Quick_unsubscribe_and_resubscribe_while_publications_flow_loses_nothing_after_the_subscribed_offset()
    {
        await using var server = await ServiceHost.StartAsync();
        // Keeps the channel (and its sequence) alive between the flapping client's subscriptions.
        await using var keeper = await TestClient.ConnectAsync(server.WebSocketUri);
        await keeper.SubscribeAsync("busy", id: 1);
        using var stopPublishing = new CancellationTokenSource();
        var publishers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stopPublishing.IsCancellationRequested)
            {
                using var response = await server.PublishAsync("busy", "1");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        })).ToList();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        long? next = null; // the offset the client must see next; null while not subscribed
        var pubsSinceSubscribed = 0;
        var answered = new HashSet<long>();
        async Task ReadUntil(Func<JsonElement, bool> done)
        {
            while (true)
            {
                var frame = await client.ReceiveJsonAsync();
                if (frame.TryGetProperty("id", out var replyTo))
                    Assert.True(answered.Add(replyTo.GetInt64()), $"answered twice: {frame}");
                switch (frame.GetProperty("type").GetString())
                {
                    case "subscribed":
                        next = frame.GetProperty("offset").GetInt64() + 1;
                        pubsSinceSubscribed = 0;
                        break;
                    case "unsubscribed":
                        next = null;
                        break;
                    case "pub":
                        Assert.True(next is not null, $"publication while not subscribed: {frame}");
                        Assert.True(frame.GetProperty("offset").GetInt64() == next, $"expected offset {next}, got {frame}");
                        next++;
                        pubsSinceSubscribed++;
                        break;
                }
                if (done(frame))
                    return;
            }
        }

        for (var round = 0; round < 60; round++)
        {
            var id = round * 10;
            await client.SendTextAsync($$"""{"op":"subscribe","id":{{id + 1}},"channel":"busy"}""");
            await client.SendTextAsync($$"""{"op":"unsubscribe","id":{{id + 2}},"channel":"busy"}""");
            await client.SendTextAsync($$"""{"op":"subscribe","id":{{id + 3}},"channel":"busy"}""");
            var resubscribed = false;
            await ReadUntil(frame =>
            {
                resubscribed |= frame.TryGetProperty("id", out var replyTo) && replyTo.GetInt64() == id + 3;
                return resubscribed && pubsSinceSubscribed >= 3;
            });
            await client.SendTextAsync($$"""{"op":"unsubscribe","id":{{id + 4}},"channel":"busy"}""");
            await ReadUntil(frame => frame.TryGetProperty("id", out var replyTo) && replyTo.GetInt64() == id + 4);
            Assert.True(answered.IsSupersetOf([id + 1, id + 2, id + 3, id + 4]), $"round {round}: a command got no reply");
        }

        await stopPublishing.CancelAsync();
        await Task.WhenAll(publishers);
    }

    [Fact]
    public async Task Subscribe_with_the_current_position_is_recovered_and_with_another_epoch_is_not()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var keeper = await TestClient.ConnectAsync(server.WebSocketUri);
        var position = await keeper.SubscribeAsync("news", id: 1);
        using (var response = await server.PublishAsync("news", "1"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var epoch = position.GetProperty("epoch").GetString();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync($$$"""{"op":"subscribe","id":2,"channel":"news","recover":{"offset":1,"epoch":"{{{epoch}}}"}}""");
        var recovered = await client.ReceiveJsonAsync();
        await client.SendTextAsync($$$"""{"op":"subscribe","id":3,"channel":"other","recover":{"offset":0,"epoch":"not-{{{epoch}}}"}}""");
        var lost = await client.ReceiveJsonAsync();

        Assert.Equal("subscribed", recovered.GetProperty("type").GetString());
        Assert.True(recovered.GetProperty("recovered").GetBoolean(), $"{recovered}");
        Assert.Equal(JsonValueKind.Array, recovered.GetProperty("publications").ValueKind);
        Assert.Equal(1, recovered.GetProperty("offset").GetInt64());
        Assert.Equal("subscribed", lost.GetProperty("type").GetString());
        Assert.False(lost.GetProperty("recovered").GetBoolean(), $"{lost}");
    }

    [Theory]
    [InlineData("presence")]
    [InlineData("history")]
    public async Task Command_for_a_feature_the_namespace_does_not_enable_is_answered_not_available(string op)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync($$"""{"op":"{{op}}","id":4,"channel":"news"}""");
        var reply = await client.ReceiveJsonAsync();

        Assert.Equal("error", reply.GetProperty("type").GetString());
        Assert.Equal("not_available", reply.GetProperty("code").GetString());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Plain_http_request_to_the_websocket_endpoint_is_400()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.Http.GetAsync("ws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }
}
