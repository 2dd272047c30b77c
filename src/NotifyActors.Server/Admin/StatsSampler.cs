using NotifyActors.Telemetry;

namespace NotifyActors.Server.Admin;

/// <summary>Feeds <see cref="StatsHistory"/> once a second; a hosted service, so the host starts and stops it.</summary>
public sealed class StatsSampler(StatsHistory history, NotifyMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(StatsHistory.Interval);
        do
        {
            history.Sample(metrics, GC.GetTotalMemory(forceFullCollection: false), DateTimeOffset.UtcNow);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
