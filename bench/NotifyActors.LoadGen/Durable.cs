using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>
/// `loadgen durable`: publications to channels in a namespace with history (journaled before
/// POST /api/publish answers), run by bench/run.sh once per store (memory, sqlite, postgres) on a fresh server.
///   --phase load:    8 publishers (one kept-alive connection each, sequential POSTs) at full speed on one
///                    channel, then over 100 channels (--warmup s not counted, then --seconds s); then paced
///                    at --rate/s over the 8 on one channel (latency from each publication's scheduled time,
///                    so a late answer also counts against the ones queued behind it); then --history
///                    publications to each of two recovery channels and --bound to one channel.
///   --phase recover: after bench/run.sh restarted the server on the same store: the first history query of
///                    the first recovery channel (cold: includes the store plugin's start-up), then of the
///                    second (warm), each timed; then both read in full to check nothing was lost.
/// `loadgen durable-report`: the table of every run in --results, ratios to memory and the verdicts.
/// </summary>
internal static class Durable
{
    private const string Namespace = "bench";

    public static async Task Run(Options o, Uri baseUri, string apiKey, TimeSpan limit, Dictionary<string, object?> r)
    {
        var phase = o.Get("phase", "load");
        r["scenario"] = "durable-" + phase;
        r["store"] = o.Get("label", "memory");
        r["rep"] = o.Int("rep", 1);
        var history = o.Int("history", 300);
        if (phase == "recover")
        {
            await RecoverAsync(baseUri, apiKey, history, r);
            return;
        }

        var publishers = o.Int("publishers", 8);
        var warmup = TimeSpan.FromSeconds(o.Double("warmup", 2));
        var seconds = TimeSpan.FromSeconds(o.Double("seconds", 10));
        var clients = Enumerable.Range(0, publishers).Select(_ => NewClient()).ToArray();
        try
        {
            var pad = new string('x', o.Int("payload", 64));
            var one = await ClosedLoopAsync(clients, baseUri, apiKey, (_, _) => $"{Namespace}:one", pad, warmup, seconds);
            Put(r, "one", one);
            var many = await ClosedLoopAsync(clients, baseUri, apiKey, (k, i) => $"{Namespace}:c{(k * 13 + i) % 100}", pad, warmup, seconds);
            Put(r, "many", many);
            var rate = o.Double("rate", 1000);
            await PacedAsync(clients, baseUri, apiKey, $"{Namespace}:paced", pad, rate, warmup); // warm-up at the same pace, not counted
            var paced = await PacedAsync(clients, baseUri, apiKey, $"{Namespace}:paced", pad, rate, seconds);
            Put(r, "paced", paced);
            r["paced_rate_target"] = rate;

            foreach (var channel in new[] { $"{Namespace}:rec1", $"{Namespace}:rec2" })
            {
                var filled = await CountAsync(clients, baseUri, apiKey, channel, pad, history, limit);
                r[$"{channel[(Namespace.Length + 1)..]}_published"] = filled.Ok;
                r[$"{channel[(Namespace.Length + 1)..]}_failures"] = filled.Failed;
                if (filled.FirstError.Length > 0)
                    r[$"{channel[(Namespace.Length + 1)..]}_first_error"] = filled.FirstError;
            }
            var bound = await CountAsync(clients, baseUri, apiKey, $"{Namespace}:bound", pad, o.Int("bound", 5000), limit);
            r["bound_channel"] = $"{Namespace}:bound";
            r["bound_published"] = bound.Ok;
            r["bound_failures"] = bound.Failed;
            r["bound_per_s"] = Math.Round(bound.Ok / bound.Seconds, 1);
            if (bound.FirstError.Length > 0)
                r["bound_first_error"] = bound.FirstError;
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
        }
    }

    private static async Task RecoverAsync(Uri baseUri, string apiKey, int history, Dictionary<string, object?> r)
    {
        using var http = NewClient();
        // The HTTP connection is open before anything is timed: the figures are the channel's, not TCP's.
        using (var warm = await http.GetAsync(new Uri(baseUri, "/healthz")))
            r["healthz_status"] = (int)warm.StatusCode;
        foreach (var (name, key) in new[] { ("rec1", "cold"), ("rec2", "warm") })
        {
            var (ms, status, body) = await HistoryAsync(http, baseUri, apiKey, $"{Namespace}:{name}", 1);
            r[$"recovery_{key}_ms"] = Math.Round(ms, 2);
            r[$"recovery_{key}_status"] = status;
            r[$"recovery_{key}_offset"] = Offset(body);
        }
        // Asked again, with the channel live: what a query costs without recovery.
        var (liveMs, _, _) = await HistoryAsync(http, baseUri, apiKey, $"{Namespace}:rec1", 1);
        r["history_live_ms"] = Math.Round(liveMs, 2);
        foreach (var name in new[] { "rec1", "rec2" })
        {
            var (_, status, body) = await HistoryAsync(http, baseUri, apiKey, $"{Namespace}:{name}", history);
            r[$"{name}_kept"] = status == 200 ? Publications(body) : -1;
        }
    }

    private static async Task<(double Ms, int Status, string Body)> HistoryAsync(HttpClient http, Uri baseUri, string apiKey, string channel, int limit)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"/api/history?channel={Uri.EscapeDataString(channel)}&limit={limit}"));
        request.Headers.TryAddWithoutValidation("Authorization", "apikey " + apiKey);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (ms, (int)response.StatusCode, body);
    }

    private static long Offset(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("offset", out var offset) ? offset.GetInt64() : -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static int Publications(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("publications", out var list) ? list.GetArrayLength() : -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private sealed record Phase(long Ok, long Failed, double Seconds, Histogram Latency, string FirstError);

    private static void Put(Dictionary<string, object?> r, string prefix, Phase p)
    {
        r[prefix + "_published"] = p.Ok;
        r[prefix + "_failures"] = p.Failed;
        r[prefix + "_per_s"] = Math.Round(p.Ok / p.Seconds, 1);
        r[prefix + "_p50_ms"] = p.Latency.PercentileMs(50);
        r[prefix + "_p99_ms"] = p.Latency.PercentileMs(99);
        r[prefix + "_max_ms"] = p.Latency.MaxMs;
        if (p.FirstError.Length > 0)
            r[prefix + "_first_error"] = p.FirstError;
    }

    /// <summary>One connection per publisher: each of them sends its POSTs one after the other on it.</summary>
    private static HttpClient NewClient() =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), UseProxy = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Every publisher sends as fast as it is answered: warm-up (dropped), then the measured window.</summary>
    private static async Task<Phase> ClosedLoopAsync(HttpClient[] clients, Uri baseUri, string apiKey, Func<int, long, string> channelOf, string pad, TimeSpan warmup, TimeSpan window)
    {
        var latency = new Histogram();
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        var end = warmup + window;
        var workers = clients.Select((http, k) => Task.Run(async () =>
        {
            for (long i = 0; clock.Elapsed < end; i++)
            {
                var counted = clock.Elapsed >= warmup;
                var start = Stopwatch.GetTimestamp();
                var error = await PublishAsync(http, baseUri, apiKey, channelOf(k, i), i, pad);
                if (!counted || clock.Elapsed > end)
                    continue;
                latency.RecordTicks(Stopwatch.GetTimestamp() - start);
                tally.Record(error);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new Phase(tally.Ok, tally.Failed, window.TotalSeconds, latency, tally.FirstError);
    }

    /// <summary>
    /// Open loop: publication j is due at j / rate seconds, publisher j % n sends it; latency is from when it
    /// was due to its answer.
    /// </summary>
    private static async Task<Phase> PacedAsync(HttpClient[] clients, Uri baseUri, string apiKey, string channel, string pad, double rate, TimeSpan window)
    {
        var latency = new Histogram();
        var tally = new Tally();
        var n = clients.Length;
        var total = (long)(rate * window.TotalSeconds);
        var origin = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        var hardEnd = window + TimeSpan.FromSeconds(30);
        var workers = clients.Select((http, k) => Task.Run(async () =>
        {
            for (long j = k; j < total && clock.Elapsed < hardEnd; j += n)
            {
                var due = TimeSpan.FromSeconds(j / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                    await Task.Delay(wait);
                var error = await PublishAsync(http, baseUri, apiKey, channel, j, pad);
                latency.RecordTicks(Stopwatch.GetTimestamp() - origin - (long)(due.TotalSeconds * Stopwatch.Frequency));
                tally.Record(error);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new Phase(tally.Ok, tally.Failed, clock.Elapsed.TotalSeconds, latency, tally.FirstError);
    }

    /// <summary>A fixed number of publications to one channel, spread over the publishers.</summary>
    private static async Task<Phase> CountAsync(HttpClient[] clients, Uri baseUri, string apiKey, string channel, string pad, int count, TimeSpan limit)
    {
        var tally = new Tally();
        long next = -1;
        var clock = Stopwatch.StartNew();
        var workers = clients.Select(http => Task.Run(async () =>
        {
            long i;
            while ((i = Interlocked.Increment(ref next)) < count && clock.Elapsed < limit)
            {
                tally.Record(await PublishAsync(http, baseUri, apiKey, channel, i, pad));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new Phase(tally.Ok, tally.Failed, clock.Elapsed.TotalSeconds, new Histogram(), tally.FirstError);
    }

    /// <summary>Publishes answered and failed, counted from several workers, with the first failure's text.</summary>
    private sealed class Tally
    {
        private long _ok;
        private long _failed;
        private string _firstError = "";

        public long Ok => Interlocked.Read(ref _ok);

        public long Failed => Interlocked.Read(ref _failed);

        public string FirstError => _firstError;

        public void Record(string? error)
        {
            if (error is null)
            {
                Interlocked.Increment(ref _ok);
                return;
            }
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstError, error, "");
        }
    }

    /// <summary>One POST /api/publish; null when answered 200, else what went wrong.</summary>
    private static async Task<string?> PublishAsync(HttpClient http, Uri baseUri, string apiKey, string channel, long i, string pad)
    {
        var body = $"{{\"channel\":\"{channel}\",\"data\":{{\"i\":{i},\"p\":\"{pad}\"}}}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "/api/publish"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "apikey " + apiKey);
        try
        {
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode)
                return null;
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception e)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }

    // ---- durable-report ----

    private static readonly string[] Stores = ["memory", "sqlite", "postgres"];

    public static int Report(Options o)
    {
        var dir = o.Get("results", ".");
        var runs = new Dictionary<(string Store, int Rep), Dictionary<string, JsonElement>>();
        foreach (var file in Directory.GetFiles(dir, "durable-*.json").Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length == 0)
                continue;
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var key = (root.GetProperty("store").GetString()!, root.GetProperty("rep").GetInt32());
            if (!runs.TryGetValue(key, out var merged))
                runs[key] = merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
                merged[p.Name] = p.Value.Clone();
        }
        var reps = runs.Keys.Select(k => k.Rep).Distinct().Order().ToArray();
        double? Num(string store, int rep, string key) =>
            runs.TryGetValue((store, rep), out var m) && m.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        string Cell(double? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "-";

        var columns = Stores.SelectMany(s => reps.Select(rep => (Store: s, Rep: rep))).ToArray();
        var sb = new StringBuilder();
        sb.Append("| figure | ").Append(string.Join(" | ", columns.Select(c => $"{c.Store} {c.Rep}"))).AppendLine(" |");
        sb.Append("|---|").Append(string.Concat(columns.Select(_ => "---|"))).AppendLine();
        var figures = new (string Key, string Name)[]
        {
            ("one_per_s", "one channel, publications/s (8 publishers)"),
            ("one_p50_ms", "one channel, publish p50 ms"),
            ("one_p99_ms", "one channel, publish p99 ms"),
            ("many_per_s", "100 channels, publications/s"),
            ("many_p50_ms", "100 channels, publish p50 ms"),
            ("many_p99_ms", "100 channels, publish p99 ms"),
            ("paced_per_s", "paced one channel, publications/s achieved"),
            ("paced_p50_ms", "paced 1,000/s, p50 ms (from due time)"),
            ("paced_p99_ms", "paced 1,000/s, p99 ms (from due time)"),
            ("paced_max_ms", "paced 1,000/s, max ms"),
            ("recovery_cold_ms", "first history query after restart, ms (cold)"),
            ("recovery_warm_ms", "second channel's first query, ms (warm)"),
            ("history_live_ms", "query of a live channel, ms"),
            ("rec1_kept", "publications kept after restart, channel 1 (of 300)"),
            ("rec2_kept", "publications kept after restart, channel 2 (of 300)"),
            ("bound_published", "publications to the bound channel"),
            ("journal_rows", "journal rows for the bound channel"),
            ("journal_rows_live", "of which not marked deleted"),
            ("snapshot_rows", "snapshot rows for the bound channel"),
            ("failures", "publish failures, all phases"),
        };
        foreach (var (key, name) in figures)
        {
            sb.Append("| ").Append(name).Append(" | ");
            sb.Append(string.Join(" | ", columns.Select(c => key == "failures" ? Cell(Failures(c.Store, c.Rep)) : Cell(Num(c.Store, c.Rep, key)))));
            sb.AppendLine(" |");
        }

        double? Failures(string store, int rep)
        {
            if (!runs.ContainsKey((store, rep)))
                return null;
            return new[] { "one_failures", "many_failures", "paced_failures", "rec1_failures", "rec2_failures", "bound_failures" }
                .Sum(k => Num(store, rep, k) ?? 0);
        }

        var verdicts = new List<string>();
        foreach (var store in Stores.Skip(1))
        {
            if (!reps.Any(rep => runs.ContainsKey((store, rep))))
            {
                verdicts.Add($"{store}: not measured (no run)");
                continue;
            }
            foreach (var (key, target, what) in new[] { ("one_per_s", 0.5, "one channel"), ("many_per_s", 0.7, "100 channels") })
            {
                var ratios = reps.Select(rep => Num(store, rep, key) / Num("memory", rep, key)).ToArray();
                var met = ratios.All(x => x >= target);
                verdicts.Add($"{store} / memory, {what}: {string.Join(", ", ratios.Select(x => x is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-"))} (target >= {target:0.0}x): {(met ? "met" : "MISSED")}");
            }
            var p99 = reps.Select(rep => Num(store, rep, "paced_p99_ms")).ToArray();
            verdicts.Add($"{store} paced 1,000/s p99: {string.Join(", ", p99.Select(Cell))} ms (target <= 20 ms): {(p99.All(x => x <= 20) ? "met" : "MISSED")}");
            verdicts.Add($"{store} recovery of 300, cold / warm: {string.Join("; ", reps.Select(rep => $"{Cell(Num(store, rep, "recovery_cold_ms"))} / {Cell(Num(store, rep, "recovery_warm_ms"))}"))} ms (target <= 50 ms): " +
                $"cold {(reps.All(rep => Num(store, rep, "recovery_cold_ms") <= 50) ? "met" : "MISSED")}, warm {(reps.All(rep => Num(store, rep, "recovery_warm_ms") <= 50) ? "met" : "MISSED")}");
        }
        var text2 = $"durable channels, {o.Get("machine", "")}\n\n{sb}\n" + string.Join("\n", verdicts) + "\n";
        Console.Write(text2);
        File.WriteAllText(Path.Combine(dir, "summary"), text2);
        return 0;
    }
}
