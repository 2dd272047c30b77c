using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace NotifyActors.Cli;

/// <summary>
/// The commands that keep running until Ctrl-C: <c>top</c> (a live view of the stats, with rates from
/// consecutive samples) and <c>deadletters --follow</c>. A hidden <c>--iterations</c> option stops
/// them after that many refreshes, for tests and scripts.
/// </summary>
internal static class LiveCommands
{
    public static Option<int> Iterations() => new("--iterations")
    {
        Description = "Stop after this many refreshes (0: until Ctrl-C)",
        Hidden = true,
        DefaultValueFactory = _ => 0,
    };

    public static Option<double> Interval() => new("--interval")
    {
        Description = "Seconds between refreshes",
        DefaultValueFactory = _ => 1.0,
    };

    /// <summary>Runs <paramref name="step"/> every interval until cancelled or the iterations are done.</summary>
    public static async Task LoopAsync(double intervalSeconds, int iterations, Func<Task> step, CancellationToken cancellationToken)
    {
        if (intervalSeconds <= 0 || double.IsNaN(intervalSeconds) || double.IsInfinity(intervalSeconds))
            throw new CtlException("--interval must be a positive number of seconds");
        var interval = TimeSpan.FromSeconds(intervalSeconds);
        for (var done = 0; iterations == 0 || done < iterations; done++)
        {
            if (done > 0)
            {
                try
                {
                    await Task.Delay(interval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (cancellationToken.IsCancellationRequested)
                return;
            await step();
        }
    }

    /// <summary>The figures of <c>top</c>: the latest sample with per-second rates against the previous one.</summary>
    public static Table TopView(Uri server, JsonElement stats, JsonElement? previous)
    {
        double? Rate(string name)
        {
            if (previous is not { } before)
                return null;
            var seconds = stats.GetProperty("uptime_seconds").GetDouble() - before.GetProperty("uptime_seconds").GetDouble();
            return seconds <= 0 ? null : (stats.GetProperty(name).GetInt64() - before.GetProperty(name).GetInt64()) / seconds;
        }

        static string Show(double? rate) => rate is { } value ? value.ToString("0.#", CultureInfo.InvariantCulture) : "…";
        static string Number(JsonElement stats, string name) => stats.GetProperty(name).GetInt64().ToString("N0", CultureInfo.InvariantCulture);

        var table = new Table().Title(Markup.Escape($"notifyctl top: {server}")).AddColumn("").AddColumn(new TableColumn("now").RightAligned());
        table.AddRow("connections", Number(stats, "connections"));
        table.AddRow("subscriber actors", Number(stats, "subscriber_actors"));
        table.AddRow("channels", Number(stats, "channels"));
        table.AddRow("outbound queue (frames)", Number(stats, "outbound_queue_depth"));
        table.AddRow("publications/s", Show(Rate("publications_total")));
        table.AddRow("deliveries/s", Show(Rate("deliveries_total")));
        table.AddRow("dead letters/s", Show(Rate("dead_letters_total")));
        table.AddRow("slow-consumer closes", Number(stats, "slow_consumer_disconnects_total"));
        table.AddRow("heartbeat closes", Number(stats, "heartbeat_timeouts_total"));
        var heap = stats.GetProperty("gc_heap_bytes").GetInt64() / (1024.0 * 1024.0);
        table.AddRow("GC heap", heap.ToString("0.0", CultureInfo.InvariantCulture) + " MiB");
        table.AddRow("uptime", TimeSpan.FromSeconds(Math.Floor(stats.GetProperty("uptime_seconds").GetDouble())).ToString("c", CultureInfo.InvariantCulture));
        var leak = stats.GetProperty("leak_suspected").GetBoolean();
        table.AddRow("leak watchdog", leak
            ? $"[red]SUSPECTED[/]: {Markup.Escape(stats.GetProperty("leak_reason").GetString() ?? "")}"
            : "[green]ok[/]");
        table.Caption("Ctrl-C to quit");
        return table;
    }
}
