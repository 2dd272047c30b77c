using Akka.Actor;

namespace NotifyActors.Runtime;

/// <summary>
/// Creates an actor by calling a constructor directly. The actors created per connection or per
/// channel use it: <c>Props.Create(typeof(T), args)</c> constructs through reflection, whose emitted
/// invoke stubs are thrown away with the type's reflection cache at each GC and emitted, compiled
/// and finalized again (a profile of 20,000 connections showed a fifth of the CPU in their
/// finalizers); an expression <c>Props.Create(() => new T(...))</c> compiles code per actor.
/// </summary>
public sealed class DirectProducer<TActor>(Func<TActor> create) : IIndirectActorProducer
    where TActor : ActorBase
{
    public Type ActorType => typeof(TActor);

    public ActorBase Produce() => create();

    public void Release(ActorBase actor)
    {
        // Nothing to give back: the actor holds no resource the producer lent it.
    }

    /// <summary>Props that create the actor with <paramref name="create"/>.</summary>
    public static Props Props(Func<TActor> create) => Akka.Actor.Props.CreateBy(new DirectProducer<TActor>(create));
}
