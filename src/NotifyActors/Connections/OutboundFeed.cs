using Akka;
using Akka.Actor;
using Akka.Streams.Implementation.Fusing;
using Akka.Streams.Stage;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// The hand-over between a subscriber actor (the only producer) and its stream's
/// <see cref="OutboundSource"/> (the only consumer). The producer never waits: <see cref="Offer"/>
/// stores the frame and, only when the source is idle waiting for one, wakes it with one message to
/// the stream actor. That is one hop per burst instead of a channel's reader continuation on the
/// thread pool followed by a message to the stream actor. Bounds are the caller's
/// (<see cref="OutboundQueue"/> counts frames and bytes before it offers).
/// The wake message is built once per connection (<see cref="Bind"/>) and sent again for every
/// wake: it is the message Akka's async callback would build (and allocate, with two closures) for
/// each call, so the interpreter runs the source's handler exactly as it would for the callback.
/// </summary>
internal sealed class OutboundFeed
{
    // A queue that grew past this in a burst gives its array back once it drains.
    private const int KeptCapacity = 32;

    private readonly Lock _lock = new();
    private readonly Queue<OutboundFrame> _frames = new();
    private GraphStageLogic? _consumer;
    private Action<object>? _onWake;
    // Set by Bind before the first Offer; until then there is no one to wake (nothing was offered).
    private IActorRef _streamActor = ActorRefs.Nobody;
    private object? _wakeMessage;
    private bool _consumerWaiting;
    private bool _completed;
    private bool _grown;

    /// <summary>The outcome of <see cref="TryTake"/>.</summary>
    internal enum Take
    {
        Taken,
        // Nothing queued; the consumer is woken by the next Offer or Complete.
        Waiting,
        Completed,
    }

    /// <summary>Queues a frame for the socket; ignored once completed.</summary>
    public void Offer(OutboundFrame frame)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed)
                return;
            _frames.Enqueue(frame);
            _grown |= _frames.Count > KeptCapacity;
            wake = _consumerWaiting;
            _consumerWaiting = false;
        }
        if (wake)
            Wake();
    }

    /// <summary>No more frames: the consumer takes what is queued, then completes.</summary>
    public void Complete()
    {
        bool wake;
        lock (_lock)
        {
            if (_completed)
                return;
            _completed = true;
            wake = _consumerWaiting;
            _consumerWaiting = false;
        }
        if (wake)
            Wake();
    }

    /// <summary>Set once by the consumer (from its constructor): the stage to wake and what to run in it.</summary>
    internal void Attach(GraphStageLogic consumer, Action<object> onWake)
    {
        _consumer = consumer;
        _onWake = onWake;
    }

    /// <summary>Set once by whoever materialized the stream, before the first offer: where the consumer runs.</summary>
    internal void Bind(GraphInterpreterShell shell, IActorRef streamActor)
    {
        _wakeMessage = new ActorGraphInterpreter.AsyncInput(shell, _consumer!, NotUsed.Instance, GraphStageLogic.NoPromise, _onWake!);
        _streamActor = streamActor;
    }

    private void Wake() => _streamActor.Tell(_wakeMessage, ActorRefs.NoSender);

    /// <summary>The consumer takes the oldest frame; when there is none, it is marked as waiting (or told the feed is complete).</summary>
    internal Take TryTake(out OutboundFrame? frame)
    {
        lock (_lock)
        {
            if (_frames.TryDequeue(out frame))
            {
                if (_grown && _frames.Count == 0)
                {
                    _frames.TrimExcess();
                    _grown = false;
                }
                return Take.Taken;
            }
            if (_completed)
                return Take.Completed;
            _consumerWaiting = true;
            return Take.Waiting;
        }
    }
}
