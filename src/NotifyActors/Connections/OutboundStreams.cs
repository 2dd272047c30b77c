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
        // Stream actors, one per connection, get the compact mailbox too, and run inline (InlineDispatcher).
        _settings = ActorMaterializerSettings.Create(system).WithDispatcher(CompactMailbox.OutboundDispatcher);
    }

    /// <summary>The shared settings of <paramref name="system"/>, created on first use.</summary>
    public static OutboundStreams For(ActorSystem system) => system.WithExtension<OutboundStreams, Provider>();

    /// <summary>
    /// Runs <paramref name="graph"/> (fused: one interpreter) in one stream actor created as
    /// <paramref name="owner"/>'s child named <paramref name="name"/>; call it from the owner itself
    /// (its PreStart or a handler), as with <c>Context.ActorOf</c>. The stream actor then stops with
    /// the owner, before the owner's PostStop, and its failures go to the owner's supervisor strategy.
    /// Returns the materialized value with the stream actor and the interpreter shell it runs.
    /// </summary>
    internal (TMat Materialized, IActorRef StreamActor, GraphInterpreterShell Shell) RunAsChild<TMat>(IGraph<ClosedShape, TMat> graph, IActorContext owner, string name)
    {
        var materializer = new ActorMaterializerImpl(_system, _settings, _system.Dispatchers, owner.Self, _shutDown, _names);
        GraphInterpreterShell? started = null;
        IActorRef streamActor = ActorRefs.Nobody;
        // The stream actor's Props are built here, not by the materializer, so that it is constructed
        // directly (see DirectProps) and gets the outbound dispatcher and the compact mailbox.
        var materialized = materializer.Materialize(graph, shell =>
        {
            started = shell;
            return streamActor = owner.ActorOf(
                DirectProps<ActorGraphInterpreter>.Create(() => new ActorGraphInterpreter(shell), CompactMailbox.OutboundDispatcher),
                name);
        });
        return (materialized, streamActor, started ?? throw new InvalidOperationException("the graph was materialized without an interpreter"));
    }

    /// <summary>Akka's factory for the extension.</summary>
    public sealed class Provider : ExtensionIdProvider<OutboundStreams>
    {
        public override OutboundStreams CreateExtension(ExtendedActorSystem system) => new(system);
    }
}
