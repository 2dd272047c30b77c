using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;

namespace NotifyActors.Connections;

/// <summary>
/// /user/connections: the parent of every <see cref="SubscriberActor"/>. A connection is never
/// restarted: any exception stops it (its PostStop closes the socket) and is counted. It watches
/// its children so that a child that died before it could close its socket still releases the
/// HTTP request, and so that a drain knows when the last connection is gone.
/// </summary>
public sealed class ConnectionsSupervisor : ReceiveActor
{
    private readonly NotifySettings _settings;
    private readonly IActorRef _channels;
    private readonly NotifyMetrics _metrics;
    private readonly Dictionary<IActorRef, ConnectionLifetime> _children = [];
    private readonly List<IActorRef> _drainWaiters = [];
    private bool _draining;

    public ConnectionsSupervisor(NotifySettings settings, IActorRef channels, NotifyMetrics metrics)
    {
        _settings = settings;
        _channels = channels;
        _metrics = metrics;

        Receive<Open>(OnOpen);
        Receive<Drain>(_ => OnDrain());
        Receive<Terminated>(OnTerminated);
    }

    public static Props Props(NotifySettings settings, IActorRef channels, NotifyMetrics metrics) =>
        Akka.Actor.Props.Create(() => new ConnectionsSupervisor(settings, channels, metrics));

    /// <summary>Start a subscriber actor for an accepted socket. Answered with <see cref="Opened"/>.</summary>
    public sealed record Open(ClientInfo Info, ConnectionLifetime Lifetime);

    public sealed record Opened(IActorRef Subscriber);

    /// <summary>Close every connection with 1001. Answered with <see cref="Drained"/> when the last one has stopped.</summary>
    public sealed record Drain
    {
        public static readonly Drain Instance = new();
    }

    public sealed record Drained
    {
        public static readonly Drained Instance = new();
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ =>
    {
        _metrics.SubscriberFailed();
        return Directive.Stop;
    });

    private void OnOpen(Open open)
    {
        var child = Context.ActorOf(
            SubscriberActor.Props(open.Info, open.Lifetime, _settings, _channels, _metrics),
            "c-" + open.Info.ClientId);
        Context.Watch(child);
        _children[child] = open.Lifetime;
        Sender.Tell(new Opened(child));
        // An upgrade that was already under way when the drain began is closed as soon as it opens.
        if (_draining)
            child.Tell(new SubscriberActor.Disconnect(CloseReason.ShuttingDown));
    }

    private void OnDrain()
    {
        _draining = true;
        _drainWaiters.Add(Sender);
        foreach (var child in _children.Keys)
            child.Tell(new SubscriberActor.Disconnect(CloseReason.ShuttingDown));
        AnswerDrainIfEmpty();
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_children.Remove(terminated.ActorRef, out var lifetime))
            lifetime.Abandon();
        AnswerDrainIfEmpty();
    }

    private void AnswerDrainIfEmpty()
    {
        if (_children.Count > 0)
            return;
        foreach (var waiter in _drainWaiters)
            waiter.Tell(Drained.Instance);
        _drainWaiters.Clear();
    }
}
