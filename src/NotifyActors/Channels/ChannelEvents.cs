namespace NotifyActors.Channels;

/// <summary>
/// What a <see cref="ChannelOwner"/> writes to the journal. Plain data, written with
/// <see cref="ChannelEventSerializer"/>: the journal outlives every version of these types' code, so
/// the format is ours and stated, not whatever a reflection-based serializer makes of them.
/// </summary>
public interface IChannelEvent;

/// <summary>
/// A channel's sequence began with this epoch. Written once, before the channel answers anyone, so
/// that every position it ever handed out (even offset 0) is still its position after a restart.
/// </summary>
public sealed record EpochStarted(string Epoch) : IChannelEvent;

/// <summary>
/// One journal write: the publications that arrived while the previous write was in flight, with
/// offsets <see cref="FirstOffset"/>, <see cref="FirstOffset"/> + 1, ... in order.
/// </summary>
public sealed record PublicationsAppended(long FirstOffset, IReadOnlyList<StoredPublication> Publications) : IChannelEvent;

/// <summary>A publication as the journal keeps it: its data (UTF-8 JSON) and when it was published.</summary>
public sealed record StoredPublication(byte[] Data, DateTime At);

/// <summary>
/// A channel's whole state at one point: its epoch, its last offset and the publications its history
/// kept then. Recovery starts from the newest snapshot and replays only the events after it.
/// </summary>
public sealed record ChannelSnapshot(string Epoch, long Offset, IReadOnlyList<HistoricPublication> History);
