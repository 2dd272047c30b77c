using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Implementation;
using Akka.Util;
using NotifyActors.Runtime;

namespace NotifyActors.Connections;

/// <summary>
/// What every connection's outbound stream shares, once per actor system: the materializer settings
/// (read from the configuration once, not per connection) and the stream names.
/// <see cref="ChildrenOf"/> gives a materializer whose stream actors become children of the given
/// actor. <c>Context.Materializer()</c> would put a StreamSupervisor actor of its own between the
/// subscriber and its stream actor: a third actor per connection, with its mailbox and cell, that
/// supervises nothing the subscriber does not already supervise.
/// </summary>
public sealed class OutboundStreams : IExtension
{
    private readonly ActorSystem _system;
    private readonly ActorMaterializerSettings _settings;
    // Never set: these materializers are not shut down; their streams stop with their owners.
    private readonly AtomicBoolean _shutDown = new();
    private readonly EnumerableActorName _names = EnumerableActorName.Create("outbound");

    private OutboundStreams(ActorSystem system)
    {
        _system = system;
        // Stream actors, one per connection, get the compact mailbox too.
        _settings = ActorMaterializerSettings.Create(system).WithDispatcher(CompactMailbox.Dispatcher);
    }

    /// <summary>The shared settings of <paramref name="system"/>, created on first use.</summary>
    public static OutboundStreams For(ActorSystem system) => system.WithExtension<OutboundStreams, Provider>();

    /// <summary>
    /// A materializer that attaches each stream actor to <paramref name="owner"/>'s children. Only the
    /// owner itself may use it (from its own PreStart or handlers), as with <c>Context.ActorOf</c>: the
    /// stream actor then stops with the owner, before the owner's PostStop, and fails to the owner's
    /// supervisor strategy.
    /// </summary>
    public IMaterializer ChildrenOf(IActorRef owner) =>
        new ActorMaterializerImpl(_system, _settings, _system.Dispatchers, owner, _shutDown, _names);

    /// <summary>Akka's factory for the extension.</summary>
    public sealed class Provider : ExtensionIdProvider<OutboundStreams>
    {
        public override OutboundStreams CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
