using Akka.Actor;
using Akka.Event;
using NotifyActors.Cluster;
using NotifyActors.Protocol;

namespace NotifyActors.Channels;

/// <summary>A message for one channel; the registry routes it to that channel's actor by name.</summary>
public interface IChannelMessage
{
    string Channel { get; }
}

/// <summary>
/// Adds the sender to the channel. Answered with <see cref="SubscribeAck"/> carrying the same
/// <see cref="Ticket"/>, so a subscriber that unsubscribed and subscribed again can tell a stale
/// answer from the one it waits for. <see cref="Member"/> is who it is, for presence and join/leave.
/// </summary>
public sealed record Subscribe(string Channel, long Ticket, RecoveryPosition? Recover, ChannelMember Member) : IChannelMessage;

/// <summary>A subscriber as presence and join/leave show it.</summary>
public sealed record ChannelMember(string Client, string User);

/// <summary>Removes the sender from the channel. Not answered: the subscriber forgets the channel at once.</summary>
public sealed record Unsubscribe(string Channel) : IChannelMessage;

/// <summary>
/// Publishes <see cref="Data"/> (UTF-8 JSON) to the channel. Answered with <see cref="PublishAck"/>, or with
/// <see cref="PublishFailed"/> when a namespace with history could not store it; both carry
/// <see cref="RequestId"/> back, so an asker with several publishes in flight can match each answer.
/// </summary>
public sealed record Publish(string Channel, byte[] Data, long RequestId = 0) : IChannelMessage, IClusterMessage;

/// <summary>
/// The channel's position when the subscription took effect: every publication after
/// <see cref="Offset"/> follows. <see cref="Recovered"/> is null when no recovery was asked;
/// when true, <see cref="Publications"/> holds what the client missed, in order. It may reach a
/// subscriber that stopped while it was on its way (a subscribe, then a reset): not a leak.
/// </summary>
public sealed record SubscribeAck(string Channel, long Ticket, long Offset, string Epoch, bool? Recovered, IReadOnlyList<HistoricPublication> Publications)
    : INotInfluenceReceiveTimeout, IDeadLetterSuppression;

/// <summary>The publication's position. Its asker may be gone by now (a connection that stopped, an Ask that timed out): not a leak.</summary>
public sealed record PublishAck(string Channel, long Offset, string Epoch, long RequestId = 0) : INotInfluenceReceiveTimeout, IDeadLetterSuppression, IClusterMessage;

/// <summary>
/// The publication was not stored, took no offset and reached no one (the store failed). The channel carries
/// on; a publisher may try again.
/// </summary>
public sealed record PublishFailed(string Channel, string Reason, long RequestId = 0) : INotInfluenceReceiveTimeout, IDeadLetterSuppression, IClusterMessage;

/// <summary>
/// One publication as every subscriber on this node receives it: one message object for all of them, which
/// encodes its frame once per dialect, for the first subscriber that speaks it, and shares those bytes with the
/// rest (<see cref="DeliveryFor"/>). It is not a sign of the client's life, and it may legitimately reach a
/// subscriber that has just stopped.
/// </summary>
public sealed record Publication(string Channel, long Offset, string Epoch, byte[] Data)
    : INotInfluenceReceiveTimeout, IDeadLetterSuppression
{
    private readonly DialectFrames<OutboundFrame> _deliveries = new();

    /// <summary>The frame in <paramref name="dialect"/>, encoded by whichever subscriber asks first.</summary>
    internal OutboundFrame DeliveryFor(IClientDialect dialect) =>
        _deliveries.Get(dialect, this, static (d, p) => new OutboundFrame(d.Publication(p.Channel, p.Offset, p.Data), IsDelivery: true));

    /// <summary>The encoded frame in <paramref name="dialect"/>, shared by every subscriber that speaks it.</summary>
    public byte[] FrameFor(IClientDialect dialect) => DeliveryFor(dialect).Bytes;
}

/// <summary>
/// Asks for the kept publications: the newest <see cref="Limit"/> (all when null), or, with
/// <see cref="Since"/>, every one after that position. Answered with <see cref="HistoryResult"/>;
/// <see cref="RequestId"/> comes back so the asker can match the answer.
/// </summary>
public sealed record HistoryQuery(string Channel, long RequestId, int? Limit, RecoveryPosition? Since) : IChannelMessage, IClusterMessage;

/// <summary>Publications is null when the asked position is no longer in history (another epoch, or pruned).</summary>
public sealed record HistoryResult(string Channel, long RequestId, long Offset, string Epoch, IReadOnlyList<HistoricPublication>? Publications)
    : INotInfluenceReceiveTimeout, IDeadLetterSuppression, IClusterMessage;

/// <summary>Asks who is subscribed, on every node. Answered with <see cref="PresenceResult"/>.</summary>
public sealed record PresenceQuery(string Channel, long RequestId) : IChannelMessage, IClusterMessage;

public sealed record PresenceResult(string Channel, long RequestId, IReadOnlyList<ChannelMember> Members)
    : INotInfluenceReceiveTimeout, IDeadLetterSuppression, IClusterMessage;

/// <summary>
/// A join or leave for the other subscribers (only where the namespace has join-leave on), encoded once per dialect
/// like a <see cref="Publication"/>.
/// </summary>
public sealed record MembershipEvent(string Channel, bool Joined, ChannelMember Member) : INotInfluenceReceiveTimeout, IDeadLetterSuppression
{
    private readonly DialectFrames<byte[]> _frames = new();

    public byte[] FrameFor(IClientDialect dialect) =>
        _frames.Get(dialect, this, static (d, m) => d.Membership(m.Joined, m.Channel, m.Member.Client, m.Member.User));
}

/// <summary>
/// The hub that sent it no longer delivers to this subscriber: the channel's sequence is not the one the subscriber
/// was told of, and what it missed cannot be repaired. The client is told (insufficient_state) and resubscribes with
/// recovery, which gives it what history still holds.
/// </summary>
public sealed record ChannelReset(string Channel) : INotInfluenceReceiveTimeout, IDeadLetterSuppression;
