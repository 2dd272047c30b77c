using Akka.Actor;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace NotifyActors.Runtime;

/// <summary>
/// An unbounded FIFO message queue that costs almost nothing while empty: a ring buffer that starts
/// with no array, doubles when full and is given back once it drains after having grown past
/// <see cref="KeptCapacity"/>. One lock guards it; producers are senders on other threads, the one
/// consumer is the actor's mailbox run, and an uncontended lock costs about what a ConcurrentQueue
/// enqueue does. Order per sender is kept because every enqueue is ordered by the lock.
/// </summary>
public sealed class CompactMessageQueue : IMessageQueue, IUnboundedMessageQueueSemantics
{
    private const int FirstCapacity = 4;
    // A queue that grew past this during a burst does not keep the large array while idle.
    private const int KeptCapacity = 32;

    private readonly Lock _lock = new();
    private Envelope[] _items = [];
    private int _head;
    // Changed under the lock; read without it by the dispatcher to decide whether to schedule the actor.
    private int _count;

    public bool HasMessages => Volatile.Read(ref _count) > 0;

    public int Count => Volatile.Read(ref _count);

    public void Enqueue(IActorRef receiver, Envelope envelope)
    {
        lock (_lock)
        {
            if (_count == _items.Length)
                Grow();
            _items[(_head + _count) & (_items.Length - 1)] = envelope;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    public bool TryDequeue(out Envelope envelope)
    {
        // The mailbox run ends every batch with a dequeue that finds nothing: answered without the
        // lock. Only the one consumer dequeues, so a count seen as 0 can only have grown since, and
        // the dispatcher looks at HasMessages again before it lets the actor go idle.
        if (Volatile.Read(ref _count) == 0)
        {
            envelope = default;
            return false;
        }
        lock (_lock)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }
            envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0 && _items.Length > KeptCapacity)
            {
                _items = [];
                _head = 0;
            }
            return true;
        }
    }

    public void CleanUp(IActorRef owner, IMessageQueue deadletters)
    {
        while (TryDequeue(out var envelope))
            deadletters.Enqueue(owner, envelope);
    }

    /// <summary>Capacities stay powers of two, so a position wraps with a mask.</summary>
    private void Grow()
    {
        var grown = new Envelope[Math.Max(FirstCapacity, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
            grown[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = grown;
        _head = 0;
    }
}
