using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// The local subscribers of one channel and the delivery to them. One message object, holding the
/// frame encoded once, goes to every subscriber; a Tell never waits, so a slow subscriber cannot
/// hold up the others (its own bounded queue decides its fate). It also knows who each subscriber
/// is, which is the channel's presence on this node.
/// </summary>
public sealed class ChannelFanout
{
    private readonly Dictionary<IActorRef, ChannelMember> _subscribers = [];

    public int Count => _subscribers.Count;

    public IReadOnlyList<ChannelMember> Members => [.. _subscribers.Values];

    public IReadOnlyList<IActorRef> Subscribers => [.. _subscribers.Keys];

    public void Clear() => _subscribers.Clear();

    public bool Contains(IActorRef subscriber) => _subscribers.ContainsKey(subscriber);

    public bool Add(IActorRef subscriber, ChannelMember member) => _subscribers.TryAdd(subscriber, member);

    /// <summary>The member that left, or null when it was not subscribed.</summary>
    public ChannelMember? Remove(IActorRef subscriber) => _subscribers.Remove(subscriber, out var member) ? member : null;

    public void Deliver(object message, IActorRef? except = null)
    {
        foreach (var subscriber in _subscribers.Keys)
        {
            if (!subscriber.Equals(except))
                subscriber.Tell(message, ActorRefs.NoSender);
        }
    }
}
