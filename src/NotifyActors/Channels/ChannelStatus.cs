namespace NotifyActors.Channels;

/// <summary>
/// Where one channel stands, written by its <see cref="ChannelHub"/> only (one writer) and read by
/// any thread through <see cref="Snapshot"/>. Plain volatile fields rather than a new record per
/// change, because the offset changes on every publication.
/// </summary>
public sealed class ChannelStatus(string name)
{
    private volatile string _epoch = "";
    private volatile int _subscribers;
    private long _offset;
    private volatile int _historyLength;

    public string Name { get; } = name;

    /// <summary>Called by the owning channel actor after anything that may change these figures.</summary>
    public void Update(int subscribers, long offset, int historyLength, string epoch)
    {
        _epoch = epoch;
        _subscribers = subscribers;
        Volatile.Write(ref _offset, offset);
        _historyLength = historyLength;
    }

    public ChannelSummary Snapshot() => new(Name, _subscribers, Volatile.Read(ref _offset), _epoch, _historyLength);
}

/// <summary>A channel as listed: local subscribers, newest offset, epoch and publications kept for history.</summary>
public sealed record ChannelSummary(string Name, int Subscribers, long Offset, string Epoch, int HistoryLength);
