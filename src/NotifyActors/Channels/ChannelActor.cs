using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Runtime;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// One channel on this node: its subscribers (watched, so one that stops for any reason leaves, with a
/// leave push where join-leave is on), its presence, and the fan-out of each publication to them, the
/// frame encoded once. Its sequence (offsets, epoch, history) belongs to a <see cref="ChannelOwner"/>
/// child in a namespace with history, which journals each publication before it reaches anyone; in a
/// namespace without history there is nothing to keep, and this actor holds the sequence itself.
/// With no subscribers and nothing asked of it for notify.channels.idle-timeout it asks its parent to
/// passivate it (the registry holds messages for the name meanwhile, so none is lost to the race).
/// An UntypedActor: there can be one per connection, and a ReceiveActor would build (and compile)
/// its handler table for every instance.
/// </summary>
public sealed partial class ChannelActor : UntypedActor, IWithTimers
{
    private readonly string _name;
    private readonly NamespaceSettings _namespace;
    private readonly NotifySettings _settings;
    private readonly NotifyMetrics _metrics;
    private readonly ChannelFanout _fanout = new();
    private readonly ChannelDirectory _directory = ChannelDirectory.For(Context.System);
    // Without history: the sequence, here. With history: null, and _owner holds it.
    private readonly ChannelLog? _log;
    private IActorRef? _owner;
    // What this channel has delivered; "" until its owner is ready.
    private string _epoch = "";
    private long _offset;
    private int _historyCount;
    // Publishers whose publication went to the owner, in the order it answers them.
    private readonly Queue<IActorRef> _publishers = new();
    // Subscribers waiting for the owner's position, with what they asked; history queries waiting for its
    // answer, with their askers. Both are asked again of the next owner if this one stops.
    private readonly Dictionary<IActorRef, Subscribe> _joining = [];
    private readonly Dictionary<long, (HistoryQuery Query, IActorRef Asker)> _queries = [];
    private long _lastQuery;
    private ChannelStatus _status = null!;
    private bool _idleReported;

    public ChannelActor(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics)
    {
        _name = name;
        _namespace = ns;
        _settings = settings;
        _metrics = metrics;
        if (!ns.KeepsHistory)
            _log = new ChannelLog(ns, settings.MaxRecoveredPublications, settings.MaxReplyBytes);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Publish publish:
                OnPublish(publish);
                break;
            case ChannelOwner.Appended appended:
                OnAppended(appended);
                break;
            case ChannelOwner.AppendFailed failed:
                for (var i = 0; i < failed.Count && _publishers.TryDequeue(out var publisher); i++)
                    publisher.Tell(new PublishFailed(_name, $"the publication was not stored: {failed.Reason}"));
                ReportIfIdle();
                break;
            case Subscribe subscribe:
                OnSubscribe(subscribe);
                break;
            case ChannelOwner.Positioned positioned:
                OnPositioned(positioned);
                break;
            case ChannelOwner.Ready ready:
                OnOwnerReady(ready);
                break;
            case Unsubscribe:
                Leave(Sender);
                break;
            case Terminated terminated when terminated.ActorRef.Equals(_owner):
                OnOwnerStopped();
                break;
            case Terminated terminated:
                Leave(terminated.ActorRef);
                break;
            case HistoryQuery query:
                OnHistory(query);
                break;
            case ChannelOwner.Answered answered:
                if (_queries.Remove(answered.Id, out var asked))
                    asked.Asker.Tell(answered.Result);
                ReportIfIdle();
                break;
            case PresenceQuery query:
                Sender.Tell(new PresenceResult(_name, query.RequestId, _fanout.Members));
                ReportIfIdle();
                break;
            case IdleTimeout:
                OnIdleTimeout();
                break;
            case RetryOwner:
                if (_joining.Count > 0 || _queries.Count > 0)
                    Owner();
                break;
            case ChannelRegistry.Passivate:
                OnPassivate();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public static Props Props(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics) =>
        DirectProps<ChannelActor>.Create(() => new ChannelActor(name, ns, settings, metrics), CompactMailbox.Dispatcher);

    private sealed record IdleTimeout
    {
        public static readonly IdleTimeout Instance = new();
    }

    protected override void PreStart()
    {
        _metrics.ChannelStarted();
        _status = _directory.Register(_name);
        if (_log is not null)
        {
            _log.Start(ChannelLog.NewEpoch());
            _epoch = _log.Epoch;
            Report();
        }
        else
        {
            Owner();
        }
    }

    protected override void PostStop()
    {
        _metrics.ChannelStopped();
        _directory.Remove(_status);
    }

    private void Report() => _status.Update(_fanout.Count, _offset, _historyCount, _epoch);

    private void OnPublish(Publish publish)
    {
        if (_log is null)
        {
            _publishers.Enqueue(Sender);
            Owner().Tell(new ChannelOwner.Append(publish.Data));
            Timers.Cancel(IdleTimeout.Instance);
            return;
        }
        var offset = _log.Append(publish.Data, DateTime.UtcNow);
        Deliver(offset, publish.Data);
        _metrics.Published();
        Report();
        Sender.Tell(new PublishAck(_name, offset, _epoch));
        ReportIfIdle();
    }

    private void Deliver(long offset, byte[] data)
    {
        _offset = offset;
        _fanout.Deliver(new Publication(_name, offset, _epoch, ServerFrames.Publication(_name, offset, data)));
    }

    private void OnHistory(HistoryQuery query)
    {
        if (_log is not null)
        {
            Sender.Tell(_log.Answer(query));
            ReportIfIdle();
            return;
        }
        _queries[++_lastQuery] = (query, Sender);
        Timers.Cancel(IdleTimeout.Instance);
        AskOwner(new ChannelOwner.Query(_lastQuery, query));
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        if (!_fanout.Contains(Sender) && !_joining.ContainsKey(Sender))
            Context.Watch(Sender);
        Timers.Cancel(IdleTimeout.Instance);
        if (_log is not null)
        {
            var (recovered, missed) = _log.Recover(subscribe.Recover);
            Join(Sender, subscribe, _log.Offset, recovered, missed);
            return;
        }
        _joining[Sender] = subscribe;
        AskOwner(new ChannelOwner.Position(subscribe, Sender));
    }

    private void Join(IActorRef subscriber, Subscribe subscribe, long offset, bool? recovered, IReadOnlyList<HistoricPublication> missed)
    {
        var joined = _fanout.Add(subscriber, subscribe.Member);
        Report();
        // Replied before any later publication is sent, and Akka keeps per-pair order, so the
        // subscriber sees exactly the publications after this offset.
        subscriber.Tell(new SubscribeAck(_name, subscribe.Ticket, offset, _epoch, recovered, missed));
        if (joined && _namespace.JoinLeave)
            _fanout.Deliver(new MembershipEvent(_name, ServerFrames.Membership("join", _name, subscribe.Member.Client, subscribe.Member.User)), except: subscriber);
    }

    private void Leave(IActorRef subscriber)
    {
        var wasJoining = _joining.Remove(subscriber);
        if (_fanout.Remove(subscriber) is { } member)
        {
            Context.Unwatch(subscriber);
            if (_namespace.JoinLeave)
                _fanout.Deliver(new MembershipEvent(_name, ServerFrames.Membership("leave", _name, member.Client, member.User)));
        }
        else if (wasJoining)
        {
            Context.Unwatch(subscriber);
        }
        Report();
        ReportIfIdle();
    }

    private bool IsIdle => _fanout.Count == 0 && _joining.Count == 0 && _publishers.Count == 0 && _queries.Count == 0;

    /// <summary>Starts (or restarts) the idle wait when nothing is left to do; the channel asks to passivate when it ends.</summary>
    private void ReportIfIdle()
    {
        if (!IsIdle || _idleReported)
            return;
        if (_settings.Channels.IdleTimeout > TimeSpan.Zero)
            Timers.StartSingleTimer(IdleTimeout.Instance, IdleTimeout.Instance, _settings.Channels.IdleTimeout);
        else
            OnIdleTimeout();
    }

    private void OnIdleTimeout()
    {
        if (!IsIdle || _idleReported)
            return;
        _idleReported = true;
        Context.Parent.Tell(new ChannelRegistry.ChannelIdle(_name));
    }

    private void OnPassivate()
    {
        if (IsIdle)
        {
            Context.Stop(Self);
            return;
        }
        // A subscribe or publish overtook the idle report: stay, and let the registry route to us again.
        _idleReported = false;
        Context.Parent.Tell(new ChannelRegistry.ChannelResumed(_name));
        ReportIfIdle();
    }
}
