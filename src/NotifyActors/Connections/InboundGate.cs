namespace NotifyActors.Connections;

/// <summary>
/// How many frames a connection's read loop may hand to its subscriber actor before the actor has taken
/// them. A client that sends faster than its actor works then fills its own TCP window, and the kernel
/// holds it back, instead of filling the actor's mailbox without bound. Once the actor is closing the
/// gate is shut and the loop reads no more frames for it; the close handshake
/// (<see cref="ConnectionLifetime"/>) discards whatever else arrives. One reader and one actor share it.
/// </summary>
internal sealed class InboundGate(int capacity)
{
    private readonly Lock _lock = new();
    private int _inFlight;
    private bool _shut;
    private TaskCompletionSource<bool>? _waiter;

    /// <summary>True, taking a place, when the reader may hand over one more frame; false once the gate is shut.</summary>
    public ValueTask<bool> EnterAsync()
    {
        lock (_lock)
        {
            if (_shut)
                return new ValueTask<bool>(false);
            if (_inFlight < capacity)
            {
                _inFlight++;
                return new ValueTask<bool>(true);
            }
            _waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask<bool>(_waiter.Task);
        }
    }

    /// <summary>The actor has taken a frame: its place goes to a waiting reader, or is free again.</summary>
    public void Left()
    {
        TaskCompletionSource<bool> waiter;
        lock (_lock)
        {
            if (_waiter is null)
            {
                _inFlight--;
                return;
            }
            waiter = _waiter;
            _waiter = null;
        }
        waiter.TrySetResult(true);
    }

    /// <summary>No more frames: a waiting reader, and every later one, hears false.</summary>
    public void Shut()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_lock)
        {
            _shut = true;
            waiter = _waiter;
            _waiter = null;
        }
        waiter?.TrySetResult(false);
    }
}
