using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen broadcast-hold`: one load process's share of a broadcast run, started by `loadgen cluster-broadcast`
/// (<see cref="HolderProcess"/>), one per node, so that each process stays under its own open-file limit. Connects
/// --n clients to --url, all subscribed to --channel, holds them and prints "ready {json}". Then it obeys its
/// standard input: "expect K" waits (bounded) until every held client has K publications (since it subscribed, or since
/// the last "measure", which starts the counts again) and prints "result {json}"; "quit" drops every connection and ends. The end of its input means the driver is gone: nobody will read what
/// this process measures, so it exits at once and its sockets go with it.
/// Latencies need no clock exchange with the driver: Stopwatch reads CLOCK_MONOTONIC, one clock for every process.
/// </summary>
internal static class BroadcastHolder
{
    public static async Task Run(Options o, IPEndPoint server, TimeSpan limit, Dictionary<string, object?> r)
    {
        var commands = Channel.CreateUnbounded<string>();
        var stdin = new Thread(() =>
        {
            while (Console.In.ReadLine() is { } line)
            {
                commands.Writer.TryWrite(line);
                if (line == "quit")
                    return;
            }
            Environment.Exit(3);
        }) { IsBackground = true, Name = "driver commands" };
        stdin.Start();

        var n = o.Int("n", 1000);
        var channel = o.Get("channel", "bcast");
        // A connect that failed (timed out on a saturated machine) is tried again, as a client would, up to twice.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var held = new List<WsClient>(n);
        var failed = 0;
        for (var attempt = 0; attempt < 3 && held.Count < n; attempt++)
        {
            var (clients, failures, _) = await Scenarios.ConnectManyAsync(server, n - held.Count, o.Int("inflight", 64), _ => channel, 512, limit);
            held.AddRange(clients.Where(c => c is not null).Select(c => c!));
            failed += failures;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var since = held.Select(c => c.LastOffset).ToArray();
        var group = new Group();
        using var cts = new CancellationTokenSource();
        var readers = held.Select(c => Scenarios.ReadAsync(c, _ => group, cts.Token)).ToList();
        r["held"] = held.Count;
        r["connect_failures"] = failed;
        Console.WriteLine("ready " + JsonSerializer.Serialize(new { held = held.Count, failed, seconds }));

        await foreach (var command in commands.Reader.ReadAllAsync())
        {
            if (command == "quit")
                break;
            if (command == "measure")
            {
                // Sent once every earlier publication arrived: counting starts again from here.
                group = new Group();
                since = [.. held.Select(c => c.LastOffset)];
                Console.WriteLine("measuring {}");
                continue;
            }
            if (!command.StartsWith("expect ", StringComparison.Ordinal))
                continue;
            var expected = long.Parse(command.AsSpan(7), CultureInfo.InvariantCulture);
            await Scenarios.WaitAsync(() => Interlocked.Read(ref group.Deliveries), expected * held.Count, TimeSpan.FromSeconds(10), limit);
            Console.WriteLine("result " + JsonSerializer.Serialize(new
            {
                held = held.Count,
                deliveries = Interlocked.Read(ref group.Deliveries),
                out_of_order = Interlocked.Read(ref group.OutOfOrder),
                complete = held.Where((c, i) => c.LastOffset - since[i] >= expected).Count(),
                still_open = held.Count(c => c.Ending == "open"),
                last_ticks = Volatile.Read(ref group.LastTicks),
                latency = group.Latency.Export(),
            }));
        }
        foreach (var c in held)
            c.Abort();
        cts.Cancel();
        await Task.WhenAll(readers);
    }
}
