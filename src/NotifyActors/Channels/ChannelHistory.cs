namespace NotifyActors.Channels;

/// <summary>
/// The publications a channel keeps for history and recovery: the newest <c>size</c> of them, none
/// older than <c>ttl</c>. Offsets in it are contiguous, so "is everything after offset N here?"
/// is one comparison with the oldest kept offset.
/// </summary>
public sealed class ChannelHistory(int size, TimeSpan ttl)
{
    private readonly Queue<HistoricPublication> _kept = new();

    public int Count => _kept.Count;

    public bool IsEnabled => size > 0;

    public void Add(long offset, byte[] data, DateTime now)
    {
        if (!IsEnabled)
            return;
        _kept.Enqueue(new HistoricPublication(offset, data, now));
        while (_kept.Count > size)
            _kept.Dequeue();
    }

    /// <summary>Drops what has outlived the time to live.</summary>
    public void Prune(DateTime now)
    {
        while (_kept.TryPeek(out var oldest) && now - oldest.At >= ttl)
            _kept.Dequeue();
    }

    /// <summary>
    /// Every kept publication after <paramref name="offset"/>, in order, when all of them up to
    /// <paramref name="current"/> are still kept; null when some are gone, or when
    /// <paramref name="offset"/> is past <paramref name="current"/> (a position this sequence never reached).
    /// </summary>
    public IReadOnlyList<HistoricPublication>? After(long offset, long current)
    {
        if (offset == current)
            return [];
        if (offset > current)
            return null; // a position this epoch never reached: the client's state is not ours
        if (!_kept.TryPeek(out var oldest) || oldest.Offset > offset + 1)
            return null;
        return _kept.Where(p => p.Offset > offset).ToList();
    }

    /// <summary>The newest <paramref name="limit"/> kept publications (all when null), oldest first.</summary>
    public IReadOnlyList<HistoricPublication> Latest(int? limit)
    {
        var skip = limit is { } n ? Math.Max(0, _kept.Count - n) : 0;
        return _kept.Skip(skip).ToList();
    }

    /// <summary>
    /// As many of <paramref name="publications"/> (in order) as one reply of at most <paramref name="maxBytes"/>
    /// holds: the first ones, or with <paramref name="newest"/> the last ones.
    /// </summary>
    public static IReadOnlyList<HistoricPublication> Within(IReadOnlyList<HistoricPublication> publications, long maxBytes, bool newest)
    {
        var count = 0;
        long bytes = 0;
        while (count < publications.Count && (bytes += publications[newest ? publications.Count - 1 - count : count].ReplyBytes) <= maxBytes)
            count++;
        if (count == publications.Count)
            return publications;
        return newest ? publications.Skip(publications.Count - count).ToList() : publications.Take(count).ToList();
    }
}

/// <summary>A kept publication: its offset, the published JSON (UTF-8) and when it was published.</summary>
public sealed record HistoricPublication(long Offset, byte[] Data, DateTime At)
{
    /// <summary>About what it takes in a history or subscribed reply: its data and its framing.</summary>
    public long ReplyBytes => Data.Length + 32;
}
