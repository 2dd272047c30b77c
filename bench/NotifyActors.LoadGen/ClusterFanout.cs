using System.Diagnostics;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen cluster-fanout`: --subscribers clients on one channel, split evenly over the nodes of --urls (one node
/// for the baseline, the nodes of a cluster otherwise), all read by this process. After --warmup publications (not
/// counted) and once the nodes' CPU has settled, --messages go through POST /api/publish at full speed (--pub-inflight
/// in flight), then --paced-messages at --rate/s; publication n goes through node n mod the nodes' count, so that in a
/// cluster half of them are made on a node that does not own the channel, and each one crosses between the nodes.
/// Records deliveries/s, latency (publish call to frame), loss and order, and the CPU the server processes used per
/// delivery at full speed.
/// </summary>
internal static class ClusterFanout
{
    private const string Channel = "xfan";

    public static async Task Run(Options o, ClusterNodes nodes, HttpClient http, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var total = o.Int("subscribers", 4000);
        var messages = o.Int("messages", 100);
        var pubInflight = o.Int("pub-inflight", 8);
        var payload = o.Int("payload", 64);
        r["rep"] = o.Int("rep", 1);
        r["nodes"] = nodes.Count;
        r["cluster_members"] = string.Join(",", await nodes.MetricAsync("notify_cluster_members"));

        var connects = Enumerable.Range(0, nodes.Count).Select(i =>
            Scenarios.ConnectManyAsync(nodes.Endpoint(i), Share(total, nodes.Count, i), o.Int("inflight", 64), _ => Channel, 1024, limit));
        var connected = await Task.WhenAll(connects);
        var subs = connected.SelectMany(c => c.Clients).Where(c => c is not null).Select(c => c!).ToList();
        r["subscribers"] = subs.Count;
        r["subscribers_per_node"] = string.Join(",", connected.Select(c => c.Clients.Count(x => x is not null)));
        r["connect_failures"] = connected.Sum(c => c.Failed);

        Group current = new();
        using var cts = new CancellationTokenSource();
        var readers = subs.Select(c => Scenarios.ReadAsync(c, _ => current, cts.Token)).ToList();

        await PhaseAsync(o.Int("warmup", 50), 0);
        var (settled, idleCores) = await nodes.SettleCpuAsync(o.Double("idle-cores-per-node", 0.07), TimeSpan.FromSeconds(o.Int("settle", 3)), TimeSpan.FromSeconds(o.Int("settle-limit", 60)));
        r["settle_s"] = settled;
        r["idle_server_cores"] = idleCores;
        var machine = ProcStat.MachineTicks();
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var wall = Stopwatch.StartNew();
        var cpuBefore = nodes.CpuSeconds();
        var full = await PhaseAsync(messages, 0);
        var cpu = nodes.CpuSeconds() - cpuBefore;
        var machineAfter = ProcStat.MachineTicks();
        // Where the machine's time went during the full-speed phase (see ClusterBroadcast).
        var (busy, softirq, steal) = machineAfter.CoresSince(machine);
        r["softirq_cores"] = Math.Round(softirq, 2);
        r["steal_cores"] = Math.Round(steal, 2);
        var loadgen = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - self;
        r["machine_busy_cores"] = Math.Round(busy, 2);
        r["server_cores"] = Math.Round(cpu / wall.Elapsed.TotalSeconds, 2);
        r["loadgen_cores"] = Math.Round(loadgen / wall.Elapsed.TotalSeconds, 2);
        r["other_cores"] = Math.Round(Math.Max(0, busy - (cpu + loadgen) / wall.Elapsed.TotalSeconds), 2);
        foreach (var (key, value) in full)
            r[key] = value;
        r["server_cpu_s"] = Math.Round(cpu, 2);
        r["cpu_us_per_delivery"] = full["deliveries"] is long d && d > 0 ? Math.Round(cpu * 1e6 / d, 2) : 0;
        // A latency that is not the drain time of a burst: publications paced well below what one node delivers.
        var paced = await PhaseAsync(o.Int("paced-messages", 80), o.Double("rate", 8));
        foreach (var key in new[] { "published", "publish_failures", "deliveries", "deliveries_per_s", "lost", "out_of_order", "p50_ms", "p99_ms", "max_ms" })
            r["paced_" + key] = paced[key];
        r["paced_rate"] = o.Double("rate", 8);
        r["server_rss_kib"] = string.Join(",", nodes.RssKiB());
        r["cluster_members_after"] = string.Join(",", await nodes.MetricAsync("notify_cluster_members"));
        r["cluster_unreachable_after"] = string.Join(",", await nodes.MetricAsync("notify_cluster_unreachable"));
        r["still_open"] = subs.Count(c => c.Ending == "open");
        foreach (var c in subs)
            c.Abort();
        cts.Cancel();
        await Task.WhenAll(readers);

        async Task<Dictionary<string, object?>> PhaseAsync(int count, double rate)
        {
            var group = current = new Group();
            var publisher = new Publisher(http, nodes.Urls, apiKey);
            await publisher.RunAsync(Channel, count, rate, rate > 0 ? 16 : pubInflight, payload, limit);
            var expected = publisher.Ok * subs.Count;
            await Scenarios.WaitAsync(() => Interlocked.Read(ref group.Deliveries), expected, TimeSpan.FromSeconds(5), limit);
            var delivered = Interlocked.Read(ref group.Deliveries);
            var elapsed = (Volatile.Read(ref group.LastTicks) - publisher.FirstTicks) / (double)Stopwatch.Frequency;
            return new Dictionary<string, object?>
            {
                ["published"] = publisher.Ok,
                ["publish_failures"] = publisher.Failed,
                ["deliveries"] = delivered,
                ["deliveries_per_s"] = elapsed > 0 ? Math.Round(delivered / elapsed) : 0,
                ["lost"] = Math.Max(0, expected - (delivered - group.OutOfOrder)),
                ["out_of_order"] = group.OutOfOrder,
                ["p50_ms"] = group.Latency.PercentileMs(50),
                ["p99_ms"] = group.Latency.PercentileMs(99),
                ["max_ms"] = group.Latency.MaxMs,
            };
        }
    }

    /// <summary>Node <paramref name="node"/>'s part of <paramref name="total"/> split over <paramref name="nodes"/> (the first ones take the remainder).</summary>
    internal static int Share(int total, int nodes, int node) => total / nodes + (node < total % nodes ? 1 : 0);
}
