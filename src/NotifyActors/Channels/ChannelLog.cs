using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Channels;

/// <summary>
/// A channel's sequence: offsets 1, 2, 3... with no gaps, the epoch that names this lifetime of the
/// sequence, and the history its namespace keeps. Held by the channel's owner: a <see cref="ChannelOwner"/>
/// in a namespace with history (which journals every change first), an <see cref="EphemeralChannelOwner"/>
/// in one without (where nothing outlives the actor).
/// </summary>
public sealed class ChannelLog(NamespaceSettings ns, int maxRecovered, long maxReplyBytes)
{
    /// <summary>"" until the owner has started or recovered its sequence.</summary>
    public string Epoch { get; private set; } = "";

    public long Offset { get; private set; }

    public ChannelHistory History { get; } = new(ns.HistorySize, ns.HistoryTtl);

    public static string NewEpoch() => Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 4).ToLowerInvariant();

    public void Start(string epoch) => Epoch = epoch;

    /// <summary>Takes the next offset for <paramref name="data"/>, published at <paramref name="at"/>.</summary>
    public long Append(byte[] data, DateTime at)
    {
        var offset = ++Offset;
        History.Prune(at);
        History.Add(offset, data, at);
        return offset;
    }

    public void Restore(ChannelSnapshot snapshot)
    {
        Epoch = snapshot.Epoch;
        Offset = snapshot.Offset;
        foreach (var kept in snapshot.History)
            History.Add(kept.Offset, kept.Data, kept.At);
    }

    public ChannelSnapshot Snapshot() => new(Epoch, Offset, History.Latest(null));

    /// <summary>
    /// A subscriber's recovery: null when it asked for none; true with every publication after its
    /// position when they are all kept and fit in one reply (at most max-publications of them);
    /// false otherwise, and the client must reload its state.
    /// </summary>
    public (bool? Recovered, IReadOnlyList<HistoricPublication> Missed) Recover(RecoveryPosition? position)
    {
        if (position is null)
            return (null, []);
        var after = After(position.Epoch, position.Offset);
        var recovered = after is not null && after.Count <= maxRecovered && ChannelHistory.Within(after, maxReplyBytes, newest: false).Count == after.Count;
        return recovered ? (true, after!) : (false, []);
    }

    /// <summary>What the channel kept after a position it handed out (null when not all of it is kept).</summary>
    public IReadOnlyList<HistoricPublication>? After(string epoch, long offset)
    {
        History.Prune(DateTime.UtcNow);
        return epoch == Epoch ? History.After(offset, Offset) : null;
    }

    public HistoryResult Answer(HistoryQuery query)
    {
        History.Prune(DateTime.UtcNow);
        IReadOnlyList<HistoricPublication>? publications;
        if (query.Since is { } since)
        {
            // The oldest first: a client pages on from the last offset it got.
            publications = since.Epoch == Epoch ? History.After(since.Offset, Offset) : null;
            if (publications is not null && query.Limit is { } limit)
                publications = publications.Take(limit).ToList();
            if (publications is not null)
                publications = ChannelHistory.Within(publications, maxReplyBytes, newest: false);
        }
        else
        {
            publications = ChannelHistory.Within(History.Latest(query.Limit), maxReplyBytes, newest: true);
        }
        return new HistoryResult(query.Channel, query.RequestId, Offset, Epoch, publications);
    }
}
