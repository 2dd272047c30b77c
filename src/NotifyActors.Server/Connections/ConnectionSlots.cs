using NotifyActors.Configuration;

namespace NotifyActors.Server.Connections;

/// <summary>
/// notify.limits.max-connections: how many WebSocket upgrades this node holds at once. An upgrade
/// takes a slot before the socket is accepted and gives it back when the request ends, so a node
/// at its limit answers 503 without opening a socket. Thread-safe (requests run in parallel).
/// </summary>
public sealed class ConnectionSlots(NotifySettings settings)
{
    private int _taken;

    public int Limit { get; } = settings.Limits.MaxConnections;

    /// <summary>Takes a slot; false (and nothing taken) when all <see cref="Limit"/> are in use.</summary>
    public bool TryTake()
    {
        while (true)
        {
            var taken = Volatile.Read(ref _taken);
            if (taken >= Limit)
                return false;
            if (Interlocked.CompareExchange(ref _taken, taken + 1, taken) == taken)
                return true;
        }
    }

    public void Release() => Interlocked.Decrement(ref _taken);
}
