using System.Net.WebSockets;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Implementation.Fusing;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;

namespace NotifyActors.Connections;

/// <summary>
/// A connection's bounded outbound stream: <see cref="OutboundSource"/> feeding
/// <see cref="WebSocketSink"/>. Bounded in frames and in bytes; <see cref="TryEnqueue"/> answers
/// at once, so a full queue is known synchronously (Source.Queue's Drop* strategies would drop
/// silently) and the caller closes the slow consumer instead of waiting.
/// Owned by the subscriber actor: its stream actor is the subscriber's child, so it stops with the actor.
/// </summary>
internal sealed class OutboundQueue
{
    // Once the queue is disposed, the writer may still finish one frame; counting from far below
    // zero keeps that late decrement away from the shared gauge.
    private const long Disposed = long.MinValue / 2;

    // Built and fused once: fusing a graph costs more than running it, and every connection's stream
    // has the same shape. Each materialization gets its own feed, and its socket through an attribute.
    private static readonly IGraph<ClosedShape, (OutboundFeed, Task)> Blueprint =
        Fusing.Aggressive(Source.FromGraph(new OutboundSource()).ToMaterialized(new WebSocketSink(), Keep.Both));

    private readonly OutboundSettings _limits;
    private readonly NotifyMetrics _metrics;
    private OutboundFeed _feed = null!;
    private long _frames;
    private long _bytes;

    private OutboundQueue(OutboundSettings limits, NotifyMetrics metrics)
    {
        _limits = limits;
        _metrics = metrics;
    }

    /// <summary>Completes when the writer stops; fails with <see cref="WriteTimeoutException"/> or the socket's error.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public long Frames => Math.Max(0, Interlocked.Read(ref _frames));

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Starts the stream in a child of <paramref name="owner"/> (the subscriber actor, calling from itself); <paramref name="binary"/>: binary frames, else text.</summary>
    public static OutboundQueue Materialize(WebSocket socket, OutboundSettings limits, NotifyMetrics metrics, IActorContext owner, bool binary = false)
    {
        var queue = new OutboundQueue(limits, metrics);
        var frameType = binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;
        var graph = Blueprint.AddAttributes(new Attributes(new WebSocketSink.Target(socket, frameType, limits.WriteTimeout, queue.OnWritten)));
        var ((feed, completion), streamActor, shell) = OutboundStreams.For(owner.System).RunAsChild(graph, owner, "outbound");
        feed.Bind(shell, streamActor);
        queue._feed = feed;
        queue.Completion = completion;
        return queue;
    }

    /// <summary>False when the frame would pass either bound: the connection is a slow consumer.</summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        var frames = Interlocked.Read(ref _frames);
        var bytes = Interlocked.Read(ref _bytes);
        if (frames >= _limits.MaxFrames || (bytes > 0 && bytes + frame.Bytes.Length > _limits.MaxBytes))
            return false;
        Interlocked.Increment(ref _frames);
        Interlocked.Add(ref _bytes, frame.Bytes.Length);
        _metrics.OutboundQueued(1);
        _feed.Offer(frame);
        return true;
    }

    /// <summary>No more frames: the stream writes what it holds, then completes (<see cref="Completion"/>).</summary>
    public void Complete() => _feed.Complete();

    /// <summary>Stops accepting frames and takes what is still queued out of the gauge.</summary>
    public void Dispose()
    {
        _feed.Complete();
        var left = Interlocked.Exchange(ref _frames, Disposed);
        if (left > 0)
            _metrics.OutboundQueued(-left);
    }

    private void OnWritten(OutboundFrame frame)
    {
        Interlocked.Add(ref _bytes, -frame.Bytes.Length);
        if (Interlocked.Decrement(ref _frames) >= 0)
            _metrics.OutboundQueued(-1);
        if (frame.IsDelivery)
            _metrics.Delivered();
    }
}
