namespace NotifyActors.Server.Operations;

/// <summary>/healthz (the process is alive and serving) and /readyz (it takes new connections; not while draining).</summary>
public static class HealthEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("Healthy"));
        app.MapGet("/readyz", (Readiness readiness) => readiness.IsReady
            ? Results.Text("Ready")
            : Results.Text("Draining", statusCode: StatusCodes.Status503ServiceUnavailable));
    }
}
