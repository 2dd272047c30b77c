using System.Net.WebSockets;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Centrifugo's JSON protocol spoken by hand over a real <see cref="TestClient"/> socket at /connection/websocket:
/// commands as the SDKs write them (several per frame, joined by \n), and every reply or push read one JSON message at
/// a time whatever the frames that carried them. For what the SDK itself does, see <see cref="CentrifugeSdk"/>.
/// </summary>
public sealed class CentrifugoWire : IAsyncDisposable
{
    private readonly Queue<JsonElement> _messages = new();

    private CentrifugoWire(TestClient client) => Client = client;

    public TestClient Client { get; }

    public static Uri UriOf(ServiceHost server) => new($"ws://{server.BaseAddress.Authority}/connection/websocket");

    /// <summary>Opens the socket; sends nothing.</summary>
    public static async Task<CentrifugoWire> OpenAsync(ServiceHost server) =>
        new(await TestClient.ConnectAsync(UriOf(server), readWelcome: false));

    /// <summary>Opens the socket, connects with <paramref name="token"/> and returns the connect result (checked).</summary>
    public static async Task<(CentrifugoWire Wire, JsonElement Connected)> ConnectAsync(ServiceHost server, string? token)
    {
        var wire = await OpenAsync(server);
        await wire.SendAsync(Connect(1, token));
        var reply = await wire.ReplyAsync(1);
        Assert.True(reply.TryGetProperty("connect", out var connected), $"expected a connect result, got {reply}");
        return (wire, connected);
    }

    public static string Connect(long id, string? token) =>
        JsonSerializer.Serialize(new { id, connect = token is null ? new Dictionary<string, object>() : new Dictionary<string, object> { ["token"] = token } });

    public static string Command(long id, string method, object request) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["id"] = id, [method] = request });

    /// <summary>One frame holding every command given, in order.</summary>
    public Task SendAsync(params string[] commands) => Client.SendTextAsync(string.Join('\n', commands));

    /// <summary>The next message, pings ({}) included.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan? timeout = null)
    {
        while (_messages.Count == 0)
        {
            var received = await Client.ReceiveAsync(timeout);
            Assert.False(received.IsClose, $"expected a message, got a close ({(int?)received.CloseStatus} {received.CloseDescription})");
            Assert.Equal(WebSocketMessageType.Text, received.Type);
            foreach (var line in received.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var document = JsonDocument.Parse(line);
                _messages.Enqueue(document.RootElement.Clone());
            }
        }
        return _messages.Dequeue();
    }

    /// <summary>The next message that is not a ping.</summary>
    public async Task<JsonElement> NextNotPingAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var message = await NextAsync(timeout);
            if (message.EnumerateObject().Any())
                return message;
        }
    }

    /// <summary>The next message, which must be the reply with this id.</summary>
    public async Task<JsonElement> ReplyAsync(long id, TimeSpan? timeout = null)
    {
        var message = await NextNotPingAsync(timeout);
        Assert.True(message.TryGetProperty("id", out var replyId) && replyId.GetInt64() == id, $"expected the reply to {id}, got {message}");
        return message;
    }

    /// <summary>The replies to these ids, in whatever order they come; nothing else may come between them.</summary>
    public async Task<Dictionary<long, JsonElement>> RepliesAsync(params long[] ids)
    {
        var replies = new Dictionary<long, JsonElement>();
        while (replies.Count < ids.Length)
        {
            var message = await NextNotPingAsync();
            Assert.True(message.TryGetProperty("id", out var id) && ids.Contains(id.GetInt64()), $"expected a reply to one of {string.Join(", ", ids)}, got {message}");
            Assert.True(replies.TryAdd(id.GetInt64(), message), $"a second reply to {id}: {message}");
        }
        return replies;
    }

    /// <summary>The next message, which must be the push of this type; returns its body.</summary>
    public async Task<JsonElement> PushAsync(string type, string channel, TimeSpan? timeout = null)
    {
        var message = await NextNotPingAsync(timeout);
        var body = default(JsonElement);
        Assert.True(message.TryGetProperty("push", out var push) && push.TryGetProperty(type, out body), $"expected a {type} push, got {message}");
        Assert.Equal(channel, push.GetProperty("channel").GetString());
        return body;
    }

    /// <summary>Reads until the server's close frame (discarding what comes before), answers it, and returns its code and reason.</summary>
    public async Task<(int Code, string Reason)> CloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestClient.DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException("no close frame in time");
            var received = await Client.ReceiveAsync(left);
            if (!received.IsClose)
                continue;
            await Client.AnswerCloseAsync();
            return ((int)received.CloseStatus!, received.CloseDescription ?? "");
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
