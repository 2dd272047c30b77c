using System.Buffers;
using System.Net.WebSockets;
using Akka.Actor;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The read loop of one socket: each complete message of its dialect's kind (text, or binary) goes to the subscriber
/// actor as a <see cref="SubscriberActor.ClientFrame"/>. It ends at the first close frame, frame of the other kind,
/// oversized message or socket error, telling the actor why, and when the actor shuts its
/// <see cref="InboundGate"/>. Owned by the subscriber actor, which starts it; it cannot outlive the
/// socket, which <see cref="ConnectionLifetime"/> always aborts, nor the gate, which the actor always shuts.
/// </summary>
/// <remarks>
/// Between messages, which is where an idle connection spends its life, the loop holds no buffer: it
/// waits with a zero-byte receive. A message is assembled in a buffer rented from the pool, grown by
/// renting a larger one, and returned as soon as the message is handed over (its own exact copy), so
/// one large frame does not stay with its connection.
/// </remarks>
internal static class SocketReader
{
    // Most commands are far smaller; a larger message moves to a larger rented buffer, up to the limit.
    private const int ChunkBytes = 1024;

    // Reads one message may take: a message of the largest size in one frame takes about 8 (the buffer
    // doubles from 1 KiB), and clients that fragment at all use a few large fragments. A message in
    // thousands of one-byte fragments costs a read each and takes no token of the command rate until
    // it ends, if ever: past this it is a protocol violation (4002).
    private const int MaxReadsPerMessage = 128;

    public static async Task Run(WebSocket socket, int maxFrameBytes, IActorRef subscriber, ArrayPool<byte> pool, InboundGate gate, bool binary = false)
    {
        var expected = binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        try
        {
            // A place at the gate before each message is read: a client ahead of its actor waits in TCP.
            while (await gate.EnterAsync().ConfigureAwait(false))
            {
                var next = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (!Continue(next, expected, subscriber))
                    return;
                if (next.EndOfMessage)
                {
                    // An empty message: the zero-byte receive consumed all of it.
                    subscriber.Tell(new SubscriberActor.ClientFrame([]), ActorRefs.NoSender);
                    continue;
                }
                if (!await ReadMessage(socket, maxFrameBytes, expected, subscriber, pool).ConfigureAwait(false))
                    return;
            }
        }
        catch (Exception)
        {
            // Whatever broke the socket (reset, abort, a protocol error in the peer's framing),
            // the connection is over; the actor must hear of it rather than wait for its heartbeat.
            subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.ConnectionLost), ActorRefs.NoSender);
        }
    }

    /// <summary>Reads the rest of one message (all its fragments) and hands it over; false, after telling the actor why, when the loop must end.</summary>
    private static async Task<bool> ReadMessage(WebSocket socket, int maxFrameBytes, WebSocketMessageType expected, IActorRef subscriber, ArrayPool<byte> pool)
    {
        // One byte past the limit tells a message that is too big from one of exactly the limit.
        var capacity = maxFrameBytes + 1;
        var buffer = pool.Rent(Math.Min(ChunkBytes, capacity));
        var length = 0;
        try
        {
            for (var reads = 1; ; reads++)
            {
                if (reads > MaxReadsPerMessage)
                {
                    subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.TooManyFragments), ActorRefs.NoSender);
                    return false;
                }
                if (length == buffer.Length)
                    buffer = Grow(buffer, length, capacity, pool);
                var room = Math.Min(buffer.Length, capacity) - length;
                var result = await socket.ReceiveAsync(buffer.AsMemory(length, room), CancellationToken.None).ConfigureAwait(false);
                if (!Continue(result, expected, subscriber))
                    return false;
                length += result.Count;
                if (length > maxFrameBytes)
                {
                    subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.MessageTooBig), ActorRefs.NoSender);
                    return false;
                }
                if (result.EndOfMessage)
                {
                    subscriber.Tell(new SubscriberActor.ClientFrame(buffer.AsSpan(0, length).ToArray()), ActorRefs.NoSender);
                    return true;
                }
            }
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    private static byte[] Grow(byte[] buffer, int length, int capacity, ArrayPool<byte> pool)
    {
        var grown = pool.Rent(Math.Min(buffer.Length * 2, capacity));
        buffer.AsSpan(0, length).CopyTo(grown);
        pool.Return(buffer);
        return grown;
    }

    /// <summary>False, after telling the actor why, when the frame ends the read loop (a close frame, or one of the other kind).</summary>
    private static bool Continue(ValueWebSocketReceiveResult result, WebSocketMessageType expected, IActorRef subscriber)
    {
        if (result.MessageType == expected)
            return true;
        var reason = result.MessageType switch
        {
            WebSocketMessageType.Close => CloseReason.ClientClosed,
            WebSocketMessageType.Binary => CloseReason.BinaryFrame,
            _ => CloseReason.TextFrame,
        };
        subscriber.Tell(new SubscriberActor.ReaderStopped(reason), ActorRefs.NoSender);
        return false;
    }
}
