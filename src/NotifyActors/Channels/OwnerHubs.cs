using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// The hubs registered with one channel owner, and what every owner answers them. Hubs are watched, so a hub that
/// stops, or whose node leaves or dies, is forgotten. Shared by both kinds of owner (<see cref="ChannelOwner"/>,
/// <see cref="EphemeralChannelOwner"/>), which differ only in how a publication gets its offset.
/// </summary>
internal sealed class OwnerHubs(string channel, ChannelLog log)
{
    /// <summary>
    /// At most this much of what a hub missed goes in one answer (a message between nodes, under remoting's frame
    /// size); the hub asks again for the rest.
    /// </summary>
    private const long MaxRepairBytes = 1 << 20;

    private readonly HashSet<IActorRef> _hubs = [];

    public int Count => _hubs.Count;

    /// <summary>Answers what hubs and askers send any owner; false for anything else.</summary>
    public bool Handle(object message, IActorContext context)
    {
        switch (message)
        {
            case RegisterHub register:
                Register(register, context);
                return true;
            case SubscriberPosition position:
                var (recovered, missed) = log.Recover(position.Recover);
                context.Sender.Tell(new SubscriberPositioned(channel, position.Id, log.Offset, log.Epoch, recovered, missed), context.Self);
                return true;
            case HistoryQuery query:
                context.Sender.Tell(log.Answer(query), context.Self);
                return true;
            case Terminated terminated:
                _hubs.Remove(terminated.ActorRef);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Sends publications just taken to every hub, before their publishers hear of them.</summary>
    public void Deliver(Appended appended, IActorRef self)
    {
        foreach (var hub in _hubs)
            hub.Tell(appended, self);
    }

    /// <summary>The first of <paramref name="missed"/> that fit in one answer; at least one, so that a repair always moves on.</summary>
    private static IReadOnlyList<HistoricPublication>? Within(IReadOnlyList<HistoricPublication>? missed)
    {
        if (missed is null || missed.Count == 0)
            return missed;
        var within = ChannelHistory.Within(missed, MaxRepairBytes, newest: false);
        return within.Count > 0 ? within : [missed[0]];
    }

    private void Register(RegisterHub register, IActorContext context)
    {
        var hub = context.Sender;
        if (_hubs.Add(hub))
            context.Watch(hub);
        var undelivered = register.Delivered is { } delivered ? Within(log.After(delivered.Epoch, delivered.Offset)) : null;
        hub.Tell(new HubRegistered(channel, register.Round, log.Epoch, log.Offset, log.History.Count, undelivered), context.Self);
    }
}
