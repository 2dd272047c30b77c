using Akka.Actor;
using Akka.Cluster;
using NotifyActors.Telemetry;

namespace NotifyActors.Server.Operations;

/// <summary>
/// /healthz: the process is alive and serving; "Degraded: reason" (still 200: restarting would
/// not help an operator find the leak) while the leak watchdog suspects a leak.
/// /readyz: it takes new connections: only while this node is an Up cluster member (a cluster of one included),
/// and not while draining; 503 otherwise, with the reason.
/// </summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", (NotifyMetrics metrics) => metrics.LeakReason is { } reason
            ? Results.Text($"Degraded: {reason}")
            : Results.Text("Healthy"));
        app.MapGet("/readyz", (Readiness readiness, ActorSystem system) =>
        {
            if (!readiness.IsReady)
                return Results.Text("Draining", statusCode: StatusCodes.Status503ServiceUnavailable);
            var status = Akka.Cluster.Cluster.Get(system).SelfMember.Status;
            return status == MemberStatus.Up
                ? Results.Text("Ready")
                : Results.Text($"Not an Up cluster member ({status})", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
