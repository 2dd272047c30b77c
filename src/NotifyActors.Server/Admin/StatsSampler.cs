using NotifyActors.Telemetry;

namespace NotifyActors.Server.Admin;

/// <summary>
/// Feeds <see cref="StatsHistory"/> once a second; a hosted service, so the host starts it and stops it
/// (the timer's wait ends in a cancellation at shutdown, which the host expects from a background service).
/// </summary>
public sealed class StatsSampler(StatsHistory history, NotifyMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(StatsHistory.Interval);
        do
        {
            history.Sample(metrics, GC.GetTotalMemory(forceFullCollection: false), DateTimeOffset.UtcNow);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
