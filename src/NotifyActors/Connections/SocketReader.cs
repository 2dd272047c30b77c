using System.Buffers;
using System.Net.WebSockets;
using Akka.Actor;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The read loop of one socket: each complete text message goes to the subscriber actor as a
/// <see cref="SubscriberActor.ClientFrame"/>. It ends at the first close frame, binary frame,
/// oversized message or socket error, telling the actor why. Owned by the subscriber actor,
/// which starts it; it cannot outlive the socket, which <see cref="ConnectionLifetime"/> always aborts.
/// </summary>
internal static class SocketReader
{
    // Most commands are far smaller; larger messages are assembled in a buffer that grows up to the limit.
    private const int ChunkBytes = 1024;

    public static async Task Run(WebSocket socket, int maxFrameBytes, IActorRef subscriber)
    {
        byte[]? message = null;
        var length = 0;
        try
        {
            while (true)
            {
                // Wait for the next frame without a buffer (a zero-byte receive): an idle connection,
                // which is most of them, holds no receive chunk. The chunk is rented once data is there.
                var next = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (!Continue(next, subscriber))
                    return;
                if (next.EndOfMessage)
                {
                    // A frame with no payload (left) ended the message: the zero-byte receive consumed it.
                    subscriber.Tell(new SubscriberActor.ClientFrame(length == 0 ? [] : message.AsSpan(0, length).ToArray()), ActorRefs.NoSender);
                    length = 0;
                    continue;
                }
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                try
                {
                    var result = await socket.ReceiveAsync(chunk.AsMemory(0, ChunkBytes), CancellationToken.None).ConfigureAwait(false);
                    if (!Continue(result, subscriber))
                        return;

                    if (length + result.Count > maxFrameBytes)
                    {
                        subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.MessageTooBig), ActorRefs.NoSender);
                        return;
                    }

                    if (result.EndOfMessage && length == 0)
                    {
                        subscriber.Tell(new SubscriberActor.ClientFrame(chunk.AsSpan(0, result.Count).ToArray()), ActorRefs.NoSender);
                        continue;
                    }

                    message = Append(message, length, chunk.AsSpan(0, result.Count));
                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        subscriber.Tell(new SubscriberActor.ClientFrame(message.AsSpan(0, length).ToArray()), ActorRefs.NoSender);
                        length = 0;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception)
        {
            // Whatever broke the socket (reset, abort, a protocol error in the peer's framing),
            // the connection is over; the actor must hear of it rather than wait for its heartbeat.
            subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.ConnectionLost), ActorRefs.NoSender);
        }
    }

    /// <summary>False, after telling the actor why, when the frame ends the read loop (a close or binary frame).</summary>
    private static bool Continue(ValueWebSocketReceiveResult result, IActorRef subscriber)
    {
        switch (result.MessageType)
        {
            case WebSocketMessageType.Close:
                subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.ClientClosed), ActorRefs.NoSender);
                return false;
            case WebSocketMessageType.Binary:
                subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.BinaryFrame), ActorRefs.NoSender);
                return false;
            default:
                return true;
        }
    }

    private static byte[] Append(byte[]? buffer, int length, ReadOnlySpan<byte> data)
    {
        if (buffer is null || buffer.Length < length + data.Length)
        {
            var grown = new byte[Math.Max(length + data.Length, (buffer?.Length ?? ChunkBytes) * 2)];
            buffer?.AsSpan(0, length).CopyTo(grown);
            buffer = grown;
        }
        data.CopyTo(buffer.AsSpan(length));
        return buffer;
    }
}
