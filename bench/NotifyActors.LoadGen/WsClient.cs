using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// A lean WebSocket client: a raw socket bound to one of 127.0.0.2-127.0.0.9 (to pass the
/// ephemeral-port limit of one source address), a hand-written HTTP/1.1 upgrade, then the
/// runtime's managed WebSocket over the stream. No HttpClient, no per-connection handler. It speaks the native protocol
/// at /ws or Centrifugo's JSON client protocol at /connection/websocket (<see cref="WireProtocol"/>).
/// </summary>
internal sealed class WsClient
{
    private static readonly IPAddress[] Sources = [.. Enumerable.Range(2, 8).Select(i => IPAddress.Parse($"127.0.0.{i}"))];
    private static int _next;
    private byte[] _buffer;

    private WsClient(Socket socket, WebSocket ws, int bufferBytes, WireProtocol protocol)
    {
        Socket = socket;
        Ws = ws;
        Protocol = protocol;
        _buffer = new byte[bufferBytes];
    }

    public Socket Socket { get; }
    public WebSocket Ws { get; }
    public WireProtocol Protocol { get; }
    public long LastOffset;
    public string Ending = "open";
    public Task? Stall;

    public ReadOnlySpan<byte> Frame(int length) => _buffer.AsSpan(0, length);

    public static async Task<WsClient> ConnectAsync(IPEndPoint server, int bufferBytes, CancellationToken ct, WireProtocol protocol = WireProtocol.Native)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // IP_BIND_ADDRESS_NO_PORT (24): pick the port at connect time, per (source, destination).
            socket.SetRawSocketOption(0, 24, [1, 0, 0, 0]);
            socket.Bind(new IPEndPoint(Sources[(int)((uint)Interlocked.Increment(ref _next) % Sources.Length)], 0));
            await socket.ConnectAsync(server, ct);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var path = protocol == WireProtocol.CentrifugoJson ? "/connection/websocket" : "/ws";
            var request = $"GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct);
            var head = new byte[2048];
            var length = 0;
            var end = -1;
            for (var reads = 0; end < 0; reads++)
            {
                if (length == head.Length || reads > 64)
                    throw new IOException("upgrade response too long");
                var n = await socket.ReceiveAsync(head.AsMemory(length), SocketFlags.None, ct);
                if (n == 0)
                    throw new IOException("closed during upgrade");
                length += n;
                end = head.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            }
            if (!head.AsSpan(0, end).StartsWith("HTTP/1.1 101"u8))
                throw new IOException("upgrade refused: " + Encoding.ASCII.GetString(head, 0, Math.Min(end, 80)));
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (end + 4 < length)
                stream = new PrefixStream(head.AsSpan(end + 4, length - end - 4).ToArray(), stream);
            var ws = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            return new WsClient(socket, ws, bufferBytes, protocol);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One whole text message into the buffer: its length, or -1 when the server closed.</summary>
    public async ValueTask<int> ReceiveAsync(CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            var result = await Ws.ReceiveAsync(_buffer.AsMemory(length), ct);
            if (result.MessageType == WebSocketMessageType.Close)
                return -1;
            length += result.Count;
            if (result.EndOfMessage)
                return length;
        }
    }

    public ValueTask SendAsync(string text, CancellationToken ct) =>
        Ws.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, true, ct);

    /// <summary>Connect, read the welcome, subscribe, read the reply (skipping pings): the subscribed offset.</summary>
    public async Task<long> HandshakeAsync(string channel, CancellationToken ct)
    {
        if (Protocol == WireProtocol.CentrifugoJson)
            return await CentrifugoHandshakeAsync(channel, ct);
        var n = await ReceiveAsync(ct);
        if (n < 0 || Frame(n).IndexOf("\"type\":\"welcome\""u8) < 0)
            throw new IOException("no welcome");
        await SendAsync($"{{\"op\":\"subscribe\",\"id\":1,\"channel\":\"{channel}\"}}", ct);
        for (var i = 0; i < 16; i++)
        {
            n = await ReceiveAsync(ct);
            if (n < 0)
                throw new IOException("closed before subscribed");
            var frame = Frame(n);
            if (frame.IndexOf("\"type\":\"subscribed\""u8) >= 0)
                return Parse.Long(frame, "\"offset\":"u8);
            if (frame.IndexOf("\"type\":\"error\""u8) >= 0)
                throw new IOException("subscribe refused: " + Encoding.UTF8.GetString(frame));
        }
        throw new IOException("no subscribed reply");
    }

    /// <summary>
    /// Centrifugo's JSON protocol as its SDK does it: connect (anonymous: no token) and subscribe in one frame, the
    /// commands separated by '\n'; then the replies, which may share frames, answering a ping (<c>{}</c>) with a pong
    /// (<c>{}</c>). The replies are parsed, not matched as text (key order is not part of the protocol). A plain
    /// channel's subscribe reply names no offset: 0, publications then count from 1.
    /// </summary>
    private async Task<long> CentrifugoHandshakeAsync(string channel, CancellationToken ct)
    {
        await SendAsync($"{{\"id\":1,\"connect\":{{\"name\":\"loadgen\"}}}}\n{{\"id\":2,\"subscribe\":{{\"channel\":\"{channel}\"}}}}", ct);
        var connected = false;
        for (var i = 0; i < 16; i++)
        {
            var n = await ReceiveAsync(ct);
            if (n < 0)
                throw new IOException($"closed before subscribed ({(int?)Ws.CloseStatus} {Ws.CloseStatusDescription})");
            foreach (var message in Centrifugo.Messages(Frame(n)))
            {
                if (Centrifugo.IsPing(message))
                {
                    await SendAsync("{}", ct);
                    continue;
                }
                using var doc = JsonDocument.Parse(message);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var error))
                    throw new IOException("refused: " + error.GetRawText());
                if (!root.TryGetProperty("id", out var id))
                    continue; // a push
                if (id.GetInt64() == 1 && root.TryGetProperty("connect", out var connect) && connect.TryGetProperty("client", out _))
                {
                    connected = true;
                }
                else if (id.GetInt64() == 2 && root.TryGetProperty("subscribe", out var subscribed))
                {
                    if (!connected)
                        throw new IOException("subscribe answered before connect");
                    return subscribed.TryGetProperty("offset", out var offset) ? offset.GetInt64() : 0;
                }
            }
        }
        throw new IOException("no subscribe reply");
    }

    /// <summary>An abrupt drop: RST, no close frame.</summary>
    public void Abort()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
            Socket.Close();
        }
        catch (Exception)
        {
        }
        Ws.Abort();
    }
}

/// <summary>The bytes read past the upgrade response, then the socket stream.</summary>
internal sealed class PrefixStream(byte[] prefix, Stream inner) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < prefix.Length)
            return TakePrefix(buffer);
        return inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
        _position < prefix.Length ? ValueTask.FromResult(TakePrefix(buffer.Span)) : inner.ReadAsync(buffer, ct);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => inner.WriteAsync(buffer, ct);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => inner.WriteAsync(buffer, offset, count, ct);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    private int TakePrefix(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, prefix.Length - _position);
        prefix.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}

/// <summary>What a load client speaks.</summary>
internal enum WireProtocol
{
    /// <summary>The native protocol at /ws (welcome, then subscribe).</summary>
    Native,

    /// <summary>Centrifugo's JSON client protocol at /connection/websocket (connect and subscribe in one frame).</summary>
    CentrifugoJson,
}

/// <summary>Reading Centrifugo's JSON frames: several messages may share one, separated by '\n'.</summary>
internal static class Centrifugo
{
    public static WireProtocol ParseProtocol(string name) => name switch
    {
        "native" => WireProtocol.Native,
        "centrifugo" or "centrifugo-json" => WireProtocol.CentrifugoJson,
        _ => throw new ArgumentException($"--protocol {name}: native or centrifugo"),
    };

    public static string Name(WireProtocol protocol) => protocol == WireProtocol.Native ? "native" : "centrifugo";

    /// <summary>The next non-empty message of <paramref name="rest"/>, which then holds what follows it.</summary>
    public static bool NextMessage(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> message)
    {
        while (rest.Length > 0)
        {
            var end = rest.IndexOf((byte)'\n');
            message = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            message = message.Trim(" \r\t"u8);
            if (message.Length > 0)
                return true;
        }
        message = [];
        return false;
    }

    /// <summary>Every message of a frame, copied (the handshake's replies; the read loop uses <see cref="NextMessage"/>).</summary>
    public static List<byte[]> Messages(ReadOnlySpan<byte> frame)
    {
        var messages = new List<byte[]>();
        while (NextMessage(ref frame, out var message))
            messages.Add(message.ToArray());
        return messages;
    }

    /// <summary>The server's ping: an empty object, to be answered with one.</summary>
    public static bool IsPing(ReadOnlySpan<byte> message) => message.Length == 2 && message[0] == (byte)'{' && message[1] == (byte)'}';

    /// <summary>A publication push: <c>{"push":{"channel":..,"pub":{..}}}</c>.</summary>
    public static bool IsPublication(ReadOnlySpan<byte> message) => message.IndexOf("\"pub\":{"u8) >= 0 && message.IndexOf("\"push\":"u8) >= 0;
}

internal static class Parse
{
    /// <summary>The integer after the first occurrence of <paramref name="key"/>, or -1.</summary>
    public static long Long(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key)
    {
        var at = frame.IndexOf(key);
        if (at < 0)
            return -1;
        long value = 0;
        var any = false;
        for (var i = at + key.Length; i < frame.Length && frame[i] >= (byte)'0' && frame[i] <= (byte)'9'; i++)
        {
            value = value * 10 + (frame[i] - '0');
            any = true;
        }
        return any ? value : -1;
    }
}
