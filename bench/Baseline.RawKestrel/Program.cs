using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

// Baseline.RawKestrel: the floor the NotifyActors benchmark compares against. A plain ASP.NET Core
// WebSocket fan-out server with no actors: per-connection bounded queue (System.Threading.Channels)
// and one writer loop. It speaks the subset of the wire contract the load generator uses:
// welcome, subscribe -> subscribed, pong, POST /api/publish (apikey) -> pub frames,
// GET /metrics (notify_connections, notify_subscriber_actors) and GET /stats.
// Listen address: --urls http://127.0.0.1:PORT or BASELINE_URLS; API key: --apikey or BASELINE_API_KEY.

var url = Arg(args, "--urls") ?? Environment.GetEnvironmentVariable("BASELINE_URLS") ?? "http://127.0.0.1:5090";
var apiKey = Arg(args, "--apikey") ?? Environment.GetEnvironmentVariable("BASELINE_API_KEY") ?? "bench";
var host = new Uri(url).Host;
if (!IPAddress.TryParse(host, out var ip) || ip.GetAddressBytes()[0] != 127)
{
    Console.Error.WriteLine($"baseline: listen address must be on 127.0.0.0/8, got {url}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(url);
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
builder.Logging.ClearProviders();
var app = builder.Build();
var hub = new Hub();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });

app.Map("/ws", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = 400;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    var connection = new Connection(socket, hub);
    await connection.RunAsync();
});

app.MapPost("/api/publish", async context =>
{
    if (context.Request.Headers.Authorization.ToString() != "apikey " + apiKey)
    {
        context.Response.StatusCode = 401;
        return;
    }
    using var document = await JsonDocument.ParseAsync(context.Request.Body);
    var root = document.RootElement;
    if (root.ValueKind != JsonValueKind.Object
        || !root.TryGetProperty("channel", out var channelElement) || channelElement.ValueKind != JsonValueKind.String
        || !root.TryGetProperty("data", out var data))
    {
        context.Response.StatusCode = 400;
        return;
    }
    var channel = channelElement.GetString()!;
    var offset = hub.Publish(channel, Encoding.UTF8.GetBytes(data.GetRawText()));
    context.Response.ContentType = "application/json";
    await context.Response.WriteAsync($"{{\"channel\":{JsonSerializer.Serialize(channel)},\"offset\":{offset},\"epoch\":\"{Hub.Epoch}\"}}");
});

app.MapGet("/metrics", () => Results.Text(
    "# TYPE notify_connections gauge\n" +
    $"notify_connections {hub.Connections}\n" +
    "# TYPE notify_subscriber_actors gauge\n" +
    $"notify_subscriber_actors {hub.Writers}\n" +
    "# TYPE notify_slow_consumer_disconnects_total counter\n" +
    $"notify_slow_consumer_disconnects_total {hub.SlowConsumers}\n",
    "text/plain; version=0.0.4"));
app.MapGet("/stats", () => Results.Json(new { connections = hub.Connections, writers = hub.Writers, channels = hub.ChannelCount, slowConsumers = hub.SlowConsumers }));
app.MapGet("/healthz", () => "Healthy");

await app.RunAsync();
return 0;

static string? Arg(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Every channel and its subscribers; publishing holds the channel's lock so offsets reach every queue in order.</summary>
internal sealed class Hub
{
    public const string Epoch = "baseline";
    public const int MaxFrames = 1024;
    public const long MaxBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);
    private int _connections;
    private int _writers;
    private long _slow;

    public int Connections => Volatile.Read(ref _connections);
    public int Writers => Volatile.Read(ref _writers);
    public int ChannelCount => _channels.Count;
    public long SlowConsumers => Interlocked.Read(ref _slow);

    public void Opened() => Interlocked.Increment(ref _connections);
    public void Closed() => Interlocked.Decrement(ref _connections);
    public void WriterStarted() => Interlocked.Increment(ref _writers);
    public void WriterStopped() => Interlocked.Decrement(ref _writers);
    public void SlowConsumer() => Interlocked.Increment(ref _slow);

    /// <summary>Joins the channel and queues the reply under its lock, so no newer publication overtakes the reply.</summary>
    public void Subscribe(string channel, Connection connection, Action<long> reply)
    {
        while (true)
        {
            var state = _channels.GetOrAdd(channel, static _ => new ChannelState());
            lock (state)
            {
                if (state.Removed)
                    continue;
                state.Members.Add(connection);
                reply(state.Offset);
                return;
            }
        }
    }

    public void Unsubscribe(string channel, Connection connection)
    {
        if (!_channels.TryGetValue(channel, out var state))
            return;
        lock (state)
        {
            state.Members.Remove(connection);
            if (state.Members.Count == 0)
            {
                state.Removed = true;
                _channels.TryRemove(new KeyValuePair<string, ChannelState>(channel, state));
            }
        }
    }

    public long Publish(string channel, byte[] data)
    {
        while (true)
        {
            var state = _channels.GetOrAdd(channel, static _ => new ChannelState());
            lock (state)
            {
                if (state.Removed)
                    continue;
                var offset = ++state.Offset;
                var frame = Frames.Publication(channel, offset, data); // encoded once, shared
                foreach (var member in state.Members)
                    member.Enqueue(frame);
                if (state.Members.Count == 0)
                {
                    state.Removed = true;
                    _channels.TryRemove(new KeyValuePair<string, ChannelState>(channel, state));
                }
                return offset;
            }
        }
    }

    private sealed class ChannelState
    {
        public readonly HashSet<Connection> Members = [];
        public long Offset;
        public bool Removed;
    }
}

/// <summary>One socket: a read loop (this request) and one writer loop draining a bounded queue.</summary>
internal sealed class Connection(WebSocket socket, Hub hub)
{
    private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Hub.MaxFrames + 1) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly List<string> _channels = [];
    private long _queuedBytes;
    private int _queuedFrames;
    private int _closing;

    public void Enqueue(byte[] frame)
    {
        if (Volatile.Read(ref _closing) != 0)
            return;
        var frames = Interlocked.Increment(ref _queuedFrames);
        var bytes = Interlocked.Add(ref _queuedBytes, frame.Length);
        if (frames > Hub.MaxFrames || (bytes > Hub.MaxBytes && bytes != frame.Length) || !_queue.Writer.TryWrite(frame))
        {
            // Slow consumer: close it (4001, as the contract says) and drop what is queued.
            if (Interlocked.Exchange(ref _closing, 1) == 0)
            {
                hub.SlowConsumer();
                _queue.Writer.TryComplete();
                _ = CloseSlowAsync();
            }
        }
    }

    private async Task CloseSlowAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync((WebSocketCloseStatus)4001, "slow consumer", cts.Token);
        }
        catch (Exception)
        {
        }
        socket.Abort();
    }

    public async Task RunAsync()
    {
        hub.Opened();
        var writer = WriteLoopAsync();
        try
        {
            Enqueue(Frames.Welcome(Guid.NewGuid().ToString("N")));
            await ReadLoopAsync();
        }
        catch (Exception)
        {
        }
        finally
        {
            Interlocked.Exchange(ref _closing, 1);
            _queue.Writer.TryComplete();
            foreach (var channel in _channels)
                hub.Unsubscribe(channel, this);
            socket.Abort();
            try { await writer; } catch (Exception) { }
            hub.Closed();
        }
    }

    private async Task WriteLoopAsync()
    {
        hub.WriterStarted();
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var frame))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                    Interlocked.Decrement(ref _queuedFrames);
                    Interlocked.Add(ref _queuedBytes, -frame.Length);
                }
            }
        }
        catch (Exception)
        {
            socket.Abort();
        }
        finally
        {
            hub.WriterStopped();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1024];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= 65536)
                    return;
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            if (result.MessageType != WebSocketMessageType.Text)
                return;
            length += result.Count;
            if (!result.EndOfMessage)
                continue;
            OnCommand(buffer.AsMemory(0, length));
            length = 0;
        }
    }

    private void OnCommand(ReadOnlyMemory<byte> frame)
    {
        long? id = null;
        string? op = null, channel = null;
        try
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (root.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var value))
                id = value;
            if (root.TryGetProperty("op", out var opElement) && opElement.ValueKind == JsonValueKind.String)
                op = opElement.GetString();
            if (root.TryGetProperty("channel", out var channelElement) && channelElement.ValueKind == JsonValueKind.String)
                channel = channelElement.GetString();
        }
        catch (JsonException)
        {
            Enqueue(Frames.Error(null, "bad_request"));
            return;
        }
        switch (op)
        {
            case "pong":
                return;
            case "subscribe" when channel is not null:
                if (_channels.Contains(channel))
                {
                    Enqueue(Frames.Error(id, "bad_request"));
                    return;
                }
                _channels.Add(channel);
                hub.Subscribe(channel, this, offset => Enqueue(Frames.Subscribed(id, channel, offset)));
                return;
            case "unsubscribe" when channel is not null:
                _channels.Remove(channel);
                hub.Unsubscribe(channel, this);
                Enqueue(Frames.Unsubscribed(id, channel));
                return;
            default:
                Enqueue(Frames.Error(id, op is null ? "bad_request" : "unknown_op"));
                return;
        }
    }
}

internal static class Frames
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };

    public static byte[] Welcome(string client) => Write(w =>
    {
        w.WriteString("type", "welcome");
        w.WriteString("client", client);
        w.WriteString("user", "");
        w.WriteNumber("ping", 25);
        w.WriteNumber("protocol", 1);
    });

    public static byte[] Publication(string channel, long offset, ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + channel.Length + data.Length);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("type", "pub");
            w.WriteString("channel", channel);
            w.WriteNumber("offset", offset);
            w.WritePropertyName("data");
            w.WriteRawValue(data, skipInputValidation: true);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Subscribed(long? id, string channel, long offset) => Write(w =>
    {
        w.WriteString("type", "subscribed");
        if (id is { } v) w.WriteNumber("id", v);
        w.WriteString("channel", channel);
        w.WriteNumber("offset", offset);
        w.WriteString("epoch", Hub.Epoch);
    });

    public static byte[] Unsubscribed(long? id, string channel) => Write(w =>
    {
        w.WriteString("type", "unsubscribed");
        if (id is { } v) w.WriteNumber("id", v);
        w.WriteString("channel", channel);
    });

    public static byte[] Error(long? id, string code) => Write(w =>
    {
        w.WriteString("type", "error");
        if (id is { } v) w.WriteNumber("id", v);
        w.WriteString("code", code);
        w.WriteString("message", code);
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
