using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Tests.Support;

/// <summary>The client end of a test connection: sends commands, reads frames as JSON, every wait bounded.</summary>
public sealed class TestClient(WebSocket socket) : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    // One reader at a time per client (as WebSocket itself requires), so the buffers are reused.
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly MemoryStream _message = new();

    public WebSocket Socket { get; } = socket;

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next text frame as JSON; fails if the socket closes or nothing arrives in time.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        var frame = await ReceiveFrameAsync(timeout ?? DefaultTimeout);
        if (frame is null)
            throw new InvalidOperationException($"the server closed the socket ({Socket.CloseStatus}) instead of sending a frame");
        return frame.Value;
    }

    /// <summary>The next frame whose "type" is not "ping".</summary>
    public async Task<JsonElement> ReceiveSkippingPingsAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var frame = await ReceiveAsync(Remaining(deadline));
            if (frame.GetProperty("type").GetString() != "ping")
                return frame;
        }
    }

    /// <summary>Reads (and discards) frames until the server's close frame; returns its status.</summary>
    public async Task<int?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        try
        {
            while (await ReceiveFrameAsync(Remaining(deadline)) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
            return null; // aborted without a close frame
        }
        return (int?)Socket.CloseStatus;
    }

    /// <summary>Answers like a live client: a pong every <paramref name="interval"/> until <paramref name="stop"/> is cancelled.</summary>
    public Task PongUntilAsync(TimeSpan interval, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            await SendAsync("""{"op":"pong"}""");
            await Task.Delay(interval);
        }
    });

    public void Dispose() => Socket.Dispose();

    private async Task<JsonElement?> ReceiveFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        _message.SetLength(0);
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                return null;
            _message.Write(_buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonDocument.Parse(_message.GetBuffer().AsMemory(0, (int)_message.Length)).RootElement.Clone();
        }
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }
}
