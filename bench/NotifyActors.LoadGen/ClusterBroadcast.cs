using System.Diagnostics;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen cluster-broadcast`: --n connections split evenly over the nodes of --urls (one node for the baseline, the
/// nodes of a cluster otherwise), all subscribed to one channel and held by one `broadcast-hold` process per node
/// (each under its own 20,000 open files). Once every holder is ready, --warmup broadcasts (not counted) have reached
/// every connection and the nodes' CPU has settled (at least --settle seconds), --messages publications go out through POST /api/publish one after the other at full speed, publication n through node
/// n mod the nodes' count: each one a broadcast to every connection. Records what was held (per node, with each node's
/// RSS), loss (every connection must get every publication), deliveries/s, latency (publish call to frame) and the
/// CPU every server process used per delivery from the first publish until the holders have seen the last delivery.
/// </summary>
internal static class ClusterBroadcast
{
    private const string Channel = "bcast";

    // The most one holder process opens: its open-file limit (20,000) less what the runtime and its HTTP client hold.
    private const int MaxPerHolder = 19_500;

    private static double LoadGenSeconds(List<HolderProcess> holders) =>
        holders.Sum(h => h.CpuSeconds()) + Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public static async Task Run(Options o, ClusterNodes nodes, HttpClient http, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var total = o.Int("n", 100_000);
        var messages = o.Int("messages", 10);
        var shares = Enumerable.Range(0, nodes.Count).Select(i => ClusterFanout.Share(total, nodes.Count, i)).ToArray();
        r["rep"] = o.Int("rep", 1);
        r["nodes"] = nodes.Count;
        r["connections_asked"] = total;
        if (shares.Max() > MaxPerHolder)
            throw new ArgumentException($"{shares.Max()} connections for one node's holder process: at most {MaxPerHolder} fit its open-file limit");
        r["cluster_members"] = string.Join(",", await nodes.MetricAsync("notify_cluster_members"));
        var rssBefore = nodes.RssKiB();

        var holders = new List<HolderProcess>();
        try
        {
            for (var i = 0; i < nodes.Count; i++)
                holders.Add(HolderProcess.Start(nodes.Urls[i], shares[i], Channel, limit));
            var ready = await Task.WhenAll(holders.Select(h => h.ReadAsync("ready", limit + TimeSpan.FromSeconds(30))));
            var heldPerNode = ready.Select(j => j.GetProperty("held").GetInt32()).ToArray();
            var held = heldPerNode.Sum();
            var connectSeconds = ready.Max(j => j.GetProperty("seconds").GetDouble());
            r["connections_held"] = held;
            r["held_per_node"] = string.Join(",", heldPerNode);
            r["connect_failures"] = ready.Sum(j => j.GetProperty("failed").GetInt32());
            r["connect_s"] = Math.Round(connectSeconds, 1);
            r["connect_subscribe_per_s"] = connectSeconds > 0 ? Math.Round(held / connectSeconds) : 0;

            // Warm-up broadcasts (not counted), so that the measured ones do not pay each process's first deliveries
            // (JIT, pools, socket buffers); then the nodes settle (connecting and the warm-up leave work behind).
            var warmup = o.Int("warmup", 5);
            var warmPublisher = new Publisher(http, nodes.Urls, apiKey);
            await warmPublisher.RunAsync(Channel, warmup, 0, 1, o.Int("payload", 64), limit);
            foreach (var h in holders)
                await h.SendAsync($"expect {warmPublisher.Ok}");
            var warm = await Task.WhenAll(holders.Select(h => h.ReadAsync("result", limit + TimeSpan.FromSeconds(30))));
            r["warmup_published"] = warmPublisher.Ok;
            r["warmup_lost"] = warmPublisher.Ok * held - warm.Sum(j => j.GetProperty("deliveries").GetInt64() - j.GetProperty("out_of_order").GetInt64());
            foreach (var h in holders)
            {
                await h.SendAsync("measure");
                await h.ReadAsync("measuring", TimeSpan.FromSeconds(30));
            }
            var (settled, idleCores) = await nodes.SettleCpuAsync(o.Double("idle-cores-per-node", 0.07), TimeSpan.FromSeconds(o.Int("settle", 5)), TimeSpan.FromSeconds(o.Int("settle-limit", 150)));
            r["settle_s"] = settled;
            r["idle_server_cores"] = idleCores;
            var rssHeld = nodes.RssKiB();
            r["server_notify_connections"] = string.Join(",", await nodes.MetricAsync("notify_connections"));
            r["server_rss_before_kib"] = string.Join(",", rssBefore);
            r["server_rss_held_kib"] = string.Join(",", rssHeld);
            r["server_rss_max_node_mib"] = Math.Round(rssHeld.Max() / 1024.0);
            r["server_rss_total_mib"] = Math.Round(rssHeld.Sum() / 1024.0);
            r["rss_per_connection_kib"] = held > 0 ? Math.Round((rssHeld.Sum() - rssBefore.Sum()) / (double)held, 2) : 0;

            var machine = ProcStat.MachineTicks();
            var loadgenBefore = LoadGenSeconds(holders);
            var window = Stopwatch.StartNew();
            var cpuBefore = nodes.CpuSeconds();
            var publisher = new Publisher(http, nodes.Urls, apiKey);
            await publisher.RunAsync(Channel, messages, 0, 1, o.Int("payload", 64), limit);
            foreach (var h in holders)
                await h.SendAsync($"expect {publisher.Ok}");
            var results = await Task.WhenAll(holders.Select(h => h.ReadAsync("result", limit + TimeSpan.FromSeconds(30))));
            var cpu = nodes.CpuSeconds() - cpuBefore;
            var machineAfter = ProcStat.MachineTicks();
            var loadgen = LoadGenSeconds(holders) - loadgenBefore;
            var wall = window.Elapsed.TotalSeconds;

            var latency = new Histogram();
            foreach (var j in results)
                latency.Merge(JsonSerializer.Deserialize<long[]>(j.GetProperty("latency"))!);
            var delivered = results.Sum(j => j.GetProperty("deliveries").GetInt64());
            var outOfOrder = results.Sum(j => j.GetProperty("out_of_order").GetInt64());
            var last = results.Max(j => j.GetProperty("last_ticks").GetInt64());
            var elapsed = (last - publisher.FirstTicks) / (double)Stopwatch.Frequency;
            var expected = publisher.Ok * held;
            r["published"] = publisher.Ok;
            r["publish_failures"] = publisher.Failed;
            r["deliveries_expected"] = expected;
            r["deliveries"] = delivered;
            r["lost"] = Math.Max(0, expected - (delivered - outOfOrder));
            r["out_of_order"] = outOfOrder;
            r["connections_with_every_publication"] = results.Sum(j => j.GetProperty("complete").GetInt32());
            r["still_open"] = results.Sum(j => j.GetProperty("still_open").GetInt32());
            r["broadcast_window_s"] = Math.Round(elapsed, 2);
            r["deliveries_per_s"] = elapsed > 0 ? Math.Round(delivered / elapsed) : 0;
            r["p50_ms"] = latency.PercentileMs(50);
            r["p99_ms"] = latency.PercentileMs(99);
            r["max_ms"] = latency.MaxMs;
            r["server_cpu_s"] = Math.Round(cpu, 2);
            r["cpu_us_per_delivery"] = delivered > 0 ? Math.Round(cpu * 1e6 / delivered, 2) : 0;
            // What is left once the nodes' CPU with nothing to deliver (the settle's last window) is taken out of the window.
            r["cpu_us_per_delivery_less_idle"] = delivered > 0 ? Math.Round(Math.Max(0, cpu - idleCores * elapsed) * 1e6 / delivered, 2) : 0;
            // Where the machine's time went meanwhile: near 2 busy cores means the figures are CPU-bound, and what neither
            // the servers nor the load processes used is the kernel's and other work's on the machine.
            var (busy, softirq, steal) = machineAfter.CoresSince(machine);
            r["machine_busy_cores"] = Math.Round(busy, 2);
            r["softirq_cores"] = Math.Round(softirq, 2);
            r["steal_cores"] = Math.Round(steal, 2);
            r["server_cores"] = Math.Round(cpu / wall, 2);
            r["loadgen_cores"] = Math.Round(loadgen / wall, 2);
            r["other_cores"] = Math.Round(Math.Max(0, busy - (cpu + loadgen) / wall), 2);
            r["cluster_members_after"] = string.Join(",", await nodes.MetricAsync("notify_cluster_members"));
            r["cluster_unreachable_after"] = string.Join(",", await nodes.MetricAsync("notify_cluster_unreachable"));
        }
        finally
        {
            foreach (var h in holders)
                await h.DisposeAsync();
        }
    }
}
