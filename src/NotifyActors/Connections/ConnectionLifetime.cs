using System.Net.WebSockets;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The socket of one connection and the end of its life. The HTTP request that accepted the socket
/// awaits <see cref="Completion"/>, so the request lives exactly as long as the connection.
/// The subscriber actor starts the close when it stops; the close is bounded in time and always
/// ends with the socket aborted and disposed, which also ends the socket's read loop.
/// </summary>
public sealed class ConnectionLifetime(WebSocket socket, TimeSpan closeTimeout)
{
    // Two of the largest frames a client may send (the default max-frame-bytes): what a client may still
    // have in flight when it gets the close frame.
    private const int DiscardBudgetBytes = 128 * 1024;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;

    public WebSocket Socket { get; } = socket;

    /// <summary>Completes once the socket is closed (or aborted) and disposed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts the close: the close frame when the reason has a code, then waits (bounded) for the reader to see the client's reply.</summary>
    internal void Close(CloseReason reason, Task reader)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0)
            _ = CloseAsync(reason, reader);
    }

    /// <summary>For an actor that died before it could close its socket: abort it, so the request ends.</summary>
    internal void Abandon() => Close(CloseReason.ConnectionLost, Task.CompletedTask);

    /// <summary>
    /// For a connection refused as it opens (a limit), which no actor ever owns: sends
    /// <paramref name="firstFrame"/> (the welcome, so the client learns who it was), then closes with
    /// the reason. Both steps are bounded like any close.
    /// </summary>
    internal void Refuse(byte[] firstFrame, CloseReason reason) => _ = RefuseAsync(firstFrame, reason);

    private async Task CloseAsync(CloseReason reason, Task reader)
    {
        try
        {
            if (reason.Code is { } code && Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(closeTimeout);
                await Socket.CloseOutputAsync(CloseCodes.Status(code), reason.Text, timeout.Token).ConfigureAwait(false);
                // The reader ends when the client's close frame arrives; waiting for it completes the handshake.
                await reader.WaitAsync(timeout.Token).ConfigureAwait(false);
                // A reader that stopped before the client's close frame (binary or oversized frame) reads no
                // more: take the reply here. Aborting at once resets the connection, and the client may
                // then never see the close frame and its code (4002, 1009).
                if (Socket.State == WebSocketState.CloseSent)
                    await ReceiveCloseAsync(timeout.Token).ConfigureAwait(false);
            }
            else if (Socket.State == WebSocketState.CloseSent)
            {
                // The WebSocket layer closed on its own (1007 for a text frame that is not UTF-8, as
                // RFC 6455 requires): let the client answer, so it sees the code instead of a reset.
                using var timeout = new CancellationTokenSource(closeTimeout);
                await ReceiveCloseAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone or too slow to take the close frame: the abort below is the answer.
        }
        finally
        {
            Socket.Abort();
            Socket.Dispose();
            _completion.TrySetResult();
        }
    }

    private async Task RefuseAsync(byte[] firstFrame, CloseReason reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(closeTimeout);
            await Socket.SendAsync(firstFrame, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone or not reading: the close below ends in an abort.
        }
        Close(reason, Task.CompletedTask);
    }

    /// <summary>
    /// Reads and discards what the client still sends until its close frame, within a byte budget as well
    /// as the time: a client that answered the close frame has little in flight, while one that keeps
    /// flooding would otherwise be read, at whatever rate it sends, until the timeout.
    /// </summary>
    private async Task ReceiveCloseAsync(CancellationToken cancellationToken)
    {
        var discard = new byte[1024];
        for (var discarded = 0; discarded <= DiscardBudgetBytes;)
        {
            var result = await Socket.ReceiveAsync(discard.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
                return;
            discarded += result.Count;
        }
    }
}
