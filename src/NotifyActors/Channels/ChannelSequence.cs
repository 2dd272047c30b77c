namespace NotifyActors.Channels;

/// <summary>
/// The sequence owner's state: offsets 1, 2, 3... with no gaps, and the epoch that names this
/// lifetime of the sequence. Kept apart from <see cref="ChannelFanout"/> so that, on a cluster,
/// it can move into a sharded entity while fan-out stays on each node.
/// </summary>
public sealed class ChannelSequence
{
    public ChannelSequence(string epoch) => Epoch = epoch;

    public string Epoch { get; }

    public long Offset { get; private set; }

    public long Next() => ++Offset;

    public static string NewEpoch() => Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 4).ToLowerInvariant();
}
