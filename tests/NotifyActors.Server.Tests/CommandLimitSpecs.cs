using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Per-connection limits on commands: notify.limits.max-channels-per-connection and the command rate
/// (command-rate, command-burst, max-rejected-commands), at and past their bounds.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CommandLimitSpecs
{
    /// <summary>A burst of 3 and a refill so slow (one per 1000 s) that no token returns during a spec.</summary>
    private const string TightRate = "notify.limits { command-rate = 0.001, command-burst = 3, max-rejected-commands = 4 }";

    [Fact]
    public async Task By_default_a_connection_holds_128_channels_and_the_129th_subscribe_is_limit_exceeded()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        // All at once, as a reconnecting client resubscribes: the default burst allows it.
        for (var i = 1; i <= 129; i++)
            await client.SendTextAsync($$"""{"op":"subscribe","id":{{i}},"channel":"c{{i}}"}""");
        var replies = new Dictionary<long, JsonElement>();
        for (var i = 1; i <= 129; i++)
        {
            var reply = await client.ReceiveJsonAsync();
            replies[reply.GetProperty("id").GetInt64()] = reply;
        }

        Assert.Equal(128, replies.Values.Count(reply => reply.GetProperty("type").GetString() == "subscribed"));
        var refused = Assert.Single(replies.Values, reply => reply.GetProperty("type").GetString() == "error");
        Assert.Equal("limit_exceeded", refused.GetProperty("code").GetString());
        // The connection stays: a publication to one of its channels still arrives.
        using (var response = await server.PublishAsync("c1", "\"after\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("after", (await client.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_configured_channel_limit_is_enforced_and_an_unsubscribe_frees_a_place()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-channels-per-connection = 2");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("a", id: 1);
        await client.SubscribeAsync("b", id: 2);

        await client.SendTextAsync("""{"op":"subscribe","id":3,"channel":"c"}""");
        var refused = await client.ReceiveJsonAsync();
        Assert.Equal("error", refused.GetProperty("type").GetString());
        Assert.Equal("limit_exceeded", refused.GetProperty("code").GetString());
        Assert.Equal(3, refused.GetProperty("id").GetInt64());

        await client.SendTextAsync("""{"op":"unsubscribe","id":4,"channel":"a"}""");
        Assert.Equal("unsubscribed", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        await client.SubscribeAsync("c", id: 5);
    }

    [Fact]
    public async Task A_command_past_the_rate_is_limit_exceeded_not_executed_and_the_connection_stays()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        for (var i = 1; i <= 3; i++)
            await client.SubscribeAsync($"c{i}", id: i);

        await client.SendTextAsync("""{"op":"subscribe","id":4,"channel":"refused"}""");
        var reply = await client.ReceiveJsonAsync();

        Assert.Equal("error", reply.GetProperty("type").GetString());
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
        // Not subscribed to "refused"; still subscribed to c1 and delivering.
        using (var response = await server.PublishAsync("refused", "1"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await server.PublishAsync("c1", "2"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("c1", pub.GetProperty("channel").GetString());
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task Pongs_take_a_token_like_any_command_and_a_refused_one_is_not_answered()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        for (var i = 0; i < 3; i++) // the whole burst
            await client.SendTextAsync("""{"op":"pong"}""");
        await client.SendTextAsync("""{"op":"pong"}"""); // refused, silently
        await client.SendTextAsync("""{"op":"subscribe","id":1,"channel":"c1"}""");

        // The first reply is the subscribe's refusal: no reply to any pong came before it.
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.Equal(1, reply.GetProperty("id").GetInt64());
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task A_pong_flood_closes_with_4002_like_any_flood()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        for (var i = 0; i < 7; i++) // 3 allowed, 3 refused, the 4th refusal closes
            await client.SendTextAsync("""{"op":"pong"}""");

        Assert.Equal((WebSocketCloseStatus)4002, await client.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0,
            TimeSpan.FromSeconds(10), () => $"connections {server.Metrics.Connections}, actors {server.Metrics.SubscriberActors}");
    }

    [Fact]
    public async Task A_large_frame_past_the_rate_is_refused_unread()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var padded = $$"""{"op":"pong","id":9,"pad":"{{new string('p', 60_000)}}" not even JSON""";
        for (var i = 0; i < 3; i++)
        {
            // Within the rate, a large frame is read: this one is malformed, and answered so.
            await client.SendTextAsync(padded);
            Assert.Equal("bad_request", (await client.ReceiveJsonAsync()).GetProperty("code").GetString());
        }

        await client.SendTextAsync(padded);

        // Past the rate it is not decoded at all: refused, with no id since none was read.
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.False(reply.TryGetProperty("id", out _), $"a frame refused unread has no id to echo: {reply}");
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task Sustained_flooding_closes_with_4002_and_reclaims_the_connection()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        for (var i = 1; i <= 7; i++) // 3 allowed, 3 rejected, the 4th rejection closes
            await client.SendTextAsync($$"""{"op":"subscribe","id":{{i}},"channel":"c{{i}}"}""");
        var limited = 0;
        Received received;
        while (!(received = await client.ReceiveAsync()).IsClose)
        {
            if (received.Json.GetProperty("type").GetString() == "error")
            {
                Assert.Equal("limit_exceeded", received.Json.GetProperty("code").GetString());
                limited++;
            }
        }
        await client.AnswerCloseAsync();

        Assert.Equal((WebSocketCloseStatus)4002, received.CloseStatus);
        // A connection closed for flooding writes what it queued before its close frame: all three refusals.
        Assert.Equal(3, limited);
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0 && server.Metrics.Channels == 0,
            TimeSpan.FromSeconds(10), () => $"connections {server.Metrics.Connections}, actors {server.Metrics.SubscriberActors}, channels {server.Metrics.Channels}");
    }

    [Fact]
    public async Task A_client_that_waits_for_its_replies_is_slowed_down_but_never_closed()
    {
        // 20 per second, and only 1000 refusals in a row close: a lockstep client (one command, then
        // its reply) goes far faster than 20 per second but gets a token back every 50 ms.
        await using var server = await ServiceHost.StartAsync("notify.limits { command-rate = 20, command-burst = 20, max-rejected-commands = 1000 }");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var answered = new Dictionary<string, int>();

        for (var id = 1; id <= 300; id++)
        {
            await client.SendTextAsync($$"""{"op":"unsubscribe","id":{{id}},"channel":"nothing"}""");
            var reply = await client.ReceiveJsonAsync();
            Assert.Equal(id, reply.GetProperty("id").GetInt64());
            var kind = reply.GetProperty("type").GetString() == "error" ? reply.GetProperty("code").GetString()! : reply.GetProperty("type").GetString()!;
            answered[kind] = answered.GetValueOrDefault(kind) + 1;
        }

        Assert.Equal(["limit_exceeded", "unsubscribed"], answered.Keys.Order());
        Assert.True(answered["unsubscribed"] >= 20, $"the burst was not allowed: {string.Join(", ", answered)}");
        await client.SendTextAsync("""{"op":"pong"}""");
        Assert.Equal(WebSocketState.Open, client.Socket.State);
        Assert.Equal(1, server.Metrics.SubscriberActors);
    }

    [Fact]
    public async Task The_rate_is_per_connection()
    {
        await using var server = await ServiceHost.StartAsync(TightRate);
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        for (var i = 1; i <= 3; i++)
            await first.SubscribeAsync($"c{i}", id: i);

        for (var i = 1; i <= 3; i++)
            await second.SubscribeAsync($"c{i}", id: i);
    }
}
