using System.Collections.Concurrent;
using Akka.Actor;

namespace NotifyActors.Runtime;

/// <summary>
/// Props for the actors created per connection or per channel: the actor is made by calling its
/// constructor directly, and every Props of one actor type and dispatcher shares one Deploy.
/// <c>Props.Create(typeof(T), args)</c> constructs through reflection, whose emitted invoke stubs are
/// thrown away with the type's reflection cache at each GC and emitted, compiled and finalized again
/// (a profile of 20,000 connections showed a fifth of the CPU in their finalizers); an expression
/// <c>Props.Create(() => new T(...))</c> compiles code per actor. And <c>WithDispatcher</c> or
/// <c>WithDeploy</c> builds a new Deploy each time, whose constructor parses an empty HOCON
/// document: a few KiB of garbage and a parse per actor, on the connect path.
/// </summary>
public sealed class DirectProps<TActor> : Props
    where TActor : ActorBase
{
    // One prototype per dispatcher (there are two): its Deploy is built once and shared.
    private static readonly ConcurrentDictionary<string, Props> Prototypes = new(StringComparer.Ordinal);

    private readonly Func<TActor> _create;

    private DirectProps(Props prototype, Func<TActor> create) : base(prototype) => _create = create;

    /// <summary>Props that create the actor with <paramref name="create"/>, local, on <paramref name="dispatcher"/>.</summary>
    public static Props Create(Func<TActor> create, string dispatcher) =>
        new DirectProps<TActor>(Prototypes.GetOrAdd(dispatcher, Prototype), create);

    public override ActorBase NewActor() => _create();

    // Akka copies Props to change them (WithDispatcher and the like); a copy keeps the constructor call.
    protected override Props Copy() => new DirectProps<TActor>(this, _create);

    private static Props Prototype(string dispatcher) =>
        CreateBy(new ActorTypeOnly()).WithDeploy(Deploy.Local).WithDispatcher(dispatcher);

    /// <summary>Names the actor type for the prototype; actors are made by <see cref="NewActor"/>, never by this.</summary>
    private sealed class ActorTypeOnly : IIndirectActorProducer
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => throw new InvalidOperationException($"{typeof(TActor).Name} is created by its DirectProps");

        public void Release(ActorBase actor)
        {
            // Nothing to give back: the actor holds no resource a producer lent it.
        }
    }
}
