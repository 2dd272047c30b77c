using Akka.Actor;
using Akka.Event;
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
/// answer from the one it waits for.
/// </summary>
public sealed record Subscribe(string Channel, long Ticket, RecoveryPosition? Recover) : IChannelMessage;

/// <summary>Removes the sender from the channel. Not answered: the subscriber forgets the channel at once.</summary>
public sealed record Unsubscribe(string Channel) : IChannelMessage;

/// <summary>Publishes <see cref="Data"/> (UTF-8 JSON) to the channel. Answered with <see cref="PublishAck"/>.</summary>
public sealed record Publish(string Channel, byte[] Data) : IChannelMessage;

/// <summary>
/// The channel's position when the subscription took effect: every publication after
/// <see cref="Offset"/> follows. <see cref="Recovered"/> is null when no recovery was asked.
/// </summary>
public sealed record SubscribeAck(string Channel, long Ticket, long Offset, string Epoch, bool? Recovered) : INotInfluenceReceiveTimeout;

public sealed record PublishAck(string Channel, long Offset, string Epoch) : INotInfluenceReceiveTimeout;

/// <summary>
/// One publication as every subscriber receives it: <see cref="Frame"/> is the encoded "pub" frame,
/// built once by the channel and shared. It is not a sign of the client's life, and it may
/// legitimately reach a subscriber that has just stopped.
/// </summary>
public sealed record Publication(string Channel, long Offset, string Epoch, byte[] Frame)
    : INotInfluenceReceiveTimeout, IDeadLetterSuppression;
