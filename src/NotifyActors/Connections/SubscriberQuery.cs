using Akka.Actor;

namespace NotifyActors.Connections;

/// <summary>
/// One admin query for subscribers, as a short-lived child of /user/connections: it asks each
/// candidate connection to <see cref="SubscriberActor.Describe"/> itself, keeps the answers that match
/// the channel filter, and answers the requester once every connection has answered or the timeout has
/// passed (whichever comes first), then stops. A connection that is closing does not answer; it is left
/// out and the result says it is incomplete. The result holds at most the query's limit, oldest
/// connections first; Matched counts every match.
/// </summary>
public sealed class SubscriberQuery : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<IActorRef> _targets;
    private readonly ConnectionsSupervisor.ListSubscribers _query;
    private readonly IActorRef _requester;
    private readonly List<SubscriberActor.Described> _matches = [];
    private int _pending;

    public SubscriberQuery(IReadOnlyList<IActorRef> targets, ConnectionsSupervisor.ListSubscribers query, IActorRef requester)
    {
        _targets = targets;
        _query = query;
        _requester = requester;
        _pending = targets.Count;
        Receive<SubscriberActor.Described>(OnDescribed);
        Receive<TimedOut>(_ => Finish(complete: false));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<IActorRef> targets, ConnectionsSupervisor.ListSubscribers query, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new SubscriberQuery(targets, query, requester));

    /// <summary>Subscribers in order of connection; Complete is false when some connection did not answer in time.</summary>
    public sealed record Result(IReadOnlyList<SubscriberActor.Described> Subscribers, int Matched, bool Complete);

    private sealed record TimedOut
    {
        public static readonly TimedOut Instance = new();
    }

    protected override void PreStart()
    {
        if (_pending == 0)
        {
            Finish(complete: true);
            return;
        }
        foreach (var target in _targets)
            target.Tell(SubscriberActor.Describe.Instance, Self);
        Timers.StartSingleTimer("timeout", TimedOut.Instance, _query.Timeout);
    }

    private void OnDescribed(SubscriberActor.Described described)
    {
        if (_query.Channel is null || described.Channels.Contains(_query.Channel, StringComparer.Ordinal))
            _matches.Add(described);
        if (--_pending == 0)
            Finish(complete: true);
    }

    private void Finish(bool complete)
    {
        var subscribers = _matches
            .OrderBy(subscriber => subscriber.ConnectedSince)
            .ThenBy(subscriber => subscriber.ClientId, StringComparer.Ordinal)
            .Take(_query.Limit)
            .ToList();
        _requester.Tell(new Result(subscribers, _matches.Count, complete));
        Context.Stop(Self);
    }
}
