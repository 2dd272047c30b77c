using Akka.Actor;
using Akka.Cluster.Sharding;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// The owner of a channel in a namespace without history: one per channel in the cluster (a sharding entity), the
/// single writer of its offsets, holding its sequence in memory only. Nothing outlives it: the next owner of the
/// channel starts a new epoch. It passivates when no hub has been registered for notify.channels.idle-timeout.
/// </summary>
public sealed class EphemeralChannelOwner : UntypedActor, IWithTimers
{
    private readonly string _name;
    private readonly NotifySettings _settings;
    private readonly NotifyMetrics _metrics;
    private readonly ChannelLog _log;
    private readonly OwnerHubs _hubs;
    private OwnerIdle _idle = null!;

    public EphemeralChannelOwner(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics)
    {
        _name = name;
        _settings = settings;
        _metrics = metrics;
        _log = new ChannelLog(ns, settings.MaxRecoveredPublications, settings.MaxReplyBytes);
        _hubs = new OwnerHubs(name, _log);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics) =>
        Akka.Actor.Props.Create(() => new EphemeralChannelOwner(name, ns, settings, metrics));

    protected override void PreStart()
    {
        _metrics.OwnerStarted();
        _log.Start(ChannelLog.NewEpoch());
        _idle = new OwnerIdle(Timers, _settings.Channels.IdleTimeout);
        _idle.Touch(idle: true);
    }

    protected override void PostStop() => _metrics.OwnerStopped();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Publish publish:
                var offset = _log.Append(publish.Data, DateTime.UtcNow);
                _hubs.Deliver(new Appended(_name, _log.Epoch, offset, [publish.Data], _log.History.Count, DateTime.UtcNow.Ticks), Self);
                _metrics.Published();
                Sender.Tell(new PublishAck(_name, offset, _log.Epoch, publish.RequestId));
                break;
            case OwnerIdle.Tick:
                if (_idle.Elapsed(_hubs.Count == 0))
                    Context.Parent.Tell(new Passivate(OwnerStop.Instance));
                return;
            case OwnerStop:
                Context.Stop(Self);
                break;
            default:
                if (!_hubs.Handle(message, Context))
                    Unhandled(message);
                break;
        }
        _idle.Touch(_hubs.Count == 0);
    }
}
