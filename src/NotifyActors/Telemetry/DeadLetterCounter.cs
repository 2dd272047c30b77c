using Akka.Actor;
using Akka.Event;

namespace NotifyActors.Telemetry;

/// <summary>
/// Counts dead letters and dropped messages from the EventStream. Akka's own dead-letter logging
/// is switched off in configuration: a number on /metrics is what tells a leak from noise.
/// Suppressed dead letters (IDeadLetterSuppression, such as a reader's last frame after its
/// connection stopped) are expected and not counted.
/// </summary>
public sealed class DeadLetterCounter : ReceiveActor
{
    private readonly NotifyMetrics _metrics;

    public DeadLetterCounter(NotifyMetrics metrics)
    {
        _metrics = metrics;
        Receive<DeadLetter>(_ => _metrics.DeadLetter());
        Receive<Dropped>(_ => _metrics.DeadLetter());
    }

    public static Props Props(NotifyMetrics metrics) => Akka.Actor.Props.Create(() => new DeadLetterCounter(metrics));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        Context.System.EventStream.Subscribe(Self, typeof(Dropped));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
