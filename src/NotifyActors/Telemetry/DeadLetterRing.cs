namespace NotifyActors.Telemetry;

/// <summary>
/// The most recent dead letters, for GET /admin/deadletters: a fixed-size ring written by the
/// <see cref="DeadLetterCounter"/> and read by HTTP requests (hence the lock). Oldest entries are
/// overwritten; memory stays bounded whatever the dead-letter rate.
/// </summary>
public sealed class DeadLetterRing(int capacity)
{
    private readonly DeadLetterEntry[] _entries = new DeadLetterEntry[capacity];
    private readonly Lock _lock = new();
    private long _written;

    public int Capacity => _entries.Length;

    public void Add(DeadLetterEntry entry)
    {
        lock (_lock)
        {
            _entries[_written % _entries.Length] = entry;
            _written++;
        }
    }

    /// <summary>The kept entries, newest first.</summary>
    public IReadOnlyList<DeadLetterEntry> Snapshot()
    {
        lock (_lock)
        {
            var count = (int)Math.Min(_written, _entries.Length);
            var result = new List<DeadLetterEntry>(count);
            for (var i = 1; i <= count; i++)
                result.Add(_entries[(_written - i) % _entries.Length]);
            return result;
        }
    }
}

/// <summary>One dead letter: when, from whom, to whom, of what type (the message itself is not kept).</summary>
public sealed record DeadLetterEntry(DateTimeOffset Time, string Sender, string Recipient, string MessageType);
