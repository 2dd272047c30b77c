using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using NotifyActors.LoadGen;

// NotifyActors.LoadGen: load scenarios for bench/run.sh against the service or the baseline.
//   loadgen <idle|fanout|churn|slow|held|hostile|durable> --url http://127.0.0.1:PORT --pid SERVER_PID --apikey KEY --label NAME [options]
//   idle and fanout: --protocol native (GET /ws, the default) or centrifugo (Centrifugo's JSON client protocol at
//   GET /connection/websocket); `loadgen centrifugo-report --results DIR` tabulates bench/run.sh centrifugo.
//   loadgen <cluster-fanout|cluster-broadcast> --urls URL,URL,... --pids PID,PID,... (the nodes of one cluster, or one node) [options]
// Every scenario prints a readable summary, then ONE JSON line of results (the last line starting with '{').
// Every loop is bounded in count and in time (--limit seconds per phase).

var options = Options.Parse(args);
if (options.Scenario is null)
{
    Console.Error.WriteLine("usage: loadgen <idle|fanout|churn|slow|held|hostile|durable> --url http://127.0.0.1:PORT [--pid N] [--apikey K] [--label L] [options]");
    Console.Error.WriteLine("       loadgen <cluster-fanout|cluster-broadcast> --urls URL,... --pids PID,... [--apikey K] [--label L] [options]");
    return 2;
}
if (options.Scenario == "report")
    return Report.Run(options);
if (options.Scenario == "durable-report")
    return Durable.Report(options);
if (options.Scenario == "cluster-report")
    return ClusterReport.Run(options);
if (options.Scenario == "centrifugo-report")
    return CentrifugoReport.Run(options);
var baseUri = new Uri(options.Get("url", "http://127.0.0.1:5080"));
if (!IPAddress.TryParse(baseUri.Host, out var serverIp) || serverIp.GetAddressBytes()[0] != 127)
{
    Console.Error.WriteLine("loadgen: traffic only to 127.0.0.0/8");
    return 2;
}
var server = new IPEndPoint(serverIp, baseUri.Port);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
var probe = new ServerProbe(http, baseUri, options.Int("pid", 0));
var apiKey = options.Get("apikey", "bench");
var limit = TimeSpan.FromSeconds(options.Int("limit", 120));
ThreadPool.SetMinThreads(8, 8);

var result = new Dictionary<string, object?>
{
    ["scenario"] = options.Scenario,
    ["label"] = options.Get("label", "target"),
};
if (options.Int("rep", 0) > 0)
    result["rep"] = options.Int("rep", 0);

switch (options.Scenario)
{
    case "idle":
        await Scenarios.Idle(options, server, probe, limit, result);
        break;
    case "fanout":
        await Scenarios.Fanout(options, server, probe, new Publisher(http, baseUri, apiKey), http, baseUri, apiKey, limit, result);
        break;
    case "churn":
        await Scenarios.Churn(options, server, probe, limit, result);
        break;
    case "slow":
        await Scenarios.Slow(options, server, probe, http, baseUri, apiKey, limit, result);
        break;
    case "held":
        await Scenarios.Held(options, server, probe, http, baseUri, apiKey, limit, result);
        break;
    case "hostile":
        await Hostile.Run(options, server, probe, http, baseUri, apiKey, limit, result);
        break;
    case "durable":
        await Durable.Run(options, baseUri, apiKey, limit, result);
        break;
    case "attack":
        await Hostile.Attack(options, server, result);
        break;
    case "cluster-fanout":
    case "cluster-broadcast":
        if (ClusterNodes.Parse(options, http) is not { } nodes)
            return 2;
        await (options.Scenario == "cluster-fanout"
            ? ClusterFanout.Run(options, nodes, http, apiKey, limit, result)
            : ClusterBroadcast.Run(options, nodes, http, apiKey, limit, result));
        break;
    case "broadcast-hold":
        await BroadcastHolder.Run(options, server, limit, result);
        break;
    default:
        Console.Error.WriteLine($"loadgen: unknown scenario {options.Scenario}");
        return 2;
}

Console.WriteLine($"== {result["scenario"]} ({result["label"]})");
foreach (var (key, value) in result)
    Console.WriteLine($"   {key,-28} {value}");
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string? Scenario { get; private set; }

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                options._values[args[i][2..]] = args[++i];
            else
                options.Scenario ??= args[i];
        }
        return options;
    }

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;
    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Deliveries seen by one group of readers during one phase.</summary>
internal sealed class Group
{
    public readonly Histogram Latency = new();
    public long Deliveries;
    public long OutOfOrder;
    public long LastTicks;

    public void Record(long offset, long sentTicks, WsClient client)
    {
        var now = Stopwatch.GetTimestamp();
        if (sentTicks > 0)
            Latency.RecordTicks(now - sentTicks);
        if (offset <= client.LastOffset)
            Interlocked.Increment(ref OutOfOrder);
        else
            client.LastOffset = offset;
        Interlocked.Increment(ref Deliveries);
        Volatile.Write(ref LastTicks, now);
    }
}

internal static class Scenarios
{
    public static async Task Idle(Options o, IPEndPoint server, ServerProbe probe, TimeSpan limit, Dictionary<string, object?> r)
    {
        var n = o.Int("n", 1000);
        var inflight = o.Int("inflight", 64);
        var protocol = Centrifugo.ParseProtocol(o.Get("protocol", "native"));
        r["protocol"] = Centrifugo.Name(protocol);
        // Warm-up (JIT, pools, first channel actors), dropped and settled before the baseline RSS is read.
        // --warmup 0 skips it (and its settle): connections at once, e.g. to watch them in notifyctl.
        var warmup = Math.Min(n, o.Int("warmup", 500));
        if (warmup > 0)
        {
            var (warm, _, _) = await ConnectManyAsync(server, warmup, inflight, i => $"idle-warm-{i}", 512, limit, protocol);
            foreach (var c in warm)
                c?.Abort();
            await probe.SettleAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(o.Int("settle", 5)));
        }
        var rss0 = probe.RssKiB();
        var (clients, failed, seconds) = await ConnectManyAsync(server, n, inflight, i => $"idle-{i}", 512, limit, protocol);
        var held = clients.Where(c => c is not null).Select(c => c!).ToList();
        using var cts = new CancellationTokenSource();
        var readers = held.Select(c => ReadAsync(c, _ => null, cts.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(o.Int("settle", 5)));
        var rss1 = probe.RssKiB();
        r["connections"] = held.Count;
        r["connect_failures"] = failed;
        r["connect_subscribe_per_s"] = Math.Round(held.Count / seconds, 1);
        r["server_rss_before_kib"] = rss0;
        r["server_rss_held_kib"] = rss1;
        r["rss_per_connection_kib"] = held.Count > 0 ? Math.Round((rss1 - rss0) / (double)held.Count, 2) : 0;
        r["server_notify_connections"] = await probe.MetricAsync("notify_connections");
        r["still_open"] = held.Count(c => c.Ending == "open");
        foreach (var c in held)
            c.Abort();
        cts.Cancel();
    }

    public static async Task Fanout(Options o, IPEndPoint server, ServerProbe probe, Publisher _, HttpClient http, Uri baseUri, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var s = o.Int("subscribers", 500);
        var m = o.Int("messages", 200);
        var rate = o.Double("rate", 20);
        var fullMessages = o.Int("full-messages", m);
        // Bursts of full-messages each, one after the other drained: a single short burst lands now in one regime
        // (delivery keeping pace with publishing), now in the other (a backlog drained), and the rounds average them.
        var fullRounds = o.Int("full-rounds", 1);
        var pubInflight = o.Int("pub-inflight", 8);
        var payload = o.Int("payload", 64);
        var protocol = Centrifugo.ParseProtocol(o.Get("protocol", "native"));
        r["protocol"] = Centrifugo.Name(protocol);
        var (clients, failed, seconds) = await ConnectManyAsync(server, s, o.Int("inflight", 64), _ => "fan", 1024, limit, protocol);
        var subs = clients.Where(c => c is not null).Select(c => c!).ToList();
        r["subscribers"] = subs.Count;
        r["connect_failures"] = failed;
        Group current = new();
        using var cts = new CancellationTokenSource();
        var readers = subs.Select(c => ReadAsync(c, _ => current, cts.Token)).ToList();

        // Warm-up (JIT, pools): not counted.
        await PhaseAsync("warmup", subs.Count, 50, 0, pubInflight, payload);
        var paced = await PhaseAsync("paced", subs.Count, m, rate, 16, payload);
        var full = await PhaseAsync("full", subs.Count, fullMessages, 0, pubInflight, payload);
        for (var round = 2; round <= fullRounds; round++)
            full = CombineRounds(full, await PhaseAsync("full", subs.Count, fullMessages, 0, pubInflight, payload));
        r["full_rounds"] = fullRounds;
        foreach (var (key, value) in paced)
            r["paced_" + key] = value;
        foreach (var (key, value) in full)
            r["full_" + key] = value;
        foreach (var c in subs)
            c.Abort();
        cts.Cancel();

        async Task<Dictionary<string, object?>> PhaseAsync(string name, int receivers, int messages, double pace, int inflight, int bytes)
        {
            var group = new Group();
            current = group;
            var publisher = new Publisher(http, baseUri, apiKey);
            // CPU over the phase: the server's, this load process's, and the machine's (what neither used is other work).
            var (server0, self0, machine0) = (ProcStat.ProcessSeconds(probe.Pid), ProcStat.ProcessSeconds(Environment.ProcessId), ProcStat.MachineTicks());
            var clock = Stopwatch.StartNew();
            await publisher.RunAsync("fan", messages, pace, inflight, bytes, limit);
            var expected = publisher.Ok * receivers;
            await WaitAsync(() => Interlocked.Read(ref group.Deliveries), expected, TimeSpan.FromSeconds(5), limit);
            var seconds = clock.Elapsed.TotalSeconds;
            var serverCpu = ProcStat.ProcessSeconds(probe.Pid) - server0;
            var selfCpu = ProcStat.ProcessSeconds(Environment.ProcessId) - self0;
            var (busy, _, _) = ProcStat.MachineTicks().CoresSince(machine0);
            var elapsed = (Volatile.Read(ref group.LastTicks) - publisher.FirstTicks) / (double)Stopwatch.Frequency;
            var delivered = Interlocked.Read(ref group.Deliveries);
            return new Dictionary<string, object?>
            {
                ["server_cpu_us_per_delivery"] = delivered > 0 ? Math.Round(serverCpu * 1e6 / delivered, 2) : 0,
                ["loadgen_cpu_us_per_delivery"] = delivered > 0 ? Math.Round(selfCpu * 1e6 / delivered, 2) : 0,
                ["server_cores"] = Math.Round(serverCpu / seconds, 2),
                ["loadgen_cores"] = Math.Round(selfCpu / seconds, 2),
                ["other_cores"] = Math.Round(Math.Max(0, busy - (serverCpu + selfCpu) / seconds), 2),
                ["published"] = publisher.Ok,
                ["publish_failures"] = publisher.Failed,
                ["rate_target"] = pace,
                ["deliveries"] = delivered,
                ["deliveries_per_s"] = elapsed > 0 ? Math.Round(delivered / elapsed) : 0,
                ["lost"] = Math.Max(0, expected - (delivered - group.OutOfOrder)),
                ["out_of_order"] = group.OutOfOrder,
                ["p50_ms"] = group.Latency.PercentileMs(50),
                ["p90_ms"] = group.Latency.PercentileMs(90),
                ["p99_ms"] = group.Latency.PercentileMs(99),
                ["max_ms"] = group.Latency.MaxMs,
            };
        }
    }

    /// <summary>
    /// Two rounds of a phase as one: counts added, deliveries/s over the rounds' summed time, CPU per delivery and cores
    /// weighted by deliveries and by time, latency percentiles the worse round's.
    /// </summary>
    private static Dictionary<string, object?> CombineRounds(Dictionary<string, object?> a, Dictionary<string, object?> b)
    {
        static double D(Dictionary<string, object?> x, string key) => Convert.ToDouble(x[key]);
        var (da, db) = (D(a, "deliveries"), D(b, "deliveries"));
        var (ta, tb) = (da / Math.Max(D(a, "deliveries_per_s"), 1), db / Math.Max(D(b, "deliveries_per_s"), 1));
        var combined = new Dictionary<string, object?>(b);
        foreach (var key in new[] { "published", "publish_failures", "deliveries", "lost", "out_of_order" })
            combined[key] = Convert.ToInt64(a[key]) + Convert.ToInt64(b[key]);
        combined["deliveries_per_s"] = Math.Round((da + db) / Math.Max(ta + tb, 1e-9));
        foreach (var key in new[] { "server_cpu_us_per_delivery", "loadgen_cpu_us_per_delivery" })
            combined[key] = Math.Round((D(a, key) * da + D(b, key) * db) / Math.Max(da + db, 1), 2);
        foreach (var key in new[] { "server_cores", "loadgen_cores", "other_cores" })
            combined[key] = Math.Round((D(a, key) * ta + D(b, key) * tb) / Math.Max(ta + tb, 1e-9), 2);
        foreach (var key in new[] { "p50_ms", "p90_ms", "p99_ms", "max_ms" })
            combined[key] = Math.Max(D(a, key), D(b, key));
        return combined;
    }

    public static async Task Churn(Options o, IPEndPoint server, ServerProbe probe, TimeSpan limit, Dictionary<string, object?> r)
    {
        var cycles = o.Int("cycles", 5000);
        var inflight = o.Int("inflight", 64);
        var settle = TimeSpan.FromSeconds(o.Int("settle-limit", 60));
        var warm = Math.Max(100, cycles / 10);
        var (warmOk, _, _) = await CyclesAsync(warm);
        await probe.SettleAsync(settle);
        await Task.Delay(TimeSpan.FromSeconds(o.Int("settle", 5)));
        var rssWarm = probe.RssKiB();
        var (ok, failed, seconds) = await CyclesAsync(cycles);
        var clock = Stopwatch.StartNew();
        var (connections, actors) = await probe.SettleAsync(settle);
        var settleSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(o.Int("settle", 5)));
        var rssEnd = probe.RssKiB();
        r["warmup_cycles"] = warmOk;
        r["cycles"] = ok;
        r["cycle_failures"] = failed;
        r["cycles_per_s"] = Math.Round(ok / seconds, 1);
        r["settle_s"] = Math.Round(settleSeconds, 1);
        r["leftover_connections"] = connections;
        r["leftover_subscriber_actors"] = actors;
        r["dead_letters"] = await probe.MetricAsync("notify_dead_letters_total");
        r["rss_after_warmup_kib"] = rssWarm;
        r["rss_after_settle_kib"] = rssEnd;
        r["rss_growth_pct"] = rssWarm > 0 ? Math.Round(100.0 * (rssEnd - rssWarm) / rssWarm, 1) : 0;

        async Task<(long Ok, long Failed, double Seconds)> CyclesAsync(int count)
        {
            long good = 0, bad = 0;
            var next = -1;
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, inflight).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && clock.Elapsed < limit)
                {
                    WsClient? c = null;
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                        c = await WsClient.ConnectAsync(server, 512, timeout.Token);
                        await c.HandshakeAsync($"churn-{i % 100}", timeout.Token);
                        Interlocked.Increment(ref good);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref bad);
                    }
                    c?.Abort();
                }
            }));
            await Task.WhenAll(workers);
            return (good, bad, clock.Elapsed.TotalSeconds);
        }
    }

    public static async Task Slow(Options o, IPEndPoint server, ServerProbe probe, HttpClient http, Uri baseUri, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var s = o.Int("subscribers", 200);
        var fraction = o.Double("stalled", 0.05);
        var m = o.Int("messages", 4000);
        var payload = o.Int("payload", 4096);
        var pubInflight = o.Int("pub-inflight", 8);
        var (clients, failed, _) = await ConnectManyAsync(server, s, 64, _ => "slow", 8192, limit);
        var subs = clients.Where(c => c is not null).Select(c => c!).ToList();
        var stalledCount = (int)Math.Ceiling(subs.Count * fraction);
        var stalled = subs.Take(stalledCount).ToHashSet();
        var others = subs.Count - stalledCount;
        Group othersGroup = new(), stalledGroup = new();
        using var cts = new CancellationTokenSource();
        var readers = subs.Select(c => ReadAsync(c, x => stalled.Contains(x) ? stalledGroup : othersGroup, cts.Token)).ToList();

        await BurstAsync(Math.Max(50, m / 4), payload); // warm-up: JIT, thread pool, TCP buffers; not counted
        othersGroup = new();
        stalledGroup = new();
        var (baseRate, baseP99, _) = await BurstAsync(m, payload);

        othersGroup = new();
        stalledGroup = new();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var c in stalled)
            c.Stall = gate.Task;
        var rssBefore = probe.RssKiB();
        var peak = rssBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            for (var i = 0; i < 100_000 && !sampling.IsCancellationRequested; i++)
            {
                peak = Math.Max(peak, probe.RssKiB());
                await Task.Delay(100);
            }
        });
        var (stallRate, stallP99, published) = await BurstAsync(m, payload);
        // Give the server time to notice the stalled readers (write timeout, queue bound).
        await Task.Delay(TimeSpan.FromSeconds(o.Int("grace", 8)));
        sampling.Cancel();
        await sampler;
        gate.SetResult();
        var drain = Stopwatch.StartNew();
        while (stalled.Any(c => c.Ending == "open") && drain.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(100);
        var budget = stalledCount * 1024L + 20 * 1024;

        r["subscribers"] = subs.Count;
        r["connect_failures"] = failed;
        r["stalled"] = stalledCount;
        r["payload_bytes"] = payload;
        r["published_per_burst"] = published;
        r["others_rate_without_stall"] = Math.Round(baseRate);
        r["others_rate_with_stall"] = Math.Round(stallRate);
        r["others_rate_ratio"] = baseRate > 0 ? Math.Round(stallRate / baseRate, 3) : 0;
        r["others_p99_ms_without_stall"] = baseP99;
        r["others_p99_ms_with_stall"] = stallP99;
        r["rss_before_kib"] = rssBefore;
        r["rss_peak_kib"] = peak;
        r["rss_growth_kib"] = peak - rssBefore;
        r["rss_growth_budget_kib"] = budget;
        r["stalled_endings"] = string.Join(", ", stalled.GroupBy(c => c.Ending).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
        r["slow_consumer_disconnects"] = await probe.MetricAsync("notify_slow_consumer_disconnects_total");
        foreach (var c in subs)
            c.Abort();
        cts.Cancel();

        async Task<(double Rate, double P99, long Published)> BurstAsync(int messages, int bytes)
        {
            var group = othersGroup;
            var publisher = new Publisher(http, baseUri, apiKey);
            await publisher.RunAsync("slow", messages, 0, pubInflight, bytes, limit);
            await WaitAsync(() => Interlocked.Read(ref group.Deliveries), publisher.Ok * others, TimeSpan.FromSeconds(5), limit);
            var elapsed = (Volatile.Read(ref group.LastTicks) - publisher.FirstTicks) / (double)Stopwatch.Frequency;
            return (elapsed > 0 ? group.Deliveries / elapsed : 0, group.Latency.PercentileMs(99), publisher.Ok);
        }
    }

    /// <summary>
    /// The issue's "held connections on one node": N clients (19,000 by default, the server's limit under
    /// its 20,000 open files) connect, all subscribe to one channel and are held; then every publication
    /// (a broadcast to all of them) must reach every client. One load process: N sockets stay under its
    /// own 20,000-file limit. Records how many were held, deliveries lost, the broadcast's delivery time
    /// and the server's RSS per held connection.
    /// </summary>
    public static async Task Held(Options o, IPEndPoint server, ServerProbe probe, HttpClient http, Uri baseUri, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var n = o.Int("n", 19_000);
        var m = o.Int("messages", 5);
        var rssBefore = probe.RssKiB();
        var (clients, failed, seconds) = await ConnectManyAsync(server, n, o.Int("inflight", 64), _ => "held", 512, limit);
        var held = clients.Where(c => c is not null).Select(c => c!).ToList();
        var rssHeld = probe.RssKiB();
        var group = new Group();
        using var cts = new CancellationTokenSource();
        var readers = held.Select(c => ReadAsync(c, _ => group, cts.Token)).ToList();
        // One publication at a time, each one a broadcast to every held connection.
        var publisher = new Publisher(http, baseUri, apiKey);
        await publisher.RunAsync("held", m, o.Double("rate", 1), 1, o.Int("payload", 64), limit);
        var expected = publisher.Ok * held.Count;
        await WaitAsync(() => Interlocked.Read(ref group.Deliveries), expected, TimeSpan.FromSeconds(10), limit);
        var delivered = Interlocked.Read(ref group.Deliveries);
        r["connections_asked"] = n;
        r["connections_held"] = held.Count;
        r["connect_failures"] = failed;
        r["connect_subscribe_per_s"] = Math.Round(held.Count / seconds, 1);
        r["server_notify_connections"] = await probe.MetricAsync("notify_connections");
        r["published"] = publisher.Ok;
        r["publish_failures"] = publisher.Failed;
        r["deliveries"] = delivered;
        r["lost"] = Math.Max(0, expected - (delivered - group.OutOfOrder));
        r["out_of_order"] = group.OutOfOrder;
        r["broadcast_p50_ms"] = group.Latency.PercentileMs(50);
        r["broadcast_p99_ms"] = group.Latency.PercentileMs(99);
        r["broadcast_max_ms"] = group.Latency.MaxMs;
        r["server_rss_before_kib"] = rssBefore;
        r["server_rss_held_kib"] = rssHeld;
        r["rss_per_connection_kib"] = held.Count > 0 ? Math.Round((rssHeld - rssBefore) / (double)held.Count, 2) : 0;
        r["still_open"] = held.Count(c => c.Ending == "open");
        foreach (var c in held)
            c.Abort();
        cts.Cancel();
    }

    /// <summary>Connects and subscribes n clients with a number in flight; failed slots stay null.</summary>
    internal static async Task<(WsClient?[] Clients, int Failed, double Seconds)> ConnectManyAsync(
        IPEndPoint server, int n, int inflight, Func<int, string> channelOf, int bufferBytes, TimeSpan limit, WireProtocol protocol = WireProtocol.Native)
    {
        var clients = new WsClient?[n];
        var failed = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, inflight).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n && clock.Elapsed < limit)
            {
                WsClient? c = null;
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                    c = await WsClient.ConnectAsync(server, bufferBytes, timeout.Token, protocol);
                    c.LastOffset = await c.HandshakeAsync(channelOf(i), timeout.Token);
                    clients[i] = c;
                }
                catch (Exception)
                {
                    c?.Abort();
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        await Task.WhenAll(workers);
        return (clients, failed, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The read loop of one client: publications go to the client's current group; pings get a pong. Centrifugo's
    /// frames may hold several messages ('\n'-separated), each read the same way as a native frame is.
    /// </summary>
    internal static async Task ReadAsync(WsClient c, Func<WsClient, Group?> groupOf, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if (c.Stall is { } stall)
                    await stall;
                var n = await c.ReceiveAsync(ct);
                if (n < 0)
                {
                    c.Ending = $"closed {(int?)c.Ws.CloseStatus}";
                    return;
                }
                if (c.Protocol == WireProtocol.CentrifugoJson)
                {
                    for (var pings = ReadCentrifugo(c, c.Frame(n), groupOf(c)); pings > 0; pings--)
                        await c.SendAsync("{}", ct);
                    continue;
                }
                var frame = c.Frame(n);
                if (frame.IndexOf("\"type\":\"pub\""u8) >= 0)
                    groupOf(c)?.Record(Parse.Long(frame, "\"offset\":"u8), Parse.Long(frame, "\"t\":"u8), c);
                else if (frame.IndexOf("\"type\":\"ping\""u8) >= 0)
                    await c.SendAsync("{\"op\":\"pong\"}", ct);
            }
        }
        catch (Exception)
        {
            c.Ending = c.Ws.CloseStatus is { } status ? $"closed {(int)status}" : "aborted";
        }
    }

    /// <summary>Records each publication push of a Centrifugo frame; answers how many pings it held (each wants a pong).</summary>
    private static int ReadCentrifugo(WsClient c, ReadOnlySpan<byte> frame, Group? group)
    {
        var pings = 0;
        while (Centrifugo.NextMessage(ref frame, out var message))
        {
            if (Centrifugo.IsPing(message))
                pings++;
            else if (Centrifugo.IsPublication(message))
                group?.Record(Parse.Long(message, "\"offset\":"u8), Parse.Long(message, "\"t\":"u8), c);
        }
        return pings;
    }

    /// <summary>Waits until the count reaches the expected one, stops moving for <paramref name="idle"/>, or the limit passes.</summary>
    internal static async Task WaitAsync(Func<long> count, long expected, TimeSpan idle, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var last = -1L;
        var changed = TimeSpan.Zero;
        while (clock.Elapsed < limit)
        {
            var now = count();
            if (now >= expected)
                return;
            if (now != last)
            {
                last = now;
                changed = clock.Elapsed;
            }
            else if (clock.Elapsed - changed > idle)
            {
                return;
            }
            await Task.Delay(20);
        }
    }
}
