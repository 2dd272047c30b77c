using Akka;
using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Configuration;
using NotifyActors.Connections;

namespace NotifyActors.Server.Operations;

/// <summary>
/// Graceful shutdown, however it starts: readiness goes false, every connection is closed with 1001, and the stop
/// waits (at most notify.shutdown.drain) until the last subscriber actor has stopped. On SIGTERM the drain runs on
/// ApplicationStopping, before Kestrel stops and before the actor system terminates. When the cluster starts the
/// shutdown (this node was told to leave, by notifyctl leave or another node, or was downed) the actor system's
/// CoordinatedShutdown runs it, in its first phase, before the node leaves and hands its channels off. Either way it
/// runs once: the second caller waits for the first one's drain.
/// </summary>
public sealed class ConnectionDrain(
    IHostApplicationLifetime lifetime,
    Readiness readiness,
    NotifySettings settings,
    ActorRegistry registry,
    ActorSystem system,
    ILogger<ConnectionDrain> log) : IHostedService
{
    private readonly Lazy<Task> _drain = new(() => Task.Run(() => DrainAsync(registry, readiness, settings, log)));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A service that never started (a busy port) has nothing to drain.
        lifetime.ApplicationStarted.Register(() =>
        {
            // ApplicationStopping callbacks run synchronously on the stopping thread: blocking here is what holds
            // Kestrel and the actor system until the sockets are closed.
            lifetime.ApplicationStopping.Register(() => _drain.Value.GetAwaiter().GetResult());
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "notify-drain",
                async () =>
                {
                    await _drain.Value;
                    return Done.Instance;
                });
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task DrainAsync(ActorRegistry registry, Readiness readiness, NotifySettings settings, ILogger log)
    {
        readiness.BeginDrain();
        if (!registry.TryGet<ConnectionsSupervisor>(out var connections))
            return;
        log.LogInformation("Draining: closing every connection with 1001 (at most {Drain})", settings.Drain);
        try
        {
            await connections.Ask<ConnectionsSupervisor.Drained>(ConnectionsSupervisor.Drain.Instance, settings.Drain);
            log.LogInformation("Drained: every subscriber actor has stopped and started its socket close");
        }
        catch (AskTimeoutException)
        {
            log.LogWarning("Drain time ({Drain}) passed with connections still open; they are aborted as the actor system stops", settings.Drain);
        }
    }
}
