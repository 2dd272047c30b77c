using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// The local subscribers of one channel and the delivery to them. One message object, holding the
/// frame encoded once, goes to every subscriber; a Tell never waits, so a slow subscriber cannot
/// hold up the others (its own bounded queue decides its fate).
/// </summary>
public sealed class ChannelFanout
{
    private readonly HashSet<IActorRef> _subscribers = [];

    public int Count => _subscribers.Count;

    public bool Add(IActorRef subscriber) => _subscribers.Add(subscriber);

    public bool Remove(IActorRef subscriber) => _subscribers.Remove(subscriber);

    public void Deliver(Publication publication)
    {
        foreach (var subscriber in _subscribers)
            subscriber.Tell(publication, ActorRefs.NoSender);
    }
}
