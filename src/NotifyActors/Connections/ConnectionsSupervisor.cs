using Akka.Actor;
using NotifyActors.Cluster;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;

namespace NotifyActors.Connections;

/// <summary>
/// /user/connections: the parent of every <see cref="SubscriberActor"/>. A connection is never
/// restarted: any exception stops it (its PostStop closes the socket) and is counted. It watches
/// its children so that a child that died before it could close its socket still releases the
/// HTTP request, and so that a drain knows when the last connection is gone. It indexes its
/// connections by user and client id (<see cref="ConnectionIndex"/>): that enforces
/// notify.limits.max-connections-per-user and finds the connections POST /api/disconnect names.
/// </summary>
public sealed class ConnectionsSupervisor : ReceiveActor
{
    private readonly NotifySettings _settings;
    private readonly IActorRef _channels;
    private readonly NotifyMetrics _metrics;
    private readonly Dictionary<IActorRef, ConnectionLifetime> _children = [];
    private readonly ConnectionIndex _index = new();
    private readonly List<IActorRef> _drainWaiters = [];
    private bool _draining;

    public ConnectionsSupervisor(NotifySettings settings, IActorRef channels, NotifyMetrics metrics)
    {
        _settings = settings;
        _channels = channels;
        _metrics = metrics;

        Receive<Open>(OnOpen);
        Receive<Authenticated>(OnAuthenticated);
        Receive<Drain>(_ => OnDrain());
        Receive<DisconnectClients>(OnDisconnectClients);
        Receive<ListSubscribers>(list =>
            Context.ActorOf(SubscriberQuery.Props(_index.Of(list.User), list, Sender)));
        Receive<Terminated>(OnTerminated);
    }

    public static Props Props(NotifySettings settings, IActorRef channels, NotifyMetrics metrics) =>
        Akka.Actor.Props.Create(() => new ConnectionsSupervisor(settings, channels, metrics));

    /// <summary>
    /// Start a subscriber actor for an accepted socket that speaks <paramref name="Dialect"/>. Answered with
    /// <see cref="Opened"/>. <paramref name="Tokens"/> checks the token of a dialect that connects in band; its
    /// connection is counted as its user's once it has connected (<see cref="Authenticated"/>).
    /// </summary>
    public sealed record Open(ClientInfo Info, ConnectionLifetime Lifetime, IClientDialect Dialect, ITokenAuthenticator? Tokens = null);

    /// <summary>A child that connected in band knows its user now: counted against the user's limit, or closed past it.</summary>
    public sealed record Authenticated(ClientInfo Info);

    /// <summary>The connection's actor; <see cref="ActorRefs.Nobody"/> when the connection was refused (and is closing).</summary>
    public sealed record Opened(IActorRef Subscriber);

    /// <summary>
    /// Close, with 4003, the connections of <see cref="User"/> and/or the one with client id
    /// <see cref="Client"/> (given both, a connection must match both). Answered with
    /// <see cref="ClientsDisconnected"/>: how many connections were told to close.
    /// </summary>
    public sealed record DisconnectClients(string? User, string? Client) : INodeMessage;

    public sealed record ClientsDisconnected(int Count) : INodeMessage;

    /// <summary>
    /// The admin API's subscriber listing: the connections of <see cref="User"/> (all when null) that are
    /// subscribed to <see cref="Channel"/> (any when null), at most <see cref="Limit"/>. Answered with
    /// <see cref="SubscriberQuery.Result"/> by a short-lived <see cref="SubscriberQuery"/> that asks the
    /// connections themselves (scatter-gather, bounded in time), so no connection pays for bookkeeping
    /// that only an operator's query needs.
    /// </summary>
    public sealed record ListSubscribers(string? User, string? Channel, int Limit, TimeSpan Timeout);

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
        if (!_draining && OverUserLimit(open.Info))
        {
            Refuse(open, CloseReason.ConnectionLimit);
            return;
        }
        var child = Context.ActorOf(
            SubscriberActor.Props(open.Info, open.Lifetime, _settings, _channels, _metrics, open.Dialect, open.Tokens),
            "c-" + open.Info.ClientId);
        Context.Watch(child);
        _children[child] = open.Lifetime;
        Sender.Tell(new Opened(child));
        // An upgrade that was already under way when the drain began is closed as soon as it opens.
        if (_draining)
            child.Tell(new SubscriberActor.Disconnect(CloseReason.ShuttingDown));
        else if (!open.Dialect.ConnectsInBand)
            _index.Add(child, open.Info);
    }

    private void OnAuthenticated(Authenticated authenticated)
    {
        // A child already gone, or already told to close by a drain, needs nothing more.
        if (_draining || !_children.ContainsKey(Sender))
            return;
        if (OverUserLimit(authenticated.Info))
            Sender.Tell(new SubscriberActor.Disconnect(CloseReason.ConnectionLimit));
        else
            _index.Add(Sender, authenticated.Info);
    }

    /// <summary>
    /// No actor for a refused connection: its socket gets the welcome (so the client knows who it was)
    /// and then the close, from the lifetime itself. It is never counted as the user's. The endpoint
    /// waits for the close as it would for any connection.
    /// </summary>
    private void Refuse(Open open, CloseReason reason)
    {
        var info = open.Info;
        open.Lifetime.Refuse(ServerFrames.Welcome(info.ClientId, info.User, _settings.Heartbeat.AnnouncedSeconds), reason);
        Sender.Tell(new Opened(ActorRefs.Nobody));
    }

    private bool OverUserLimit(ClientInfo info) =>
        _settings.Limits.LimitsConnectionsPerUser
        && !info.IsAnonymous
        && _index.CountOf(info.User) >= _settings.Limits.MaxConnectionsPerUser;

    private void OnDisconnectClients(DisconnectClients disconnect)
    {
        var matching = _index.Matching(disconnect.User, disconnect.Client);
        foreach (var child in matching)
        {
            // Forgotten now, not at Terminated: it no longer counts against its user's limit, and a
            // second disconnect does not count it again.
            _index.Remove(child);
            child.Tell(new SubscriberActor.Disconnect(CloseReason.Disconnected));
        }
        Sender.Tell(new ClientsDisconnected(matching.Count));
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
        _index.Remove(terminated.ActorRef);
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
