using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Implementation;
using Akka.Streams.Implementation.Fusing;
using Akka.Util;
using NotifyActors.Runtime;

namespace NotifyActors.Connections;

/// <summary>
/// What every connection's outbound stream shares, once per actor system: the materializer settings
/// (read from the configuration once, not per connection) and the stream names.
/// <see cref="RunAsChild{TMat}"/> runs a graph in one stream actor that is a child of the calling
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
    /// Runs <paramref name="graph"/> in one stream actor created as <paramref name="owner"/>'s child
    /// named <paramref name="name"/>; call it from the owner itself (its PreStart or a handler), as
    /// with <c>Context.ActorOf</c>. The stream actor then stops with the owner, before the owner's
    /// PostStop, and its failures go to the owner's supervisor strategy.
    /// </summary>
    public TMat RunAsChild<TMat>(IGraph<ClosedShape, TMat> graph, IActorContext owner, string name)
    {
        var materializer = new ActorMaterializerImpl(_system, _settings, _system.Dispatchers, owner.Self, _shutDown, _names);
        // The stream actor's Props are built here, not by the materializer, so that it is constructed
        // directly (see DirectProducer) and gets the compact mailbox.
        return materializer.Materialize(graph, shell => owner.ActorOf(
            DirectProducer<ActorGraphInterpreter>.Props(() => new ActorGraphInterpreter(shell))
                .WithDeploy(Deploy.Local).WithDispatcher(CompactMailbox.Dispatcher),
            name));
    }

    /// <summary>Akka's factory for the extension.</summary>
    public sealed class Provider : ExtensionIdProvider<OutboundStreams>
    {
        public override OutboundStreams CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
