using Akka.Actor;
using NotifyActors.Protocol;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// One channel: owns its sequence (offsets, epoch) and fans each publication out to its local
/// subscribers. Watches every subscriber, so a subscriber that stops for any reason leaves the
/// channel. With no subscribers and nothing to keep it asks its parent to passivate it
/// (the registry buffers messages for the name meanwhile, so none is lost to the race).
/// </summary>
public sealed class ChannelActor : ReceiveActor
{
    private readonly string _name;
    private readonly NotifyMetrics _metrics;
    private readonly ChannelSequence _sequence = new(ChannelSequence.NewEpoch());
    private readonly ChannelFanout _fanout = new();
    private readonly ChannelDirectory _directory = ChannelDirectory.For(Context.System);
    private bool _idleReported;

    public ChannelActor(string name, NotifyMetrics metrics)
    {
        _name = name;
        _metrics = metrics;

        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(_ => Leave(Sender));
        Receive<Publish>(OnPublish);
        Receive<Terminated>(t => Leave(t.ActorRef));
        Receive<ChannelRegistry.Passivate>(_ => OnPassivate());
    }

    public static Props Props(string name, NotifyMetrics metrics) => Akka.Actor.Props.Create(() => new ChannelActor(name, metrics));

    protected override void PreStart() => _metrics.ChannelStarted();

    protected override void PostStop()
    {
        _metrics.ChannelStopped();
        _directory.Remove(_name);
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        if (_fanout.Add(Sender))
            Context.Watch(Sender);
        _directory.Update(_name, _fanout.Count);
        var recovered = subscribe.Recover is { } position ? _sequence.IsCurrent(position.Offset, position.Epoch) : (bool?)null;
        // Replied before any later publication is sent, and Akka keeps per-pair order, so the
        // subscriber sees exactly the publications after this offset.
        Sender.Tell(new SubscribeAck(_name, subscribe.Ticket, _sequence.Offset, _sequence.Epoch, recovered));
    }

    private void OnPublish(Publish publish)
    {
        var offset = _sequence.Next();
        var frame = ServerFrames.Publication(_name, offset, publish.Data);
        _fanout.Deliver(new Publication(_name, offset, _sequence.Epoch, frame));
        _metrics.Published();
        Sender.Tell(new PublishAck(_name, offset, _sequence.Epoch));
        ReportIfIdle();
    }

    private void Leave(IActorRef subscriber)
    {
        if (_fanout.Remove(subscriber))
            Context.Unwatch(subscriber);
        _directory.Update(_name, _fanout.Count);
        ReportIfIdle();
    }

    private void ReportIfIdle()
    {
        if (_fanout.Count > 0 || _idleReported)
            return;
        _idleReported = true;
        Context.Parent.Tell(new ChannelRegistry.ChannelIdle(_name));
    }

    private void OnPassivate()
    {
        if (_fanout.Count == 0)
        {
            Context.Stop(Self);
            return;
        }
        // A subscribe overtook the idle report: stay, and let the registry route to us again.
        _idleReported = false;
        Context.Parent.Tell(new ChannelRegistry.ChannelResumed(_name));
    }
}
