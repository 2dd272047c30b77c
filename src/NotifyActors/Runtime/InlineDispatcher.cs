using Akka.Dispatch;

namespace NotifyActors.Runtime;

/// <summary>
/// Runs an actor's mailbox on the thread that sent it the message, instead of queueing a
/// thread-pool work item. The connections' stream actors run here (akka.actor.outbound-dispatcher):
/// their subscriber hands a frame to the stream and wakes it, and the stream writes the frame to
/// the socket in the same turn. On the default dispatcher every delivery cost two thread-pool hops
/// (the subscriber's mailbox run, then the stream actor's); this makes it one, like a plain writer
/// loop. It is safe for actors that never block: a mailbox still runs on one thread at a time (a
/// message sent while it runs elsewhere is queued and processed by that run), and a stream
/// actor only hands frames to the socket's non-blocking send and registers a continuation when the
/// send is pending. Whoever sends runs the actor: the subscriber (frames, stop), the socket's
/// write completion (a thread-pool thread) and the write-timeout timer (the scheduler's thread).
/// </summary>
public sealed class InlineDispatcher(MessageDispatcherConfigurator configurator) : MessageDispatcher(configurator)
{
    protected override void ExecuteTask(IRunnable run) => run.Run();

    protected override void Shutdown()
    {
        // Nothing of its own to stop: it has no threads.
    }
}
