using Akka.Actor;
using Akka.Persistence;

namespace NotifyActors.Server.Persistence;

/// <summary>
/// Recovers a persistence id that no channel can have (a channel name has no '/') and stops. The store's
/// first recovery compiles its queries (snapshot load, highest sequence number, replay), which takes far
/// longer than the recovery itself; done here at start, it is not the first channel's subscriber or
/// publisher that waits for it. Started by <see cref="ChannelStore.Start"/>; it stops itself.
/// </summary>
public sealed class StoreWarmup : UntypedPersistentActor
{
    public override string PersistenceId => "/notify/store-warmup";

    public static Props Props() => Akka.Actor.Props.Create(() => new StoreWarmup());

    protected override void OnRecover(object message)
    {
        if (message is RecoveryCompleted)
            Context.Stop(Self);
    }

    protected override void OnCommand(object message) => Unhandled(message);
}
