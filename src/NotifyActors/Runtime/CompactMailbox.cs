using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace NotifyActors.Runtime;

/// <summary>
/// The mailbox of the actors that exist once per connection or channel (akka.actor.connection-dispatcher
/// and akka.actor.outbound-dispatcher):
/// a <see cref="CompactMessageQueue"/> instead of Akka's default ConcurrentQueue, whose first segment
/// alone (32 slots) costs about 1 KiB per actor before any message arrives.
/// </summary>
public sealed class CompactMailbox(Settings settings, Config config)
    : MailboxType(settings, config), IProducesMessageQueue<CompactMessageQueue>
{
    /// <summary>The dispatcher (hocon/notify.hocon) of the subscribers and channels, with this mailbox.</summary>
    public const string Dispatcher = "akka.actor.connection-dispatcher";

    /// <summary>The dispatcher of the connections' stream actors (<see cref="InlineDispatcher"/>), with this mailbox too.</summary>
    public const string OutboundDispatcher = "akka.actor.outbound-dispatcher";

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new CompactMessageQueue();
}
