using NotifyActors.Cluster;
using NotifyActors.Protocol;

namespace NotifyActors.Channels;

// What a channel's hubs (one per node with subscribers, ChannelHub) and its owner (one in the cluster,
// ChannelOwner or EphemeralChannelOwner) say to each other. A hub reaches the owner through the shard region by
// the channel's name, which finds it wherever it lives and starts it where none does; the owner answers each hub
// directly. Akka keeps the order of what one actor sends another, so a hub receives its owner's messages in offset
// order, unless one was lost between nodes: the hub sees that as a gap (or its position check does) and repairs
// it with RegisterHub, whose answer carries what it missed.

/// <summary>
/// Registers the sending hub with the owner (again is harmless) and asks where the owner stands, answered by
/// <see cref="HubRegistered"/>. <see cref="Delivered"/> is how far the hub has delivered (null for a new hub);
/// <see cref="Round"/> comes back in the answer, so the hub can tell which of its requests it answers.
/// A hub sends it when it starts, when its owner stopped, when it sees a gap, and every notify.channels.position-check.
/// </summary>
public sealed record RegisterHub(string Channel, RecoveryPosition? Delivered, long Round) : IChannelMessage, IClusterMessage;

/// <summary>
/// The owner's position, and the publications after the hub's <see cref="RegisterHub.Delivered"/>: null when the hub
/// gave none, or when they are not all kept (another epoch, or pruned from history) and cannot be repaired.
/// Every publication after <see cref="Offset"/> follows as <see cref="Appended"/>.
/// </summary>
public sealed record HubRegistered(string Channel, long Round, string Epoch, long Offset, int HistoryCount, IReadOnlyList<HistoricPublication>? Undelivered)
    : IClusterMessage;

/// <summary>
/// Publications the owner took, with offsets <see cref="FirstOffset"/> on, in order; sent to every registered hub.
/// <see cref="SentAt"/> (UTC ticks, the owner's clock) is when the owner sent them: a hub on another node measures the
/// cross-node lag from it.
/// </summary>
public sealed record Appended(string Channel, string Epoch, long FirstOffset, IReadOnlyList<byte[]> Data, int HistoryCount, long SentAt) : IClusterMessage;

/// <summary>
/// A hub asks where a new subscriber starts (and what it missed, when it asks to recover), answered by
/// <see cref="SubscriberPositioned"/>. <see cref="Id"/> is the hub's number for that join.
/// </summary>
public sealed record SubscriberPosition(string Channel, long Id, RecoveryPosition? Recover) : IChannelMessage, IClusterMessage;

/// <summary>
/// The answer to <see cref="SubscriberPosition"/>. The owner sends it after every <see cref="Appended"/> up to
/// <see cref="Offset"/> and before any later one, so the hub adds the subscriber exactly there.
/// </summary>
public sealed record SubscriberPositioned(string Channel, long Id, long Offset, string Epoch, bool? Recovered, IReadOnlyList<HistoricPublication> Missed)
    : IClusterMessage;

/// <summary>The owner asks a hub for its members, to answer a presence query for the whole cluster; answered by <see cref="HubMembers"/>.</summary>
public sealed record HubPresence(string Channel, long QueryId) : IClusterMessage;

/// <summary>A hub's members: the channel's subscribers on its node.</summary>
public sealed record HubMembers(string Channel, long QueryId, IReadOnlyList<ChannelMember> Members) : IClusterMessage;

/// <summary>
/// A subscriber joined or left the channel on the sending hub's node (where join-leave is on): the hub tells its owner,
/// the owner tells every other hub, and each pushes it to its node's subscribers. Not ordered with publications,
/// as on one node a join is not either.
/// </summary>
public sealed record MembershipChanged(string Channel, bool Joined, ChannelMember Member) : IClusterMessage;

/// <summary>
/// What the shard sends an owner to stop it, when the owner asked to passivate or its shard moves to another node:
/// the owner finishes the write in flight (and answers its publishers) first.
/// </summary>
public sealed record OwnerStop
{
    public static readonly OwnerStop Instance = new();
}
