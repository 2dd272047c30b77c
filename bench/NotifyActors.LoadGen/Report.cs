using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen report`: reads the JSON lines bench/run.sh saved (scenario-target-rep.json), prints the
/// table of service vs baseline with ratios and the issue's targets, and writes docs/benchmarks.md
/// and an SVG chart of the ratios.
/// </summary>
internal static class Report
{
    private enum Kind { Ratio, ServiceAtMost, ServiceAtLeast, Info }

    private sealed record Figure(string Scenario, string Key, string Name, string Unit, Kind Kind, double Target, string TargetText);

    private static readonly Figure[] Figures =
    [
        new("idle", "rss_per_connection_kib", "idle server RSS per connection", "KiB", Kind.Ratio, -1.3, "<= 1.3x baseline"),
        new("idle", "connect_subscribe_per_s", "connect + subscribe rate", "/s", Kind.Ratio, 0.8, ">= 0.8x baseline"),
        new("fanout", "full_deliveries_per_s", "fan-out ceiling (full speed), deliveries/s", "/s", Kind.Ratio, 1.0, ">= 1.0x baseline"),
        new("fanout", "paced_deliveries_per_s", "paced fan-out, deliveries/s", "/s", Kind.Info, 0, "(subscribers x 20/s)"),
        new("fanout", "paced_p99_ms", "p99 latency, paced (subscribers x 20/s)", "ms", Kind.Ratio, -1.2, "<= 1.2x baseline"),
        new("fanout", "paced_p50_ms", "p50 latency, paced", "ms", Kind.Info, 0, ""),
        new("fanout", "full_p99_ms", "p99 latency, full speed", "ms", Kind.Info, 0, ""),
        new("fanout", "paced_lost", "lost deliveries (paced)", "", Kind.ServiceAtMost, 0, "0"),
        new("fanout", "full_lost", "lost deliveries (full speed)", "", Kind.ServiceAtMost, 0, "0"),
        new("fanout", "full_out_of_order", "out-of-order deliveries (full speed)", "", Kind.ServiceAtMost, 0, "0"),
        new("churn", "cycles_per_s", "churn connect+subscribe+drop cycles/s", "/s", Kind.Info, 0, ""),
        new("churn", "leftover_connections", "churn: leftover connections after settle", "", Kind.ServiceAtMost, 0, "0"),
        new("churn", "leftover_subscriber_actors", "churn: leftover subscriber actors after settle", "", Kind.ServiceAtMost, 0, "0"),
        new("churn", "rss_growth_pct", "churn: RSS after settle vs after warm-up", "%", Kind.ServiceAtMost, 10, "<= +10%"),
        new("slow", "others_rate_ratio", "slow: others' rate with / without stalled readers", "x", Kind.ServiceAtLeast, 0.9, ">= 0.9"),
        new("slow", "others_p99_ms_with_stall", "slow: others' p99 with stalled readers", "ms", Kind.Info, 0, ""),
        new("slow", "rss_growth_kib", "slow: server RSS growth during the burst", "KiB", Kind.ServiceAtMost, double.NaN, "<= stalled x 1 MiB + 20 MB"),
        new("held", "connections_held", "held connections on one node, all subscribed to one channel", "", Kind.ServiceAtLeast, 19_000, ">= 19,000"),
        new("held", "lost", "held: broadcast deliveries lost", "", Kind.ServiceAtMost, 0, "0"),
        new("held", "broadcast_p99_ms", "held: broadcast p99 (publish call to frame)", "ms", Kind.Info, 0, ""),
        new("held", "connect_subscribe_per_s", "held: connect + subscribe rate", "/s", Kind.Info, 0, ""),
        new("held", "rss_per_connection_kib", "held: server RSS per held connection", "KiB", Kind.Info, 0, ""),
    ];

    public static int Run(Options o)
    {
        var dir = o.Get("results", ".");
        var runs = new List<(string Scenario, string Target, JsonElement Json)>();
        foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0)
                continue;
            var json = JsonDocument.Parse(text).RootElement.Clone();
            runs.Add((json.GetProperty("scenario").GetString()!, json.GetProperty("label").GetString()!, json));
        }

        var rows = new List<string[]>();
        var chart = new List<(string Name, double Ratio, double Target, bool Met)>();
        var verdicts = new List<string>();
        foreach (var f in Figures)
        {
            var service = Values(runs, f.Scenario, "service", f.Key);
            var baseline = Values(runs, f.Scenario, "baseline", f.Key);
            if (service.Count == 0 && baseline.Count == 0)
                continue;
            var ratioText = "";
            var verdict = "";
            if (service.Count > 0 && baseline.Count > 0 && baseline.Average() != 0)
            {
                var ratio = service.Average() / baseline.Average();
                ratioText = $"{ratio:0.00}x";
                if (f.Kind == Kind.Ratio)
                {
                    var met = f.Target < 0 ? ratio <= -f.Target : ratio >= f.Target;
                    verdict = met ? "met" : $"MISSED ({Miss(ratio, f.Target)})";
                    chart.Add((f.Name, ratio, Math.Abs(f.Target), met));
                }
            }
            if (service.Count > 0 && f.Kind is Kind.ServiceAtMost or Kind.ServiceAtLeast)
            {
                var target = double.IsNaN(f.Target) ? Values(runs, f.Scenario, "service", "rss_growth_budget_kib").DefaultIfEmpty(0).Min() : f.Target;
                var worst = f.Kind == Kind.ServiceAtMost ? service.Max() : service.Min();
                var met = f.Kind == Kind.ServiceAtMost ? worst <= target : worst >= target;
                verdict = met ? "met" : $"MISSED (worst run {Format(worst)} vs {Format(target)})";
            }
            rows.Add([f.Name + (f.Unit.Length > 0 ? $" ({f.Unit})" : ""), Cell(service), Cell(baseline), ratioText, f.TargetText, verdict]);
            if (verdict.Length > 0)
                verdicts.Add($"- {f.Name}: {verdict}");
        }
        foreach (var target in new[] { "service", "baseline" })
        {
            var endings = runs.Where(r => r.Scenario == "slow" && r.Target == target && r.Json.TryGetProperty("stalled_endings", out _))
                .Select(r => r.Json.GetProperty("stalled_endings").GetString());
            var text = string.Join(" / ", endings);
            if (text.Length > 0)
                rows.Add([$"slow: how the stalled readers ended ({target})", target == "service" ? text : "", target == "baseline" ? text : "", "", "closed 4001 or aborted", ""]);
        }

        var table = new StringBuilder();
        table.AppendLine("| figure | service (each run) | baseline (each run) | ratio service/baseline (means) | target | verdict |");
        table.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
            table.AppendLine("| " + string.Join(" | ", row) + " |");
        Console.WriteLine(table);

        var md = new StringBuilder();
        md.AppendLine("# Benchmarks");
        md.AppendLine();
        md.AppendLine($"Generated by `bench/run.sh {o.Get("mode", "quick")}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. The service (`src/NotifyActors.Server`, Release) and the floor");
        md.AppendLine("(`bench/Baseline.RawKestrel`: plain Kestrel WebSockets, a bounded `System.Threading.Channels` queue and one writer loop per");
        md.AppendLine("connection, no actors) run the same scenarios of `bench/NotifyActors.LoadGen` alternately, a fresh server process for every run.");
        md.AppendLine("Both servers use workstation concurrent GC. The load generator runs on the same 2 cores as the server, so absolute numbers are");
        md.AppendLine("a floor of what the machine does; the ratios are the point.");
        md.AppendLine();
        md.AppendLine($"- **Machine**: {o.Get("machine", "?")}");
        md.AppendLine($"- **Mode**: {o.Get("mode", "quick")}{(o.Get("mode", "quick") == "quick" ? " (smaller figures than the issue's; `bench/run.sh full` uses 10,000 idle connections, 2,000 fan-out subscribers, 50,000 churn cycles, 2,000 subscribers with 5% stalled)" : "")}");
        md.AppendLine($"- **Commands**: {o.Get("commands", "")}");
        md.AppendLine("- **Service environment**: `NOTIFY_URLS=http://127.0.0.1:18480`, `NOTIFY_ADMIN_URLS=http://127.0.0.1:18481`, `NOTIFY_API_KEYS=<random>`, `NOTIFY_HEARTBEAT_INTERVAL=3600`, `NOTIFY_HEARTBEAT_TIMEOUT=3600`, development profile (anonymous connections).");
        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.Append(table);
        md.AppendLine();
        md.AppendLine("![service / baseline ratios](benchmarks.svg)");
        md.AppendLine();
        md.AppendLine("## Targets");
        md.AppendLine();
        foreach (var v in verdicts)
            md.AppendLine(v);
        if (!runs.Any(r => r.Scenario == "held"))
            md.AppendLine("- held connections on one node (19,000, all receiving a broadcast): not measured by this run.");
        md.AppendLine();
        md.AppendLine("Caveats: the `slow` ratio compares two bursts on the same connections; a ratio above 1 on both servers means the first burst still");
        md.AppendLine("paid warm-up (JIT, thread pool, TCP buffer growth), so treat it as \"no visible harm\", not as a precise 0.9x test. Latency percentiles at");
        md.AppendLine("this size vary a lot from run to run (the load generator shares the 2 cores); compare the runs, not only the means.");
        md.AppendLine();
        md.AppendLine("## How each figure is measured");
        md.AppendLine();
        md.AppendLine("- **idle**: after a warm-up of connections that are dropped and settled, the server's VmRSS (`/proc/PID/status`) is read; then N clients connect (64 in flight), each subscribes to its own channel, and they are held; RSS is read again after a settle. RSS per connection = growth / N. The rate is N / (time to connect and get every `subscribed` reply).");
        md.AppendLine("- **fanout**: S clients subscribe to one channel. After 50 warm-up publications, M publications go through `POST /api/publish` paced at R/s (16 in flight), then more at full speed (8 in flight). Each payload carries the publisher's timestamp; latency is publish-call start to frame received, so it includes the HTTP publish call. Deliveries/s = deliveries / (last delivery - first publish). Lost = expected - distinct deliveries; out of order = offset not above the last seen.");
        md.AppendLine("- **churn**: C cycles of connect, welcome, subscribe (100 shared channels), `subscribed`, then an abrupt drop (RST, no close frame), 64 in flight. After a warm-up of C/10 cycles and after the run, `/metrics` is polled until `notify_connections` and `notify_subscriber_actors` reach 0 (bounded), then RSS is read after a further settle. No forced GC: RSS is what the process holds after settling.");
        md.AppendLine("- **held**: N clients (19,000: the service's connection limit, under its 20,000 open files) connect from one load process (64 in flight) and all subscribe to one channel; RSS is read before and once all are held. Then M publications go to that channel one at a time (1/s), each a broadcast to every held connection; lost = expected - distinct deliveries, latency is publish-call start to frame received. Held = connections whose `subscribed` reply arrived.");
        md.AppendLine("- **slow**: S clients on one channel; a burst of M publications of 4 KiB at full speed with everyone reading, then the same burst with 5% of the clients not reading (their sockets fill). Compared: the others' deliveries/s and p99 in both bursts; server RSS peak growth (sampled every 100 ms) against stalled x outbound max-bytes (1 MiB) + 20 MB; how the stalled clients ended when they read again.");
        // The engineering notes (what was changed, tried and what the profile shows is left) are kept
        // by hand next to the tooling and carried into every generated report.
        if (o.Get("notes", "") is { Length: > 0 } notes && File.Exists(notes))
        {
            md.AppendLine();
            md.Append(File.ReadAllText(notes));
        }
        File.WriteAllText(o.Get("out", "docs/benchmarks.md"), md.ToString());
        File.WriteAllText(o.Get("svg", "docs/benchmarks.svg"), Svg(chart));
        return 0;
    }

    private static List<double> Values(List<(string Scenario, string Target, JsonElement Json)> runs, string scenario, string target, string key) =>
        [.. runs.Where(r => r.Scenario == scenario && r.Target == target && r.Json.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number)
            .Select(r => r.Json.GetProperty(key).GetDouble())];

    private static string Cell(List<double> values) => values.Count == 0 ? "" : string.Join(" / ", values.Select(Format));

    private static string Format(double v) => Math.Abs(v) >= 100 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Miss(double ratio, double target) =>
        target < 0 ? $"{ratio / -target:0.00}x the allowed {-target}x" : $"{ratio / target:0.00} of the required {target}x";

    private static string Svg(List<(string Name, double Ratio, double Target, bool Met)> bars)
    {
        const int left = 330, width = 760, row = 34, top = 40;
        var max = Math.Max(2.0, Math.Ceiling(bars.Select(b => Math.Max(b.Ratio, b.Target)).DefaultIfEmpty(1).Max() * 2) / 2);
        var scale = (width - left - 40) / max;
        var height = top + bars.Count * row + 40;
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        s.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        s.AppendLine("<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">NotifyActors / raw Kestrel baseline (1.0 = same as the floor); black tick = target</text>");
        for (var t = 0.0; t <= max + 1e-9; t += 0.5)
        {
            var x = left + t * scale;
            s.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{top - 6}\" x2=\"{x:0.#}\" y2=\"{top + bars.Count * row}\" stroke=\"{(t == 1.0 ? "#888" : "#ddd")}\"/>");
            s.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{top + bars.Count * row + 16}\" text-anchor=\"middle\" fill=\"#555\">{t:0.0}x</text>");
        }
        for (var i = 0; i < bars.Count; i++)
        {
            var (name, ratio, target, met) = bars[i];
            var y = top + i * row;
            s.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 20}\" text-anchor=\"end\">{Escape(name)}</text>");
            s.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y + 6}\" width=\"{ratio * scale:0.#}\" height=\"20\" fill=\"{(met ? "#3a9d5d" : "#d0473c")}\"/>");
            s.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + ratio * scale + 4:0.#}\" y=\"{y + 20}\">{ratio:0.00}x</text>");
            var tx = left + target * scale;
            s.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{tx:0.#}\" y1=\"{y + 2}\" x2=\"{tx:0.#}\" y2=\"{y + 30}\" stroke=\"black\" stroke-width=\"2\"/>");
        }
        s.AppendLine("</svg>");
        return s.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
