using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// One channel: owns its sequence (offsets, epoch, kept history) and fans each publication out to
/// its local subscribers. Watches every subscriber, so a subscriber that stops for any reason leaves
/// the channel (and its presence, with a leave push where join-leave is on). With no subscribers
/// and nothing left in history it asks its parent to passivate it (the registry buffers messages
/// for the name meanwhile, so none is lost to the race).
/// </summary>
public sealed class ChannelActor : ReceiveActor, IWithTimers
{
    private readonly string _name;
    private readonly NamespaceSettings _namespace;
    private readonly int _maxRecovered;
    private readonly NotifyMetrics _metrics;
    private readonly ChannelSequence _sequence = new(ChannelSequence.NewEpoch());
    private readonly ChannelHistory _history;
    private readonly ChannelFanout _fanout = new();
    private bool _idleReported;

    public ChannelActor(string name, NamespaceSettings ns, int maxRecovered, NotifyMetrics metrics)
    {
        _name = name;
        _namespace = ns;
        _maxRecovered = maxRecovered;
        _metrics = metrics;
        _history = new ChannelHistory(ns.HistorySize, ns.HistoryTtl);

        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(_ => Leave(Sender));
        Receive<Publish>(OnPublish);
        Receive<HistoryQuery>(OnHistory);
        Receive<PresenceQuery>(query =>
        {
            Sender.Tell(new PresenceResult(_name, query.RequestId, _fanout.Members));
            ReportIfIdle(); // a query may be what created this channel
        });
        Receive<Terminated>(t => Leave(t.ActorRef));
        Receive<HistoryExpired>(_ => OnHistoryExpired());
        Receive<ChannelRegistry.Passivate>(_ => OnPassivate());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, NamespaceSettings ns, int maxRecovered, NotifyMetrics metrics) =>
        Akka.Actor.Props.Create(() => new ChannelActor(name, ns, maxRecovered, metrics));

    private sealed record HistoryExpired
    {
        public static readonly HistoryExpired Instance = new();
    }

    protected override void PreStart() => _metrics.ChannelStarted();

    protected override void PostStop() => _metrics.ChannelStopped();

    private void OnSubscribe(Subscribe subscribe)
    {
        var joined = _fanout.Add(Sender, subscribe.Member);
        if (joined)
            Context.Watch(Sender);

        bool? recovered = null;
        IReadOnlyList<HistoricPublication> missed = [];
        if (subscribe.Recover is { } position)
        {
            _history.Prune(DateTime.UtcNow);
            var after = position.Epoch == _sequence.Epoch ? _history.After(position.Offset, _sequence.Offset) : null;
            recovered = after is not null && after.Count <= _maxRecovered;
            missed = recovered == true ? after! : [];
        }
        // Replied before any later publication is sent, and Akka keeps per-pair order, so the
        // subscriber sees exactly the publications after this offset.
        Sender.Tell(new SubscribeAck(_name, subscribe.Ticket, _sequence.Offset, _sequence.Epoch, recovered, missed));
        if (joined && _namespace.JoinLeave)
            _fanout.Deliver(new MembershipEvent(_name, ServerFrames.Membership("join", _name, subscribe.Member.Client, subscribe.Member.User)), except: Sender);
    }

    private void OnPublish(Publish publish)
    {
        var offset = _sequence.Next();
        var frame = ServerFrames.Publication(_name, offset, publish.Data);
        var now = DateTime.UtcNow;
        _history.Prune(now);
        _history.Add(offset, publish.Data, now);
        _fanout.Deliver(new Publication(_name, offset, _sequence.Epoch, frame));
        _metrics.Published();
        Sender.Tell(new PublishAck(_name, offset, _sequence.Epoch));
        ReportIfIdle();
    }

    private void OnHistory(HistoryQuery query)
    {
        _history.Prune(DateTime.UtcNow);
        IReadOnlyList<HistoricPublication>? publications;
        if (query.Since is { } since)
        {
            publications = since.Epoch == _sequence.Epoch ? _history.After(since.Offset, _sequence.Offset) : null;
            if (publications is not null && query.Limit is { } limit)
                publications = publications.Take(limit).ToList();
        }
        else
        {
            publications = _history.Latest(query.Limit);
        }
        Sender.Tell(new HistoryResult(_name, query.RequestId, _sequence.Offset, _sequence.Epoch, publications));
        ReportIfIdle();
    }

    private void Leave(IActorRef subscriber)
    {
        if (_fanout.Remove(subscriber) is { } member)
        {
            Context.Unwatch(subscriber);
            if (_namespace.JoinLeave)
                _fanout.Deliver(new MembershipEvent(_name, ServerFrames.Membership("leave", _name, member.Client, member.User)));
        }
        ReportIfIdle();
    }

    /// <summary>
    /// With no subscribers the channel stays only for its history: until the newest kept
    /// publication expires. After that (or at once, with no history) it asks to passivate.
    /// </summary>
    private void ReportIfIdle()
    {
        if (_fanout.Count > 0 || _idleReported)
            return;
        _history.Prune(DateTime.UtcNow);
        if (_history.ExpiresAt is { } expiry)
        {
            Timers.StartSingleTimer(HistoryExpired.Instance, HistoryExpired.Instance, Max(expiry - DateTime.UtcNow, TimeSpan.Zero) + TimeSpan.FromMilliseconds(10));
            return;
        }
        _idleReported = true;
        Context.Parent.Tell(new ChannelRegistry.ChannelIdle(_name));
    }

    private void OnHistoryExpired() => ReportIfIdle();

    private void OnPassivate()
    {
        _history.Prune(DateTime.UtcNow);
        if (_fanout.Count == 0 && _history.Count == 0)
        {
            Context.Stop(Self);
            return;
        }
        // A subscribe or publish overtook the idle report: stay, and let the registry route to us again.
        _idleReported = false;
        Context.Parent.Tell(new ChannelRegistry.ChannelResumed(_name));
        ReportIfIdle();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
