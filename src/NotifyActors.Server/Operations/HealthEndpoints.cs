using NotifyActors.Telemetry;

namespace NotifyActors.Server.Operations;

/// <summary>
/// /healthz: the process is alive and serving; "Degraded: reason" (still 200: restarting would
/// not help an operator find the leak) while the leak watchdog suspects a leak.
/// /readyz: it takes new connections; 503 while draining.
/// </summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", (NotifyMetrics metrics) => metrics.LeakReason is { } reason
            ? Results.Text($"Degraded: {reason}")
            : Results.Text("Healthy"));
        app.MapGet("/readyz", (Readiness readiness) => readiness.IsReady
            ? Results.Text("Ready")
            : Results.Text("Draining", statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
