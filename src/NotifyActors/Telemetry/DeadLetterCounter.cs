using Akka.Actor;
using Akka.Event;

namespace NotifyActors.Telemetry;

/// <summary>
/// Counts dead letters and dropped messages from the EventStream. Akka's own dead-letter logging
/// is switched off in configuration: a number on /metrics is what tells a leak from noise.
/// Suppressed dead letters (IDeadLetterSuppression, such as a reader's last frame after its
/// connection stopped) are expected and not counted. The most recent ones are kept in a
/// <see cref="DeadLetterRing"/> for GET /admin/deadletters.
/// </summary>
public sealed class DeadLetterCounter : ReceiveActor
{
    private readonly NotifyMetrics _metrics;
    private readonly DeadLetterRing _recent;

    public DeadLetterCounter(NotifyMetrics metrics, DeadLetterRing recent)
    {
        _metrics = metrics;
        _recent = recent;
        Receive<DeadLetter>(Record);
        Receive<Dropped>(Record);
    }

    public static Props Props(NotifyMetrics metrics, DeadLetterRing recent) =>
        Akka.Actor.Props.Create(() => new DeadLetterCounter(metrics, recent));

    private void Record(AllDeadLetters letter)
    {
        _metrics.DeadLetter();
        _recent.Add(new DeadLetterEntry(
            DateTimeOffset.UtcNow,
            letter.Sender is null || letter.Sender.IsNobody() ? "" : letter.Sender.Path.ToString(),
            letter.Recipient?.Path.ToString() ?? "",
            letter.Message?.GetType().FullName ?? "null"));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        Context.System.EventStream.Subscribe(Self, typeof(Dropped));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
