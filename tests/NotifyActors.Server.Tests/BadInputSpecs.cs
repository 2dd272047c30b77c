using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Every bad command gets the error reply PROTOCOL.md names and the socket stays usable (a subscribe
/// on it succeeds afterwards); frames the protocol cannot take close the socket with their code.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BadInputSpecs
{
    public static TheoryData<string, string, string, long?> BadCommands => new()
    {
        // what, frame, expected error code, expected id in the reply (null: none)
        { "malformed JSON", """{"op":"subscribe","channel":""", "bad_request", null },
        { "a JSON array", "[1,2]", "bad_request", null },
        { "a JSON string", "\"x\"", "bad_request", null },
        { "a JSON number", "42", "bad_request", null },
        { "no op", """{"id":1,"channel":"news"}""", "bad_request", 1 },
        { "an unknown op", """{"op":"dance","id":7}""", "unknown_op", 7 },
        { "a missing channel", """{"op":"subscribe","id":3}""", "bad_request", 3 },
        { "invalid channel characters", """{"op":"subscribe","id":4,"channel":"bad channel!"}""", "invalid_channel", 4 },
        { "an empty channel", """{"op":"subscribe","id":4,"channel":""}""", "invalid_channel", 4 },
        { "a channel of 256 bytes", $$"""{"op":"subscribe","id":5,"channel":"{{new string('a', 256)}}"}""", "invalid_channel", 5 },
        { "a channel that is a number", """{"op":"subscribe","id":6,"channel":5}""", "bad_request", 6 },
        { "an id that is a string", """{"op":"subscribe","id":"x","channel":"news"}""", "bad_request", null },
        { "an id of zero", """{"op":"subscribe","id":0,"channel":"news"}""", "bad_request", null },
        { "a fractional id", """{"op":"subscribe","id":1.5,"channel":"news"}""", "bad_request", null },
        { "an unknown namespace", """{"op":"subscribe","id":8,"channel":"nope:x"}""", "invalid_channel", 8 },
        { "a client publish in the default namespace", """{"op":"publish","id":9,"channel":"news","data":{"a":1}}""", "permission_denied", 9 },
        { "a publish without data", """{"op":"publish","id":9,"channel":"news"}""", "bad_request", 9 },
        { "an anonymous subscribe to a user-limited channel", """{"op":"subscribe","id":10,"channel":"notifications#alice"}""", "permission_denied", 10 },
        { "a malformed recover position", """{"op":"subscribe","id":11,"channel":"news","recover":{"offset":-1,"epoch":"e"}}""", "bad_request", 11 },
        { "a lone surrogate in op", """{"op":"\ud800","id":12}""", "bad_request", 12 },
        { "a lone surrogate in a channel", """{"op":"subscribe","id":13,"channel":"news\udc00"}""", "bad_request", 13 },
        { "a lone surrogate in a recover epoch", """{"op":"subscribe","id":14,"channel":"news","recover":{"offset":1,"epoch":"\ud800"}}""", "bad_request", 14 },
        { "a lone surrogate in a history epoch", """{"op":"history","id":15,"channel":"news","since":{"offset":1,"epoch":"\udbff"}}""", "bad_request", 15 },
    };

    [Theory]
    [MemberData(nameof(BadCommands))]
    public async Task Bad_command_gets_its_error_reply_and_the_socket_stays_usable(string what, string frame, string code, long? id)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync(frame);
        var reply = await client.ReceiveJsonAsync();

        AssertError(reply, code, id, what);
        await client.SubscribeAsync("still-usable", id: 100);
    }

    [Fact]
    public async Task Subscribing_twice_to_a_channel_is_a_bad_request_and_the_socket_stays_usable()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        await client.SendTextAsync("""{"op":"subscribe","id":2,"channel":"news"}""");

        AssertError(await client.ReceiveJsonAsync(), "bad_request", 2, "second subscribe");
        await client.SubscribeAsync("still-usable", id: 3);
        // The first subscription is unharmed: exactly one copy of a publication arrives.
        using (var response = await server.PublishAsync("news", "1"))
            response.EnsureSuccessStatusCode();
        using (var response = await server.PublishAsync("still-usable", "2"))
            response.EnsureSuccessStatusCode();
        Assert.Equal("news", (await client.ReceiveJsonAsync()).GetProperty("channel").GetString());
        Assert.Equal("still-usable", (await client.ReceiveJsonAsync()).GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Many_bad_commands_in_a_row_are_each_answered_on_the_same_socket()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        foreach (var row in BadCommands)
        {
            var (what, frame, code, id) = ((string)row[0], (string)row[1], (string)row[2], (long?)row[3]);
            await client.SendTextAsync(frame);
            AssertError(await client.ReceiveJsonAsync(), code, id, what);
        }

        await client.SubscribeAsync("still-usable", id: 100);
    }

    [Fact]
    public async Task Channel_name_of_exactly_255_bytes_with_every_allowed_character_is_accepted()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        const string allowed = "AZaz09_-.@=,";
        var channel = (allowed + new string('x', 255)).Substring(0, 255);
        Assert.Equal(255, Encoding.UTF8.GetByteCount(channel));

        await client.SubscribeAsync(channel, id: 1);
    }

    [Fact]
    public async Task Unsubscribe_from_a_channel_never_subscribed_is_answered_unsubscribed()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync("""{"op":"unsubscribe","id":4,"channel":"never"}""");
        var reply = await client.ReceiveJsonAsync();

        Assert.Equal("unsubscribed", reply.GetProperty("type").GetString());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
        await client.SubscribeAsync("still-usable", id: 5);
    }

    [Fact]
    public async Task Command_split_over_several_frames_is_assembled_into_one_message()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var bytes = Encoding.UTF8.GetBytes($$"""{"op":"subscribe","id":1,"channel":"news","pad":"{{new string('p', 3000)}}"}""");

        using (var cts = new CancellationTokenSource(TestClient.DefaultTimeout))
        {
            for (var start = 0; start < bytes.Length; start += 700)
            {
                var count = Math.Min(700, bytes.Length - start);
                await client.Socket.SendAsync(bytes.AsMemory(start, count), WebSocketMessageType.Text, start + count == bytes.Length, cts.Token);
            }
        }

        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("subscribed", reply.GetProperty("type").GetString());
        Assert.Equal(1, reply.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Binary_frame_closes_the_socket_with_4002()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendBinaryAsync(Encoding.UTF8.GetBytes("""{"op":"subscribe","id":1,"channel":"news"}"""));

        Assert.Equal((WebSocketCloseStatus)4002, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Text_frame_over_the_default_limit_of_65536_bytes_closes_the_socket_with_1009()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync(CommandOfSize(65537, id: 1));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Text_frame_of_exactly_the_default_limit_is_accepted()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync(CommandOfSize(65536, id: 1));

        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("subscribed", reply.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Configured_frame_limit_is_enforced()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-frame-bytes = 2000");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync(CommandOfSize(2000, id: 1));
        Assert.Equal("subscribed", (await client.ReceiveJsonAsync()).GetProperty("type").GetString());
        await client.SendTextAsync(CommandOfSize(2001, id: 2));

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
    }

    /// <summary>A valid subscribe command of exactly <paramref name="bytes"/> UTF-8 bytes (padded with an ignored field).</summary>
    private static string CommandOfSize(int bytes, long id)
    {
        var head = $$"""{"op":"subscribe","id":{{id}},"channel":"big-{{id}}","pad":" """.TrimEnd();
        var command = head + new string('p', bytes - head.Length - 2) + "\"}";
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(command));
        return command;
    }

    private static void AssertError(JsonElement reply, string code, long? id, string what)
    {
        Assert.True(reply.GetProperty("type").GetString() == "error", $"{what}: expected an error reply, got {reply}");
        Assert.True(reply.GetProperty("code").GetString() == code, $"{what}: expected code {code}, got {reply}");
        Assert.False(string.IsNullOrWhiteSpace(reply.GetProperty("message").GetString()), $"{what}: error without a message: {reply}");
        if (id is { } expected)
            Assert.True(reply.TryGetProperty("id", out var echoed) && echoed.GetInt64() == expected, $"{what}: expected id {expected} echoed, got {reply}");
        else
            Assert.False(reply.TryGetProperty("id", out _), $"{what}: expected no id, got {reply}");
    }
}
