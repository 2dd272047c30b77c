using System.Globalization;
using System.Text;
using Figure = NotifyActors.LoadGen.RatioReport.Figure;
using Kind = NotifyActors.LoadGen.RatioReport.Kind;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen centrifugo-report`: reads the JSON lines bench/run.sh centrifugo saved (fanout-PROTOCOL-REP.json and
/// idle-PROTOCOL-REP.json, protocol native or centrifugo), prints issue 13's table, Centrifugo's JSON clients against
/// native ones measured in the same run, each repetition's ratio and the targets, and writes it to --results/summary.md.
/// </summary>
internal static class CentrifugoReport
{
    private static readonly Figure[] Figures =
    [
        new("fanout", "subscribers", "fan-out: subscribers on one channel", Kind.Info, 0, ""),
        new("fanout", "full_deliveries_per_s", "fan-out ceiling (full speed), deliveries/s", Kind.Ratio, 0.9, ">= 0.9x native"),
        new("fanout", "full_server_cpu_us_per_delivery", "fan-out full speed: server CPU µs per delivery", Kind.Info, 0, ""),
        new("fanout", "full_loadgen_cpu_us_per_delivery", "fan-out full speed: load process CPU µs per delivery", Kind.Info, 0, ""),
        new("fanout", "full_server_cores", "fan-out full speed: server cores", Kind.Info, 0, ""),
        new("fanout", "full_loadgen_cores", "fan-out full speed: load process cores", Kind.Info, 0, ""),
        new("fanout", "full_other_cores", "fan-out full speed: other busy cores (neither; other work on the machine)", Kind.Info, 0, ""),
        new("fanout", "full_p50_ms", "fan-out full speed: p50 ms (publish call to frame: the burst's drain)", Kind.Info, 0, ""),
        new("fanout", "full_p99_ms", "fan-out full speed: p99 ms", Kind.Info, 0, ""),
        new("fanout", "paced_deliveries_per_s", "fan-out paced (20 publications/s): deliveries/s", Kind.Info, 0, ""),
        new("fanout", "paced_p50_ms", "fan-out paced: p50 ms", Kind.Info, 0, ""),
        new("fanout", "paced_p99_ms", "fan-out paced: p99 ms", Kind.Info, 0, ""),
        new("fanout", "paced_server_cpu_us_per_delivery", "fan-out paced: server CPU µs per delivery", Kind.Info, 0, ""),
        new("fanout", "connect_failures", "fan-out: connect failures", Kind.AtMost, 0, "0"),
        new("fanout", "paced_lost", "fan-out: deliveries lost (paced)", Kind.AtMost, 0, "0"),
        new("fanout", "full_lost", "fan-out: deliveries lost (full speed)", Kind.AtMost, 0, "0"),
        new("fanout", "paced_out_of_order", "fan-out: deliveries out of order (paced)", Kind.AtMost, 0, "0"),
        new("fanout", "full_out_of_order", "fan-out: deliveries out of order (full speed)", Kind.AtMost, 0, "0"),
        new("fanout", "full_publish_failures", "fan-out: publish failures (full speed)", Kind.AtMost, 0, "0"),
        new("idle", "connections", "idle: connections held, each on its own channel", Kind.Info, 0, ""),
        new("idle", "rss_per_connection_kib", "idle: server RSS per connection above the empty (warmed) server, KiB", Kind.RatioAtMost, 1.1, "<= 1.1x native"),
        new("idle", "server_rss_before_kib", "idle: server RSS empty (after the warm-up), KiB", Kind.Info, 0, ""),
        new("idle", "server_rss_held_kib", "idle: server RSS holding them, KiB", Kind.Info, 0, ""),
        new("idle", "connect_subscribe_per_s", "idle: connect + subscribe /s", Kind.Info, 0, ""),
        new("idle", "connect_failures", "idle: connect failures", Kind.AtMost, 0, "0"),
    ];

    public static int Run(Options o)
    {
        var dir = o.Get("results", ".");
        var runs = RatioReport.Load(dir, "*.json", scenario => scenario);
        var reps = runs.Keys.Select(k => k.Rep).Distinct().Order().ToArray();
        var (table, verdicts) = RatioReport.Table(runs, Figures, "native", "centrifugo", "native", "Centrifugo JSON");
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"centrifugo (issue 13), {reps.Length} run(s), {o.Get("machine", "")}")
            .AppendLine(o.Get("commands", ""))
            .AppendLine()
            .Append(table)
            .AppendLine()
            .AppendLine(string.Join("\n", verdicts))
            .AppendLine()
            .AppendLine("Each run (a fresh server process for each):");
        foreach (var ((scenario, target, rep), j) in runs.OrderBy(k => k.Key.Scenario).ThenBy(k => k.Key.Rep).ThenBy(k => k.Key.Target))
        {
            string S(string key) => j.TryGetProperty(key, out var v) ? v.ToString() : "-";
            text.AppendLine(scenario == "fanout"
                ? $"- fanout {target} {rep}: {S("subscribers")} subscribers; full {S("full_deliveries")} deliveries in {S("full_deliveries_per_s")}/s, server {S("full_server_cores")} cores, load {S("full_loadgen_cores")}, other {S("full_other_cores")}; paced p99 {S("paced_p99_ms")} ms"
                : $"- idle {target} {rep}: {S("connections")} held; RSS {S("server_rss_before_kib")} -> {S("server_rss_held_kib")} KiB, {S("rss_per_connection_kib")} KiB each; {S("connect_subscribe_per_s")} connect+subscribe/s; still open {S("still_open")}");
        }
        Console.Write(text);
        File.WriteAllText(Path.Combine(dir, "summary.md"), text.ToString());
        return 0;
    }
}
