using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace NotifyActors.Server.Tests;

/// <summary>PROTOCOL.md section 7's codes table: what a Centrifugo client gets in each situation, one spec per row.</summary>
[Collection(ServerCollection.Name)]
public sealed class CentrifugoCodeSpecs(ITestOutputHelper output)
{
    private const string Namespaces = """
        notify.namespaces {
          chat { history-size = 100, history-ttl = 10m, presence = on, allow-client-publish = on, allow-anonymous = off }
          members { allow-anonymous = off, allow-user-limited = on }
          closed { allow-user-limited = off }
        }
        """;

    [Fact]
    public async Task A_bad_token_is_closed_3500_invalid_token()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(CentrifugoWire.Connect(1, TestTokens.Create("alice", DateTimeOffset.UtcNow.AddHours(1), secret: "another-secret-0123456789abcdef-0123456789abcdef")));

        Assert.Equal((3500, "invalid token"), await wire.CloseAsync());
    }

    [Fact]
    public async Task No_token_where_anonymous_connections_are_off_is_closed_3500_invalid_token()
    {
        await using var server = await ServiceHost.StartAsync("notify.auth.allow-anonymous = off");
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(CentrifugoWire.Connect(1, null));

        Assert.Equal((3500, "invalid token"), await wire.CloseAsync());
    }

    [Fact]
    public async Task An_expired_token_at_connect_is_answered_109_and_a_fresh_one_then_connects()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(CentrifugoWire.Connect(1, TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(-1))));
        var error = (await wire.ReplyAsync(1)).GetProperty("error");
        await wire.SendAsync(CentrifugoWire.Connect(2, TestTokens.Valid("alice")));

        Assert.Equal((109, "token expired"), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
        Assert.True((await wire.ReplyAsync(2)).TryGetProperty("connect", out _));
    }

    [Fact]
    public async Task A_token_that_expires_without_a_refresh_is_closed_3005_and_a_refresh_keeps_it_open()
    {
        await using var server = await ServiceHost.StartAsync("notify.centrifugo.expiry-grace = 0s");
        var (refreshed, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Create("alice", DateTimeOffset.UtcNow.AddSeconds(2)));
        await using var _r = refreshed;
        var (expiring, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Create("bob", DateTimeOffset.UtcNow.AddSeconds(2)));
        await using var _e = expiring;

        await refreshed.SendAsync(CentrifugoWire.Command(2, "refresh", new { token = TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(5)) }));
        var refresh = (await refreshed.ReplyAsync(2)).GetProperty("refresh");

        Assert.True(refresh.GetProperty("expires").GetBoolean());
        Assert.InRange(refresh.GetProperty("ttl").GetInt64(), 290, 300);
        Assert.Equal((3005, "expired"), await expiring.CloseAsync(TimeSpan.FromSeconds(10)));
        await refreshed.SendAsync(CentrifugoWire.Command(3, "presence_stats", new { channel = "news" }));
        Assert.Equal(108, (await refreshed.ReplyAsync(3)).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_refresh_for_another_user_is_closed_3500()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "refresh", new { token = TestTokens.Valid("mallory") }));

        Assert.Equal((3500, "invalid token"), await wire.CloseAsync());
    }

    [Fact]
    public async Task No_pong_within_the_heartbeat_timeout_is_closed_3012_no_pong()
    {
        await using var server = await ServiceHost.StartAsync("notify.heartbeat { interval = 1s, timeout = 1s }");
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        Assert.Equal((3012, "no pong"), await wire.CloseAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task No_connect_command_in_time_is_closed_3502_stale()
    {
        await using var server = await ServiceHost.StartAsync("notify.centrifugo.connect-timeout = 1s");
        await using var wire = await CentrifugoWire.OpenAsync(server);

        Assert.Equal((3502, "stale"), await wire.CloseAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_slow_consumer_is_closed_3008_slow()
    {
        await using var server = await ServiceHost.StartAsync("notify.outbound { max-frames = 16, max-bytes = 64KiB }");
        var metrics = server.Metrics;
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;
        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "news" }));
        await wire.ReplyAsync(2);
        var data = JsonSerializer.Serialize(new { pad = new string('x', 4000) });

        // The client reads nothing until its socket's buffers are full and its queue past 16 frames.
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (metrics.SlowConsumerDisconnects == 0)
            {
                using var response = await server.PublishAsync("news", data, limit.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        output.WriteLine($"slow after {metrics.Publications} publications");

        Assert.Equal((3008, "slow"), await wire.CloseAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_shutdown_is_closed_3001_shutdown()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        var closing = wire.CloseAsync(TimeSpan.FromSeconds(20));
        await server.StopAsync();

        Assert.Equal((3001, "shutdown"), await closing);
    }

    [Fact]
    public async Task A_disconnect_by_the_server_api_is_closed_3503_force_disconnect()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var owned = wire;

        Assert.Equal(1, await server.DisconnectAsync("""{"user":"alice"}"""));

        Assert.Equal((3503, "force disconnect"), await wire.CloseAsync());
    }

    [Fact]
    public async Task A_connection_past_the_users_limit_is_closed_3504_connection_limit_and_the_first_carries_on()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 1");
        var (first, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _f = first;
        var (second, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var _s = second;

        Assert.Equal((3504, "connection limit"), await second.CloseAsync());
        await first.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "news" }));
        Assert.True((await first.ReplyAsync(2)).TryGetProperty("subscribe", out _));
    }

    [Fact]
    public async Task A_malformed_command_is_closed_3501_bad_request()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        await wire.SendAsync("""{"id":2,"subscribe":{"channel":"\ud800"}}""");

        Assert.Equal((3501, "bad request"), await wire.CloseAsync());
    }

    [Fact]
    public async Task A_command_before_connect_is_closed_3501_bad_request()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(CentrifugoWire.Command(1, "subscribe", new { channel = "news" }));

        Assert.Equal((3501, "bad request"), await wire.CloseAsync());
    }

    [Theory]
    [InlineData("""{"send":{"data":{}}}""")]
    [InlineData("{}")]
    public async Task Anything_but_connect_first_even_a_send_or_a_pong_is_closed_3501(string first)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var wire = await CentrifugoWire.OpenAsync(server);

        await wire.SendAsync(first);

        Assert.Equal((3501, "bad request"), await wire.CloseAsync());
    }

    [Fact]
    public async Task Connects_with_an_expired_token_do_not_keep_a_connection_past_its_connect_deadline()
    {
        await using var server = await ServiceHost.StartAsync("notify.centrifugo.connect-timeout = 2s");
        await using var wire = await CentrifugoWire.OpenAsync(server);
        var expired = TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(-1));
        var opened = DateTime.UtcNow;

        // Each is answered 109 and leaves the connection unauthenticated; none moves the 2 s deadline.
        var closing = wire.CloseAsync(TimeSpan.FromSeconds(15));
        for (var id = 1; id <= 40 && !closing.IsCompleted; id++)
        {
            try
            {
                await wire.SendAsync(CentrifugoWire.Connect(id, expired));
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                break; // closed under us
            }
            await Task.WhenAny(closing, Task.Delay(200));
        }

        Assert.Equal((3502, "stale"), await closing);
        Assert.InRange(DateTime.UtcNow - opened, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task A_token_valid_until_the_last_second_of_9999_connects_and_keeps_its_connection()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, connected) = await CentrifugoWire.ConnectAsync(server, TestTokens.WithRawExpiry("alice", 253402300790));
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "refresh", new { token = TestTokens.WithRawExpiry("alice", 253402300799) }));

        Assert.True(connected.GetProperty("expires").GetBoolean());
        Assert.True((await wire.ReplyAsync(2)).TryGetProperty("refresh", out _));
        Assert.Equal(0, server.Metrics.SubscriberFailures);
    }

    [Fact]
    public async Task A_protobuf_frame_whose_length_lies_is_closed_3501_and_counts_no_failure()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(CentrifugoWire.UriOf(server), o => o.AddSubProtocol("centrifuge-protobuf"), readWelcome: false);

        await client.SendBinaryAsync([0xff, 0xff, 0xff, 0xff, 0x07, 0x08]);

        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)3501, await client.ReceiveCloseAsync());
        Assert.Equal(0, server.Metrics.SubscriberFailures);
    }

    [Theory]
    [InlineData("members:room#bob", "subscribe")]
    [InlineData("closed:room#alice", "subscribe")]
    [InlineData("news", "publish")]
    public async Task A_refused_subscribe_or_publish_is_answered_103_permission_denied_and_the_connection_carries_on(string channel, string method)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, TestTokens.Valid("alice"));
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, method, new { channel, data = new { } }));

        AssertError(await wire.ReplyAsync(2), 103, "permission denied");
        await wire.SendAsync(CentrifugoWire.Command(3, "subscribe", new { channel = "members:room#alice" }));
        Assert.True((await wire.ReplyAsync(3)).TryGetProperty("subscribe", out _));
    }

    [Fact]
    public async Task An_anonymous_subscribe_where_anonymous_use_is_off_is_answered_103()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "chat:room" }));

        AssertError(await wire.ReplyAsync(2), 103, "permission denied");
    }

    [Fact]
    public async Task An_unknown_namespace_is_answered_102_unknown_channel()
    {
        await using var server = await ServiceHost.StartAsync();
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "nowhere:room" }));

        AssertError(await wire.ReplyAsync(2), 102, "unknown channel");
    }

    [Fact]
    public async Task Too_many_channels_is_answered_106_limit_exceeded_and_a_second_subscribe_105()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits { max-channels-per-connection = 2 }");
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        await wire.SendAsync(
            CentrifugoWire.Command(2, "subscribe", new { channel = "a" }),
            CentrifugoWire.Command(3, "subscribe", new { channel = "b" }),
            CentrifugoWire.Command(4, "subscribe", new { channel = "c" }),
            CentrifugoWire.Command(5, "subscribe", new { channel = "a" }));

        var replies = await wire.RepliesAsync(2, 3, 4, 5);
        Assert.True(replies[2].TryGetProperty("subscribe", out _) && replies[3].TryGetProperty("subscribe", out _));
        AssertError(replies[4], 106, "limit exceeded");
        AssertError(replies[5], 105, "already subscribed");
    }

    [Fact]
    public async Task An_unrecoverable_position_is_recovered_false_and_was_recovering_true()
    {
        await using var server = await ServiceHost.StartAsync("notify.namespaces.short { history-size = 2, history-ttl = 10m }");
        var (_, epoch) = await server.PublishOkAsync("short:feed", "1");
        for (var i = 2; i <= 5; i++)
            await server.PublishOkAsync("short:feed", i.ToString());
        var (wire, _) = await CentrifugoWire.ConnectAsync(server, null);
        await using var owned = wire;

        await wire.SendAsync(CentrifugoWire.Command(2, "subscribe", new { channel = "short:feed", recover = true, offset = 1, epoch }));
        var reply = (await wire.ReplyAsync(2)).GetProperty("subscribe");

        Assert.True(reply.GetProperty("was_recovering").GetBoolean());
        Assert.False(reply.GetProperty("recovered").GetBoolean());
        Assert.Equal(5, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());
    }

    private static void AssertError(JsonElement reply, int code, string message)
    {
        Assert.True(reply.TryGetProperty("error", out var error), $"expected an error, got {reply}");
        Assert.Equal((code, message), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
    }
}
