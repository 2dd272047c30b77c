using Akka.Actor;
using NotifyActors.Configuration;
using NotifyActors.Protocol;
using NotifyActors.Runtime;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// One channel on this node: its local subscribers (watched, so one that stops for any reason leaves, with a leave
/// push where join-leave is on), their presence, and the fan-out to them of each publication, which reaches this node
/// once and is encoded once here. The channel's sequence belongs to its owner, one in the cluster, wherever sharding
/// put it; this hub registers with it and receives every publication from it in order (ChannelHub.Owner.cs).
/// With no subscribers for notify.channels.idle-timeout it asks its parent to passivate it (the registry holds
/// messages for the name meanwhile, so none is lost to the race).
/// An UntypedActor: there can be one per connection, and a ReceiveActor would build (and compile)
/// its handler table for every instance.
/// </summary>
public sealed partial class ChannelHub : UntypedActor, IWithTimers
{
    private readonly string _name;
    private readonly NamespaceSettings _namespace;
    private readonly NotifySettings _settings;
    private readonly NotifyMetrics _metrics;
    private readonly IActorRef _owners;
    private readonly ChannelFanout _fanout = new();
    private readonly ChannelDirectory _directory = ChannelDirectory.For(Context.System);
    private ChannelStatus _status = null!;
    private bool _idleReported;

    /// <param name="owners">The shard region of the channels' owners (<see cref="ChannelOwners"/>).</param>
    public ChannelHub(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics, IActorRef owners)
    {
        _name = name;
        _namespace = ns;
        _settings = settings;
        _metrics = metrics;
        _owners = owners;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Appended appended:
                OnAppended(appended);
                break;
            case Subscribe subscribe:
                OnSubscribe(subscribe);
                break;
            case SubscriberPositioned positioned:
                OnPositioned(positioned);
                break;
            case HubRegistered registered:
                OnRegistered(registered);
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
            case MembershipChanged changed:
                _fanout.Deliver(MembershipFrame(changed.Joined, changed.Member));
                break;
            case HubPresence presence:
                Sender.Tell(new HubMembers(_name, presence.QueryId, _fanout.Members));
                break;
            case PositionCheck:
                CheckPosition();
                break;
            case IdleTimeout:
                OnIdleTimeout();
                break;
            case ChannelRegistry.Passivate:
                OnPassivate();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public static Props Props(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics, IActorRef owners) =>
        DirectProps<ChannelHub>.Create(() => new ChannelHub(name, ns, settings, metrics, owners), CompactMailbox.Dispatcher);

    private sealed record IdleTimeout
    {
        public static readonly IdleTimeout Instance = new();
    }

    protected override void PreStart()
    {
        _metrics.ChannelStarted();
        _status = _directory.Register(_name);
        CheckPosition();
    }

    protected override void PostStop()
    {
        _metrics.ChannelStopped();
        _directory.Remove(_status);
    }

    private void Report() => _status.Update(_fanout.Count, _offset, _historyCount, _epoch);

    private void Deliver(long offset, byte[] data)
    {
        _offset = offset;
        _fanout.Deliver(new Publication(_name, offset, _epoch, data));
        JoinHeldAt(offset);
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        if (!_fanout.Contains(Sender) && !_joinIds.ContainsKey(Sender))
            Context.Watch(Sender);
        Timers.Cancel(IdleTimeout.Instance);
        if (_joinIds.Remove(Sender, out var previous))
            _joining.Remove(previous);
        var id = ++_lastJoin;
        _joining[id] = new PendingJoin(Sender, subscribe);
        _joinIds[Sender] = id;
        AskPosition(id);
    }

    private void Join(IActorRef subscriber, Subscribe subscribe, long offset, bool? recovered, IReadOnlyList<HistoricPublication> missed)
    {
        var joined = _fanout.Add(subscriber, subscribe.Member);
        Report();
        // Replied before any later publication is sent, and Akka keeps per-pair order, so the
        // subscriber sees exactly the publications after this offset.
        subscriber.Tell(new SubscribeAck(_name, subscribe.Ticket, offset, _epoch, recovered, missed));
        if (joined && _namespace.JoinLeave)
            AnnounceMembership(joined: true, subscribe.Member, except: subscriber);
    }

    /// <summary>Pushes a join or leave to this node's subscribers and, through the owner, to every other node's.</summary>
    private void AnnounceMembership(bool joined, ChannelMember member, IActorRef? except = null)
    {
        _fanout.Deliver(MembershipFrame(joined, member), except);
        _owner?.Tell(new MembershipChanged(_name, joined, member));
    }

    private MembershipEvent MembershipFrame(bool joined, ChannelMember member) => new(_name, joined, member);

    private void Leave(IActorRef subscriber)
    {
        var wasJoining = _joinIds.Remove(subscriber, out var id) && _joining.Remove(id);
        if (wasJoining)
            _held.RemoveAll(h => h.Id == id);
        if (_fanout.Remove(subscriber) is { } member)
        {
            Context.Unwatch(subscriber);
            if (_namespace.JoinLeave)
                AnnounceMembership(joined: false, member);
        }
        else if (wasJoining)
        {
            Context.Unwatch(subscriber);
        }
        Report();
        ReportIfIdle();
    }

    private bool IsIdle => _fanout.Count == 0 && _joining.Count == 0;

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
        // A subscribe overtook the idle report: stay, and let the registry route to us again.
        _idleReported = false;
        Context.Parent.Tell(new ChannelRegistry.ChannelResumed(_name));
        ReportIfIdle();
    }
}
