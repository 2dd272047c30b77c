using Akka.Actor;
using Akka.Hosting;
using NotifyActors.Configuration;
using NotifyActors.Connections;

namespace NotifyActors.Server.Operations;

/// <summary>
/// Graceful shutdown. On ApplicationStopping, before Kestrel stops and before the actor system
/// terminates: readiness goes false, every connection is closed with 1001, and the stop waits
/// (at most notify.shutdown.drain) until the last subscriber actor has stopped.
/// </summary>
public sealed class ConnectionDrain(
    IHostApplicationLifetime lifetime,
    Readiness readiness,
    NotifySettings settings,
    ActorRegistry registry,
    ILogger<ConnectionDrain> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A service that never started (a busy port) has nothing to drain.
        lifetime.ApplicationStarted.Register(() => lifetime.ApplicationStopping.Register(Drain));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Drain()
    {
        readiness.BeginDrain();
        if (!registry.TryGet<ConnectionsSupervisor>(out var connections))
            return;
        log.LogInformation("Draining: closing every connection with 1001 (at most {Drain})", settings.Drain);
        try
        {
            // ApplicationStopping callbacks run synchronously on the stopping thread: blocking here
            // is what holds Kestrel and the actor system until the sockets are closed.
            connections.Ask<ConnectionsSupervisor.Drained>(ConnectionsSupervisor.Drain.Instance, settings.Drain)
                .GetAwaiter().GetResult();
            log.LogInformation("Drained: every subscriber actor has stopped and started its socket close");
        }
        catch (AskTimeoutException)
        {
            log.LogWarning("Drain time ({Drain}) passed with connections still open; they are aborted as the actor system stops", settings.Drain);
        }
    }
}
