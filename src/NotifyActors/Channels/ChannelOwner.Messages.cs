using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>What a <see cref="ChannelActor"/> and the <see cref="ChannelOwner"/> it started say to each other.</summary>
public sealed partial class ChannelOwner
{
    /// <summary>The channel asks for one publication to be appended; answered, in order, by <see cref="Appended"/> or <see cref="AppendFailed"/>.</summary>
    internal sealed record Append(byte[] Data);

    /// <summary>
    /// Publications now in the journal, with offsets <see cref="FirstOffset"/> on, in order. Each answers
    /// one <see cref="Append"/>, except with <see cref="Repair"/>: publications the channel had not
    /// delivered when its previous owner stopped (a write that was reported failed but had been stored).
    /// </summary>
    internal sealed record Appended(string Epoch, long FirstOffset, IReadOnlyList<byte[]> Data, int HistoryCount, bool Repair);

    /// <summary>The next <see cref="Count"/> appends were not stored and took no offset.</summary>
    internal sealed record AppendFailed(int Count, string Reason);

    /// <summary>Where a new subscriber starts, and what it missed if it asked to recover.</summary>
    internal sealed record Position(Subscribe Subscribe, IActorRef Subscriber);

    /// <summary>
    /// The answer to <see cref="Position"/>. The owner sends it after every <see cref="Appended"/> up to
    /// <see cref="Offset"/> and before any later one, so the channel can add the subscriber exactly there.
    /// </summary>
    internal sealed record Positioned(Subscribe Subscribe, IActorRef Subscriber, long Offset, string Epoch, bool? Recovered, IReadOnlyList<HistoricPublication> Missed);

    /// <summary>A history query, numbered by the channel so it can match the answer to its asker; answered by <see cref="Answered"/>.</summary>
    internal sealed record Query(long Id, HistoryQuery HistoryQuery);

    /// <summary>The answer to <see cref="Query"/> <see cref="Id"/>.</summary>
    internal sealed record Answered(long Id, HistoryResult Result);

    /// <summary>
    /// The owner recovered: its position, and (when the channel had delivered from an earlier owner) the
    /// publications after what the channel delivered, or null when they are no longer all kept.
    /// </summary>
    internal sealed record Ready(string Epoch, long Offset, int HistoryCount, IReadOnlyList<HistoricPublication>? Undelivered);

    /// <summary>How far a channel had delivered when its owner stopped; the next owner repairs from there.</summary>
    public sealed record Delivered(string Epoch, long Offset);
}
