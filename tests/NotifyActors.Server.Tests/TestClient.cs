using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>One message as the client received it: a text frame's text, or a close with its status.</summary>
public sealed record Received(WebSocketMessageType Type, string Text, WebSocketCloseStatus? CloseStatus, string? CloseDescription)
{
    public bool IsClose => Type == WebSocketMessageType.Close;

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Text);
            return document.RootElement.Clone();
        }
    }
}

/// <summary>
/// A protocol client over a real <see cref="ClientWebSocket"/>. One reader at a time (the caller's);
/// every receive is bounded, and a receive that times out fails the spec (and aborts the socket).
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly byte[] _buffer = new byte[16 * 1024];

    private TestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>The welcome frame (connect with <c>readWelcome: true</c>).</summary>
    public JsonElement Welcome { get; private set; }

    /// <summary>Opens a socket; with <paramref name="readWelcome"/> reads and checks the first frame is the welcome.</summary>
    public static async Task<TestClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, bool readWelcome = true, TimeSpan? timeout = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using (var connect = new CancellationTokenSource(timeout ?? DefaultTimeout))
        {
            try
            {
                await socket.ConnectAsync(uri, connect.Token);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        var client = new TestClient(socket);
        if (readWelcome)
        {
            var welcome = await client.ReceiveJsonAsync(timeout);
            Assert.Equal("welcome", welcome.GetProperty("type").GetString());
            client.Welcome = welcome;
        }
        return client;
    }

    public async Task SendTextAsync(string text, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
    }

    public async Task SendBinaryAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, cts.Token);
    }

    /// <summary>The next message, pings included.</summary>
    public async Task<Received> ReceiveAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        using var cts = new CancellationTokenSource(limit);
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(_buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                    return new Received(WebSocketMessageType.Close, "", result.CloseStatus, result.CloseStatusDescription);
                message.Write(_buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage)
                    return new Received(result.MessageType, Encoding.UTF8.GetString(message.WrittenSpan), null, null);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete message within {limit.TotalSeconds:0.#} s");
        }
    }

    /// <summary>The next JSON frame that is not a server ping; fails on a close.</summary>
    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var received = await ReceiveAsync(timeout);
            Assert.False(received.IsClose, $"expected a frame, got a close ({(int?)received.CloseStatus} {received.CloseDescription})");
            var json = received.Json;
            if (json.TryGetProperty("type", out var type) && type.GetString() == "ping")
                continue;
            return json;
        }
    }

    /// <summary>Reads (and discards) frames until the server's close frame, answers it, and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException("no close frame in time");
            var received = await ReceiveAsync(left);
            if (!received.IsClose)
                continue;
            await AnswerCloseAsync();
            return received.CloseStatus;
        }
    }

    /// <summary>Completes the close handshake the server started.</summary>
    public async Task AnswerCloseAsync()
    {
        if (Socket.State != WebSocketState.CloseReceived)
            return;
        using var cts = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
        }
        catch (WebSocketException)
        {
            // The server gave up waiting and aborted: the status was already read.
        }
    }

    /// <summary>{"op":"subscribe"} and its "subscribed" reply (checked).</summary>
    public async Task<JsonElement> SubscribeAsync(string channel, long id)
    {
        await SendJsonAsync(new { op = "subscribe", id, channel });
        var reply = await ReceiveJsonAsync();
        Assert.True(reply.GetProperty("type").GetString() == "subscribed", $"expected subscribed to {channel}, got {reply}");
        Assert.Equal(id, reply.GetProperty("id").GetInt64());
        Assert.Equal(channel, reply.GetProperty("channel").GetString());
        return reply;
    }

    public Task SendJsonAsync(object command) => SendTextAsync(JsonSerializer.Serialize(command));

    /// <summary>Closes cleanly (1000) when the socket is still open; otherwise just releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Best effort: the spec is over.
        }
        finally
        {
            Socket.Dispose();
        }
    }
}
