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
        var chunk = new byte[ChunkBytes];
        byte[]? message = null;
        var length = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(chunk.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                switch (result.MessageType)
                {
                    case WebSocketMessageType.Close:
                        subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.ClientClosed), ActorRefs.NoSender);
                        return;
                    case WebSocketMessageType.Binary:
                        subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.BinaryFrame), ActorRefs.NoSender);
                        return;
                }

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
        }
        catch (Exception)
        {
            // Whatever broke the socket (reset, abort, a protocol error in the peer's framing),
            // the connection is over; the actor must hear of it rather than wait for its heartbeat.
            subscriber.Tell(new SubscriberActor.ReaderStopped(CloseReason.ConnectionLost), ActorRefs.NoSender);
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
