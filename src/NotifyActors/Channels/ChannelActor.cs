using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Runtime;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// One channel: owns its sequence (offsets, epoch, kept history) and fans each publication out to
/// its local subscribers. Watches every subscriber, so a subscriber that stops for any reason leaves
/// the channel (and its presence, with a leave push where join-leave is on). With no subscribers
/// and nothing left in history it asks its parent to passivate it (the registry buffers messages
/// for the name meanwhile, so none is lost to the race).
/// An UntypedActor: there can be one per connection, and a ReceiveActor would build (and compile)
/// its handler table for every instance.
/// </summary>
public sealed class ChannelActor : UntypedActor, IWithTimers
{
    private readonly string _name;
    private readonly NamespaceSettings _namespace;
    private readonly int _maxRecovered;
    private readonly long _maxReplyBytes;
    private readonly NotifyMetrics _metrics;
    private readonly ChannelSequence _sequence = new(ChannelSequence.NewEpoch());
    private readonly ChannelHistory _history;
    private readonly ChannelFanout _fanout = new();
    private readonly ChannelDirectory _directory = ChannelDirectory.For(Context.System);
    private ChannelStatus _status = null!;
    private bool _idleReported;
    // Where history is kept: the channel stays until then for the position its last subscriber left
    // at, so that the subscriber can come back and recover what was published meanwhile.
    private DateTime _positionKeptUntil;

    /// <param name="maxReplyBytes">
    /// What one history or subscribed reply may carry. Each is a single frame, which must fit in the
    /// connection's outbound queue; unbounded, one command could have a channel's whole history
    /// (history-size times max-publish-bytes) encoded, queued and sent at once, per connection.
    /// </param>
    public ChannelActor(string name, NamespaceSettings ns, int maxRecovered, long maxReplyBytes, NotifyMetrics metrics)
    {
        _name = name;
        _namespace = ns;
        _maxRecovered = maxRecovered;
        _maxReplyBytes = maxReplyBytes;
        _metrics = metrics;
        _history = new ChannelHistory(ns.HistorySize, ns.HistoryTtl);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Publish publish:
                OnPublish(publish);
                break;
            case Subscribe subscribe:
                OnSubscribe(subscribe);
                break;
            case Unsubscribe:
                Leave(Sender);
                break;
            case Terminated terminated:
                Leave(terminated.ActorRef);
                break;
            case HistoryQuery query:
                OnHistory(query);
                break;
            case PresenceQuery query:
                OnPresence(query);
                break;
            case HistoryExpired:
                OnHistoryExpired();
                break;
            case ChannelRegistry.Passivate:
                OnPassivate();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public static Props Props(string name, NamespaceSettings ns, int maxRecovered, long maxReplyBytes, NotifyMetrics metrics) =>
        DirectProps<ChannelActor>.Create(() => new ChannelActor(name, ns, maxRecovered, maxReplyBytes, metrics), CompactMailbox.Dispatcher);

    private sealed record HistoryExpired
    {
        public static readonly HistoryExpired Instance = new();
    }

    protected override void PreStart()
    {
        _metrics.ChannelStarted();
        _status = _directory.Register(_name, _sequence.Epoch);
    }

    protected override void PostStop()
    {
        _metrics.ChannelStopped();
        _directory.Remove(_status);
    }

    /// <summary>Brings this channel's directory entry up to date (subscribers, offset, history kept).</summary>
    private void Report() => _status.Update(_fanout.Count, _sequence.Offset, _history.Count);

    private void OnSubscribe(Subscribe subscribe)
    {
        var joined = _fanout.Add(Sender, subscribe.Member);
        if (joined)
            Context.Watch(Sender);
        Report();

        bool? recovered = null;
        IReadOnlyList<HistoricPublication> missed = [];
        if (subscribe.Recover is { } position)
        {
            _history.Prune(DateTime.UtcNow);
            var after = position.Epoch == _sequence.Epoch ? _history.After(position.Offset, _sequence.Offset) : null;
            recovered = after is not null && after.Count <= _maxRecovered && ChannelHistory.Within(after, _maxReplyBytes, newest: false).Count == after.Count;
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
        Report();
        Sender.Tell(new PublishAck(_name, offset, _sequence.Epoch));
        ReportIfIdle();
    }

    private void OnHistory(HistoryQuery query)
    {
        _history.Prune(DateTime.UtcNow);
        Report();
        IReadOnlyList<HistoricPublication>? publications;
        if (query.Since is { } since)
        {
            // The oldest first: a client pages on from the last offset it got.
            publications = since.Epoch == _sequence.Epoch ? _history.After(since.Offset, _sequence.Offset) : null;
            if (publications is not null && query.Limit is { } limit)
                publications = publications.Take(limit).ToList();
            if (publications is not null)
                publications = ChannelHistory.Within(publications, _maxReplyBytes, newest: false);
        }
        else
        {
            publications = ChannelHistory.Within(_history.Latest(query.Limit), _maxReplyBytes, newest: true);
        }
        Sender.Tell(new HistoryResult(_name, query.RequestId, _sequence.Offset, _sequence.Epoch, publications));
        ReportIfIdle();
    }

    private void OnPresence(PresenceQuery query)
    {
        Sender.Tell(new PresenceResult(_name, query.RequestId, _fanout.Members));
        // The query may have been what created this channel: with no one in it, it must not stay.
        ReportIfIdle();
    }

    private void Leave(IActorRef subscriber)
    {
        if (_fanout.Remove(subscriber) is { } member)
        {
            Context.Unwatch(subscriber);
            if (_fanout.Count == 0 && _history.IsEnabled)
                _positionKeptUntil = DateTime.UtcNow + _namespace.HistoryTtl;
            if (_namespace.JoinLeave)
                _fanout.Deliver(new MembershipEvent(_name, ServerFrames.Membership("leave", _name, member.Client, member.User)));
        }
        Report();
        ReportIfIdle();
    }

    /// <summary>
    /// With no subscribers the channel stays only for its history: until the newest kept
    /// publication expires, and at least history-ttl after its last subscriber left. After that
    /// (or at once, with no history) it asks to passivate.
    /// </summary>
    private void ReportIfIdle()
    {
        if (_fanout.Count > 0 || _idleReported)
            return;
        var now = DateTime.UtcNow;
        if (KeptUntil(now) is { } expiry)
        {
            Timers.StartSingleTimer(HistoryExpired.Instance, HistoryExpired.Instance, Max(expiry - now, TimeSpan.Zero) + TimeSpan.FromMilliseconds(10));
            return;
        }
        _idleReported = true;
        Context.Parent.Tell(new ChannelRegistry.ChannelIdle(_name));
    }

    /// <summary>Until when a channel without subscribers has something to keep (kept publications, or the position its last subscriber left at); null: nothing.</summary>
    private DateTime? KeptUntil(DateTime now)
    {
        _history.Prune(now);
        var until = _history.ExpiresAt;
        if (_positionKeptUntil > now && (until is null || _positionKeptUntil > until))
            until = _positionKeptUntil;
        return until;
    }

    private void OnHistoryExpired()
    {
        ReportIfIdle(); // prunes what expired
        Report();
    }

    private void OnPassivate()
    {
        if (_fanout.Count == 0 && KeptUntil(DateTime.UtcNow) is null)
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
