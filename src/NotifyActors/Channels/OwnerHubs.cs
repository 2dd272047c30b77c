using Akka.Actor;
using Akka.Event;

namespace NotifyActors.Channels;

/// <summary>
/// The hubs registered with one channel owner, and what every owner answers them and its askers (positions,
/// history, presence gathered from every hub). Hubs are watched, so a hub that
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

    /// <summary>How long a presence query waits for the hubs: one that has not answered by then (its node is slow or gone) is left out.</summary>
    private static readonly TimeSpan PresenceTimeout = TimeSpan.FromSeconds(2);

    private readonly HashSet<IActorRef> _hubs = [];
    // Presence queries waiting for hubs, by the owner's number for them.
    private readonly Dictionary<long, Gathering> _gatherings = [];
    private long _lastGathering;

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
            case PresenceQuery query:
                Gather(query, context);
                return true;
            case MembershipChanged changed:
                foreach (var hub in _hubs)
                {
                    if (!hub.Equals(context.Sender))
                        hub.Tell(changed, context.Self);
                }
                return true;
            case HubMembers members:
                if (_gatherings.TryGetValue(members.QueryId, out var gathering) && gathering.Waiting.Remove(context.Sender))
                {
                    gathering.Members.AddRange(members.Members);
                    AnswerIfComplete(members.QueryId, gathering, context);
                }
                return true;
            case GatheringTimeout timeout:
                if (_gatherings.TryGetValue(timeout.Id, out var late))
                {
                    late.Waiting.Clear();
                    AnswerIfComplete(timeout.Id, late, context);
                }
                return true;
            case Terminated terminated:
                _hubs.Remove(terminated.ActorRef);
                foreach (var (id, waiting) in _gatherings.ToList())
                {
                    if (waiting.Waiting.Remove(terminated.ActorRef))
                        AnswerIfComplete(id, waiting, context);
                }
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

    /// <summary>Asks every hub for its members; the answer goes to the asker when all have answered, stopped or timed out.</summary>
    private void Gather(PresenceQuery query, IActorContext context)
    {
        var id = ++_lastGathering;
        var gathering = new Gathering(query, context.Sender, [.. _hubs]);
        _gatherings[id] = gathering;
        foreach (var hub in gathering.Waiting)
            hub.Tell(new HubPresence(channel, id), context.Self);
        if (gathering.Waiting.Count > 0)
            context.System.Scheduler.ScheduleTellOnce(PresenceTimeout, context.Self, new GatheringTimeout(id), ActorRefs.NoSender);
        AnswerIfComplete(id, gathering, context);
    }

    private void AnswerIfComplete(long id, Gathering gathering, IActorContext context)
    {
        if (gathering.Waiting.Count > 0)
            return;
        _gatherings.Remove(id);
        gathering.Asker.Tell(new PresenceResult(channel, gathering.Query.RequestId, gathering.Members), context.Self);
    }

    private sealed record Gathering(PresenceQuery Query, IActorRef Asker, HashSet<IActorRef> Waiting)
    {
        public List<ChannelMember> Members { get; } = [];
    }

    /// <summary>A presence query's time is up. It may reach an owner that has stopped: not a leak.</summary>
    internal sealed record GatheringTimeout(long Id) : IDeadLetterSuppression;

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
