using System.Globalization;
using System.Text;
using Figure = NotifyActors.LoadGen.RatioReport.Figure;
using Kind = NotifyActors.LoadGen.RatioReport.Kind;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen cluster-report`: reads the JSON lines bench/run.sh cluster saved (cluster-SCENARIO-TARGET-REP.json, target
/// single or cluster), prints the table of the cluster against the one node of the same repetition with each run's
/// ratio and the issue's targets, and writes it to --results/summary.md.
/// </summary>
internal static class ClusterReport
{
    private static readonly Figure[] Figures =
    [
        new("fanout", "subscribers", "fan-out: subscribers (cluster: 2 nodes x half)", Kind.Info, 0, ""),
        new("fanout", "deliveries_per_s", "fan-out: deliveries/s at full speed", Kind.Ratio, 0.8, ">= 0.8x one node"),
        new("fanout", "p50_ms", "fan-out: p50 ms at full speed (publish call to frame: the burst's drain)", Kind.Info, 0, ""),
        new("fanout", "p99_ms", "fan-out: p99 ms at full speed", Kind.Info, 0, ""),
        new("fanout", "paced_deliveries_per_s", "fan-out paced (8 publications/s): deliveries/s", Kind.Info, 0, ""),
        new("fanout", "paced_p50_ms", "fan-out paced: p50 ms", Kind.Info, 0, ""),
        new("fanout", "paced_p99_ms", "fan-out paced: p99 ms", Kind.Info, 0, ""),
        new("fanout", "cpu_us_per_delivery", "fan-out: server CPU µs per delivery", Kind.Info, 0, ""),
        new("fanout", "machine_busy_cores", "fan-out: machine busy cores at full speed", Kind.Info, 0, ""),
        new("fanout", "server_cores", "fan-out: of which the server processes", Kind.Info, 0, ""),
        new("fanout", "loadgen_cores", "fan-out: of which the load process", Kind.Info, 0, ""),
        new("fanout", "other_cores", "fan-out: of which neither", Kind.Info, 0, ""),
        new("fanout", "softirq_cores", "fan-out: softirq cores (kernel TCP, wherever it ran)", Kind.Info, 0, ""),
        new("fanout", "steal_cores", "fan-out: cores stolen by the hypervisor", Kind.Info, 0, ""),
        new("fanout", "lost", "fan-out: deliveries lost (full speed)", Kind.AtMost, 0, "0"),
        new("fanout", "paced_lost", "fan-out: deliveries lost (paced)", Kind.AtMost, 0, "0"),
        new("fanout", "out_of_order", "fan-out: deliveries out of order", Kind.AtMost, 0, "0"),
        new("fanout", "publish_failures", "fan-out: publish failures", Kind.AtMost, 0, "0"),
        new("broadcast", "connections_held", "broadcast: connections held, all on one channel", Kind.AllAsked, 0, "all asked (cluster 100,000)"),
        new("broadcast", "connect_subscribe_per_s", "broadcast: connect + subscribe /s (all load processes)", Kind.Info, 0, ""),
        new("broadcast", "published", "broadcast: publications (each to every connection)", Kind.Info, 0, ""),
        new("broadcast", "warmup_lost", "broadcast: warm-up deliveries lost (5 broadcasts, not timed)", Kind.AtMost, 0, "0"),
        new("broadcast", "lost", "broadcast: deliveries lost", Kind.AtMost, 0, "0"),
        new("broadcast", "out_of_order", "broadcast: deliveries out of order", Kind.AtMost, 0, "0"),
        new("broadcast", "deliveries_per_s", "broadcast: deliveries/s", Kind.Info, 0, ""),
        new("broadcast", "p50_ms", "broadcast: p50 ms (publish call to frame)", Kind.Info, 0, ""),
        new("broadcast", "p99_ms", "broadcast: p99 ms", Kind.Info, 0, ""),
        new("broadcast", "cpu_us_per_delivery", "broadcast: server CPU µs per delivery (all server processes)", Kind.RatioAtMost, 1.3, "<= 1.3x one node"),
        new("broadcast", "cpu_us_per_delivery_less_idle", "broadcast: the same, less the nodes' CPU with nothing to deliver", Kind.Info, 0, ""),
        new("broadcast", "settle_s", "broadcast: wait for the nodes' CPU to settle before timing, s", Kind.Info, 0, ""),
        new("broadcast", "idle_server_cores", "broadcast: server CPU with nothing to deliver, cores (all server processes)", Kind.Info, 0, ""),
        new("broadcast", "machine_busy_cores", "broadcast: machine busy cores during the broadcasts", Kind.Info, 0, ""),
        new("broadcast", "server_cores", "broadcast: of which the server processes", Kind.Info, 0, ""),
        new("broadcast", "loadgen_cores", "broadcast: of which the load processes", Kind.Info, 0, ""),
        new("broadcast", "other_cores", "broadcast: of which neither (kernel, other work on the machine)", Kind.Info, 0, ""),
        new("broadcast", "softirq_cores", "broadcast: softirq cores (kernel TCP, wherever it ran)", Kind.Info, 0, ""),
        new("broadcast", "steal_cores", "broadcast: cores stolen by the hypervisor (counted busy)", Kind.Info, 0, ""),
        new("broadcast", "server_rss_max_node_mib", "broadcast: largest node RSS, MiB", Kind.Info, 0, ""),
        new("broadcast", "server_rss_total_mib", "broadcast: all nodes' RSS, MiB", Kind.Info, 0, ""),
        new("broadcast", "rss_per_connection_kib", "broadcast: server RSS per connection, KiB", Kind.Info, 0, ""),
    ];

    public static int Run(Options o)
    {
        var dir = o.Get("results", ".");
        var runs = RatioReport.Load(dir, "cluster-*.json", scenario => scenario["cluster-".Length..]);
        var reps = runs.Keys.Select(k => k.Rep).Distinct().Order().ToArray();
        var (table, verdicts) = RatioReport.Table(runs, Figures, "single", "cluster", "one node", "cluster");
        var text2 = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"cluster, {reps.Length} run(s), {o.Get("machine", "")}")
            .AppendLine()
            .Append(table)
            .AppendLine()
            .AppendLine(string.Join("\n", verdicts))
            .AppendLine()
            .AppendLine("Per node (each run: RSS before / held, KiB; members and unreachable as each node saw them after the load):");
        foreach (var ((scenario, target, rep), j) in runs.OrderBy(k => k.Key.Scenario).ThenBy(k => k.Key.Target).ThenBy(k => k.Key.Rep))
        {
            string S(string key) => j.TryGetProperty(key, out var v) ? v.ToString() : "-";
            text2.AppendLine(scenario == "broadcast"
                ? $"- {scenario} {target} {rep}: held {S("held_per_node")}; RSS {S("server_rss_before_kib")} / {S("server_rss_held_kib")}; members {S("cluster_members_after")}, unreachable {S("cluster_unreachable_after")}; window {S("broadcast_window_s")} s, server CPU {S("server_cpu_s")} s"
                : $"- {scenario} {target} {rep}: subscribers {S("subscribers_per_node")}; RSS {S("server_rss_kib")}; members {S("cluster_members_after")}, unreachable {S("cluster_unreachable_after")}; server CPU {S("server_cpu_s")} s");
        }
        Console.Write(text2);
        File.WriteAllText(Path.Combine(dir, "summary.md"), text2.ToString());
        return 0;
    }
}
