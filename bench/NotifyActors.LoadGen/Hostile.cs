using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen hostile`: canary subscribers receive a paced stream, first quietly, then for --duration
/// seconds while attackers work the service together: half-sent upgrades from 40 other addresses (kept
/// topped up to --partial), connections sending frames with lone surrogate escapes, connections sending
/// 60 KiB padded pongs, and connect-subscribe-reset cycles. Then it checks the process lived, the
/// gauges came back to where they were, no subscriber failure was counted and the canaries lost
/// nothing; and, last, how much memory a connection keeps after sending one 63 KB frame.
/// Every attacker stops at the end of its phase; every socket it opened is closed.
/// </summary>
internal static class Hostile
{
    private static readonly string[] SurrogateFrames =
    [
        """{"op":"\ud800","id":1}""",
        """{"op":"subscribe","id":2,"channel":"news\udc00"}""",
        """{"op":"subscribe","id":3,"channel":"news","recover":{"offset":1,"epoch":"\ud800"}}""",
        """{"op":"history","id":4,"channel":"news","since":{"offset":1,"epoch":"\udbff"}}""",
        """{"op":"presence","id":5,"\ud800\ud800":1,"channel":"a"}""",
    ];

    private const int PublishInflight = 16;

    private static readonly string PaddedPong = $$"""{"op":"pong","pad":"{{new string('p', 60 * 1024)}}"}""";

    public static async Task Run(Options o, IPEndPoint server, ServerProbe probe, HttpClient http, Uri baseUri, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var canaries = o.Int("canaries", 50);
        var rate = o.Double("rate", 100);
        var quiet = TimeSpan.FromSeconds(o.Int("quiet", 20));
        var duration = TimeSpan.FromSeconds(o.Int("duration", 60));
        var settleLimit = TimeSpan.FromSeconds(o.Int("settle-limit", 60));

        // Publications go through a pool of their own, filled before the gauges are read: its connections
        // are part of the baseline, not something the attack left behind.
        using var publishing = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = PublishInflight, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(30), UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        await Task.WhenAll(Enumerable.Range(0, PublishInflight * 2).Select(_ => publishing.GetAsync(new Uri(baseUri, "/healthz"))));
        var (clients, failed, _) = await Scenarios.ConnectManyAsync(server, canaries, 16, _ => "canary", 4096, limit);
        var subs = clients.Where(c => c is not null).Select(c => c!).ToList();
        r["canaries"] = subs.Count;
        r["canary_connect_failures"] = failed;
        Group current = new();
        using var readers = new CancellationTokenSource();
        var reading = subs.Select(c => Scenarios.ReadAsync(c, _ => current, readers.Token)).ToList();
        // Warm-up (JIT, pools): not counted.
        await PacedAsync(new Group(), (int)rate, rate);
        var before = await GaugesAsync(probe);
        var failuresBefore = await probe.MetricAsync("notify_subscriber_failures_total");
        var deadLettersBefore = await probe.MetricAsync("notify_dead_letters_total");

        var quietGroup = new Group();
        var quietCpu = CpuClock.Start(probe.Pid);
        var quietPublished = await PacedAsync(quietGroup, (int)(rate * quiet.TotalSeconds), rate);
        r["quiet_server_cores"] = quietCpu.ServerCores();
        r["quiet_loadgen_cores"] = quietCpu.LoadGenCores();
        r["quiet_machine_busy_cores"] = quietCpu.MachineBusyCores();

        // The attackers run in a process of their own, so that their busy loops do not hold up this one's
        // canary readers (a thread pool they shared would measure the load generator, not the service).
        var hostileGroup = new Group();
        var hostileCpu = CpuClock.Start(probe.Pid);
        using var attackers = Process.Start(new ProcessStartInfo("dotnet",
            [typeof(Hostile).Assembly.Location, "attack", "--url", baseUri.ToString(), "--duration", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
             "--partial", o.Get("partial", "1500"), "--surrogates", o.Get("surrogates", "8"), "--surrogate-rate", o.Get("surrogate-rate", "2000"),
             "--pongs", o.Get("pongs", "8"), "--pong-rate", o.Get("pong-rate", "200"), "--aborters", o.Get("aborters", "16"), "--abort-rate", o.Get("abort-rate", "400")])
        {
            RedirectStandardOutput = true,
        })!;
        var attackReport = attackers.StandardOutput.ReadToEndAsync();
        long hostilePublished;
        try
        {
            hostilePublished = await PacedAsync(hostileGroup, (int)(rate * duration.TotalSeconds), rate);
            await attackers.WaitForExitAsync().WaitAsync(duration + TimeSpan.FromSeconds(60));
        }
        finally
        {
            // This scenario started the attack process: it does not outlive the scenario, whatever ends it.
            if (!attackers.HasExited)
                attackers.Kill(entireProcessTree: true);
        }
        r["attackers_exit_code"] = attackers.ExitCode;
        var attackLine = (await attackReport).Split('\n').LastOrDefault(line => line.StartsWith('{'));
        if (attackLine is not null)
        {
            foreach (var property in JsonDocument.Parse(attackLine).RootElement.EnumerateObject().Where(p => p.Name is not ("scenario" or "label")))
                r[property.Name] = property.Value.ToString();
        }
        r["hostile_server_cores"] = hostileCpu.ServerCores();
        r["hostile_loadgen_cores"] = hostileCpu.LoadGenCores();
        r["hostile_machine_busy_cores"] = hostileCpu.MachineBusyCores();

        var clock = Stopwatch.StartNew();
        var after = before;
        while (clock.Elapsed < settleLimit && (after = await GaugesAsync(probe)) != before)
            await Task.Delay(250);
        r["process_alive"] = IsAlive(probe.Pid) && (await http.GetAsync(new Uri(baseUri, "/healthz"))).IsSuccessStatusCode;
        r["gauges_before"] = before.ToString();
        r["gauges_after"] = after.ToString();
        r["gauges_returned"] = after == before;
        r["settle_s"] = Math.Round(clock.Elapsed.TotalSeconds, 1);
        r["subscriber_failures"] = await probe.MetricAsync("notify_subscriber_failures_total") - failuresBefore;
        r["dead_letters"] = await probe.MetricAsync("notify_dead_letters_total") - deadLettersBefore;
        r["tcp_refused"] = await probe.MetricAsync("notify_tcp_refused_total");
        r["quiet_published"] = quietPublished;
        r["quiet_p50_ms"] = quietGroup.Latency.PercentileMs(50);
        r["quiet_p99_ms"] = quietGroup.Latency.PercentileMs(99);
        r["hostile_published"] = hostilePublished;
        r["hostile_p50_ms"] = hostileGroup.Latency.PercentileMs(50);
        r["hostile_p90_ms"] = hostileGroup.Latency.PercentileMs(90);
        r["hostile_p99_ms"] = hostileGroup.Latency.PercentileMs(99);
        r["hostile_max_ms"] = hostileGroup.Latency.MaxMs;
        r["p99_ratio"] = quietGroup.Latency.PercentileMs(99) > 0 ? Math.Round(hostileGroup.Latency.PercentileMs(99) / quietGroup.Latency.PercentileMs(99), 2) : 0;
        r["canary_lost"] = Math.Max(0, quietPublished * subs.Count - quietGroup.Deliveries) + Math.Max(0, hostilePublished * subs.Count - hostileGroup.Deliveries);
        r["canary_out_of_order"] = quietGroup.OutOfOrder + hostileGroup.OutOfOrder;
        r["canaries_still_open"] = subs.Count(c => c.Ending == "open");
        foreach (var c in subs)
            c.Abort();
        await readers.CancelAsync();
        await Task.WhenAll(reading).WaitAsync(TimeSpan.FromSeconds(30));

        await BigFramesAsync(server, probe, o.Int("bigframes", 2000), limit, r);

        async Task<long> PacedAsync(Group group, int count, double pace)
        {
            current = group;
            var publisher = new Publisher(publishing, baseUri, apiKey);
            await publisher.RunAsync("canary", count, pace, PublishInflight, 64, limit);
            await Scenarios.WaitAsync(() => Interlocked.Read(ref group.Deliveries), publisher.Ok * subs.Count, TimeSpan.FromSeconds(5), limit);
            return publisher.Ok;
        }
    }

    /// <summary>`loadgen attack`: every attacker at once for --duration seconds, then one JSON line of what they did.</summary>
    public static async Task Attack(Options o, IPEndPoint server, Dictionary<string, object?> r)
    {
        var stats = new AttackStats();
        using var attack = new CancellationTokenSource(TimeSpan.FromSeconds(o.Int("duration", 60)));
        var attackers = new List<Task> { PartialUpgradesAsync(server.Port, o.Int("partial", 1500), stats, attack.Token) };
        attackers.AddRange(Enumerable.Range(0, o.Int("surrogates", 8)).Select(i => FrameSenderAsync(server, i, o.Double("surrogate-rate", 2000), stats.Surrogate, attack.Token, SurrogateFrames)));
        attackers.AddRange(Enumerable.Range(0, o.Int("pongs", 8)).Select(i => FrameSenderAsync(server, i, o.Double("pong-rate", 200), stats.Pong, attack.Token, PaddedPong)));
        var aborters = o.Int("aborters", 16);
        attackers.AddRange(Enumerable.Range(0, aborters).Select(i => AbortCyclesAsync(server, i, o.Double("abort-rate", 400) / aborters, stats, attack.Token)));
        await Task.WhenAll(attackers).WaitAsync(TimeSpan.FromSeconds(o.Int("duration", 60) + 30));
        stats.Into(r);
        r["attackers_cores"] = Math.Round(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds / o.Int("duration", 60), 2);
    }

    /// <summary>Connections each holding one descriptor with a request it never finishes, from 127.0.0.20-59; closed ones are replaced.</summary>
    private static async Task PartialUpgradesAsync(int port, int target, AttackStats stats, CancellationToken stop)
    {
        var sources = Enumerable.Range(20, 40).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToArray();
        var head = Encoding.ASCII.GetBytes("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
        var open = new List<Socket>();
        var next = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                open.RemoveAll(socket =>
                {
                    if (!IsClosed(socket))
                        return false;
                    Interlocked.Increment(ref stats.PartialClosedByServer);
                    socket.Dispose();
                    return true;
                });
                while (open.Count < target && !stop.IsCancellationRequested)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    open.Add(socket);
                    try
                    {
                        socket.Bind(new IPEndPoint(sources[next++ % sources.Length], 0));
                        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);
                        await socket.SendAsync(head, SocketFlags.None, stop);
                        Interlocked.Increment(ref stats.PartialOpened);
                    }
                    catch (Exception) when (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref stats.PartialFailed);
                    }
                }
                await Task.Delay(500, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            foreach (var socket in open)
                socket.Dispose();
        }
    }

    /// <summary>One connection after another sending <paramref name="frames"/> in turn, <paramref name="rate"/> a second; each close is counted by code.</summary>
    private static async Task FrameSenderAsync(IPEndPoint server, int index, double rate, SenderStats stats, CancellationToken stop, params string[] frames)
    {
        var bytes = frames.Select(Encoding.UTF8.GetBytes).ToArray();
        var pace = new Pace(rate);
        while (!stop.IsCancellationRequested)
        {
            WsClient? client = null;
            try
            {
                client = await WsClient.ConnectAsync(server, 16 * 1024, stop);
                Interlocked.Increment(ref stats.Connections);
                var reader = DrainAsync(client, stop);
                for (var i = index; !stop.IsCancellationRequested && !reader.IsCompleted; i++)
                {
                    await pace.NextAsync(stop);
                    await client.Ws.SendAsync(bytes[i % bytes.Length], System.Net.WebSockets.WebSocketMessageType.Text, true, stop);
                    Interlocked.Increment(ref stats.Frames);
                }
                stats.Closed(await reader);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                stats.Closed(client?.Ws.CloseStatus is { } status ? (int)status : -1);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                client?.Abort();
            }
        }
    }

    /// <summary>Reads and drops the server's frames; the close code, or -1 when the connection just ended.</summary>
    private static async Task<int> DrainAsync(WsClient client, CancellationToken stop)
    {
        try
        {
            while (await client.ReceiveAsync(stop) >= 0)
            {
            }
        }
        catch (Exception)
        {
        }
        return client.Ws.CloseStatus is { } status ? (int)status : -1;
    }

    private static async Task AbortCyclesAsync(IPEndPoint server, int index, double rate, AttackStats stats, CancellationToken stop)
    {
        var pace = new Pace(rate);
        while (!stop.IsCancellationRequested)
        {
            WsClient? client = null;
            try
            {
                await pace.NextAsync(stop);
                client = await WsClient.ConnectAsync(server, 4096, stop);
                await client.HandshakeAsync($"abort-{index % 4}", stop);
                Interlocked.Increment(ref stats.AbortCycles);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref stats.AbortFailures);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                client?.Abort();
            }
        }
    }

    /// <summary>Connections that each send one 63 KB frame, then idle: the server's RSS per connection before and after.</summary>
    private static async Task BigFramesAsync(IPEndPoint server, ServerProbe probe, int n, TimeSpan limit, Dictionary<string, object?> r)
    {
        if (n <= 0)
            return;
        var (clients, _, _) = await Scenarios.ConnectManyAsync(server, n, 64, i => $"big-{i % 50}", 4096, limit);
        var held = clients.Where(c => c is not null).Select(c => c!).ToList();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var rssIdle = probe.RssKiB();
        var frame = $$"""{"op":"unsubscribe","id":2,"channel":"nothing","pad":"{{new string('b', 63_000)}}"}""";
        using var timeout = new CancellationTokenSource(limit);
        var answered = 0;
        await Parallel.ForEachAsync(held, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = timeout.Token }, async (c, ct) =>
        {
            await c.SendAsync(frame, ct);
            if (await c.ReceiveAsync(ct) > 0)
                Interlocked.Increment(ref answered);
        });
        await Task.Delay(TimeSpan.FromSeconds(8));
        var rssAfter = probe.RssKiB();
        r["bigframe_connections"] = held.Count;
        r["bigframe_answered"] = answered;
        r["bigframe_rss_idle_kib"] = rssIdle;
        r["bigframe_rss_after_kib"] = rssAfter;
        r["bigframe_retained_kib_per_connection"] = held.Count > 0 ? Math.Round((rssAfter - rssIdle) / (double)held.Count, 2) : 0;
        foreach (var c in held)
            c.Abort();
    }

    private static async Task<(double Tcp, double Connections, double Actors, double Channels)> GaugesAsync(ServerProbe probe) =>
        (await probe.MetricAsync("notify_tcp_connections"), await probe.MetricAsync("notify_connections"),
         await probe.MetricAsync("notify_subscriber_actors"), await probe.MetricAsync("notify_channels"));

    private static bool IsAlive(int pid) => pid <= 0 || Directory.Exists($"/proc/{pid}");

    private static bool IsClosed(Socket socket)
    {
        var discard = new byte[256];
        try
        {
            while (socket.Poll(0, SelectMode.SelectRead))
            {
                if (socket.Receive(discard) == 0)
                    return true;
            }
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>
    /// An attacker's pace: so many actions a second, caught up in bursts after each short sleep. The attack
    /// must be what the service sees, not a load generator that takes the machine's cores from it.
    /// </summary>
    private sealed class Pace(double perSecond)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done;

        public async ValueTask NextAsync(CancellationToken stop)
        {
            while (_done >= _clock.Elapsed.TotalSeconds * perSecond)
                await Task.Delay(5, stop);
            _done++;
        }
    }

    /// <summary>CPU time of the server (from /proc) and of this process over a phase, in cores.</summary>
    private sealed class CpuClock
    {
        private readonly int _pid;
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly double _server;
        private readonly double _self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        private readonly ProcStat.MachineTime _machine = ProcStat.MachineTicks();

        private CpuClock(int pid)
        {
            _pid = pid;
            _server = ProcStat.ProcessSeconds(pid);
        }

        public static CpuClock Start(int pid) => new(pid);

        public double ServerCores() => Math.Round((ProcStat.ProcessSeconds(_pid) - _server) / _wall.Elapsed.TotalSeconds, 2);

        /// <summary>Every core's non-idle time over the phase (all processes and the kernel's softirqs), in cores.</summary>
        public double MachineBusyCores()
        {
            return Math.Round(ProcStat.MachineTicks().CoresSince(_machine).Busy, 2);
        }

        public double LoadGenCores() => Math.Round((Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _self) / _wall.Elapsed.TotalSeconds, 2);
    }

    private sealed class AttackStats
    {
        public readonly SenderStats Surrogate = new();
        public readonly SenderStats Pong = new();
        public long PartialOpened;
        public long PartialFailed;
        public long PartialClosedByServer;
        public long AbortCycles;
        public long AbortFailures;

        public void Into(Dictionary<string, object?> r)
        {
            r["partial_opened"] = PartialOpened;
            r["partial_failed"] = PartialFailed;
            r["partial_closed_by_server"] = PartialClosedByServer;
            r["surrogate_connections"] = Surrogate.Connections;
            r["surrogate_frames"] = Surrogate.Frames;
            r["surrogate_closes"] = Surrogate.Codes();
            r["pong_connections"] = Pong.Connections;
            r["pong_frames"] = Pong.Frames;
            r["pong_closes"] = Pong.Codes();
            r["abort_cycles"] = AbortCycles;
            r["abort_failures"] = AbortFailures;
        }
    }

    private sealed class SenderStats
    {
        private readonly Dictionary<int, long> _closes = [];
        public long Connections;
        public long Frames;

        public void Closed(int code)
        {
            lock (_closes)
                _closes[code] = _closes.GetValueOrDefault(code) + 1;
        }

        public string Codes()
        {
            lock (_closes)
                return string.Join(" ", _closes.OrderBy(p => p.Key).Select(p => $"{p.Key}x{p.Value}"));
        }
    }
}
