using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NotifyActors.LoadGen;

/// <summary>
/// Latency histogram: 10 µs buckets up to 10 s, then 10 ms buckets up to 100 s (beyond goes to the last bucket): a
/// broadcast to 100,000 connections on two cores takes longer than 10 s to drain. Lock-free recording.
/// </summary>
internal sealed class Histogram
{
    private const long FineMicros = 10;
    private const long FineBuckets = 1_000_000;
    private const long CoarseMicros = 10_000;
    private readonly long[] _buckets = new long[FineBuckets + 9_000];
    private long _count;
    private long _maxMicros;

    public long Count => Interlocked.Read(ref _count);

    public void RecordTicks(long stopwatchTicks)
    {
        var micros = Math.Max(0, stopwatchTicks * 1_000_000 / Stopwatch.Frequency);
        var bucket = micros < FineBuckets * FineMicros ? micros / FineMicros : FineBuckets + (micros - FineBuckets * FineMicros) / CoarseMicros;
        Interlocked.Increment(ref _buckets[Math.Min(_buckets.Length - 1, bucket)]);
        Interlocked.Increment(ref _count);
        RecordMax(micros);
    }

    /// <summary>The latency in milliseconds at percentile <paramref name="p"/> (0-100), or 0 without samples.</summary>
    public double PercentileMs(double p)
    {
        var count = Count;
        if (count == 0)
            return 0;
        var rank = (long)Math.Ceiling(count * p / 100.0);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank)
                return Math.Round(UpperMicros(i) / 1000.0, 2);
        }
        return MaxMs;
    }

    private static long UpperMicros(long bucket) =>
        bucket < FineBuckets ? (bucket + 1) * FineMicros : FineBuckets * FineMicros + (bucket - FineBuckets + 1) * CoarseMicros;

    public double MaxMs => Math.Round(Interlocked.Read(ref _maxMicros) / 1000.0, 2);

    /// <summary>
    /// The non-empty buckets as index, count, index, count, ..., then the maximum in µs: how a load process that
    /// holds connections hands its latencies to the one that reports them (<see cref="Merge"/>).
    /// </summary>
    public long[] Export()
    {
        var pairs = new List<long>();
        for (var i = 0; i < _buckets.Length; i++)
        {
            var n = Interlocked.Read(ref _buckets[i]);
            if (n > 0)
                pairs.AddRange([i, n]);
        }
        pairs.Add(Interlocked.Read(ref _maxMicros));
        return [.. pairs];
    }

    /// <summary>Adds what another histogram's <see cref="Export"/> gave.</summary>
    public void Merge(long[] exported)
    {
        for (var i = 0; i + 1 < exported.Length; i += 2)
        {
            Interlocked.Add(ref _buckets[exported[i]], exported[i + 1]);
            Interlocked.Add(ref _count, exported[i + 1]);
        }
        if (exported.Length % 2 == 1)
            RecordMax(exported[^1]);
    }

    private void RecordMax(long micros)
    {
        var max = Interlocked.Read(ref _maxMicros);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxMicros, micros, max);
            if (seen == max)
                break;
            max = seen;
        }
    }
}

/// <summary>What the load generator reads off the server: RSS from /proc and gauges from /metrics.</summary>
internal sealed class ServerProbe(HttpClient http, Uri baseUri, int pid)
{
    public int Pid => pid;

    /// <summary>VmRSS of the server in KiB, or -1 without a pid.</summary>
    public long RssKiB()
    {
        if (pid <= 0)
            return -1;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return -1;
    }

    /// <summary>The sum of every sample of a series in /metrics (labels ignored), or -1 when it is absent.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var text = await http.GetStringAsync(new Uri(baseUri, "/metrics"));
        double sum = 0;
        var found = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length <= name.Length || !line.StartsWith(name, StringComparison.Ordinal))
                continue;
            var next = line[name.Length];
            if (next != ' ' && next != '{')
                continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // "name{labels} value [timestamp]": the value is the second token after the labels.
            var valueToken = next == '{' ? line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0] : parts[1];
            if (double.TryParse(valueToken, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum += value;
                found = true;
            }
        }
        return found ? sum : -1;
    }

    /// <summary>Waits (bounded) until both gauges reach zero; answers the last values seen.</summary>
    public async Task<(double Connections, double Actors)> SettleAsync(TimeSpan limit)
    {
        var until = Stopwatch.StartNew();
        (double, double) last = (-1, -1);
        while (until.Elapsed < limit)
        {
            last = (await MetricAsync("notify_connections"), await MetricAsync("notify_subscriber_actors"));
            if (last.Item1 <= 0 && last.Item2 <= 0)
                break;
            await Task.Delay(250);
        }
        return last;
    }
}

/// <summary>
/// Publishes through POST /api/publish: paced at a rate, or at full speed with a number in flight. With several
/// targets (the nodes of a cluster) publication n goes through target n mod their count.
/// </summary>
internal sealed class Publisher(HttpClient http, IReadOnlyList<Uri> targets, string apiKey)
{
    public Publisher(HttpClient http, Uri baseUri, string apiKey)
        : this(http, [baseUri], apiKey)
    {
    }

    public long Ok;
    public long Failed;
    public long FirstTicks;

    public async Task RunAsync(string channel, int count, double rate, int inflight, int payloadBytes, TimeSpan limit)
    {
        var pad = new string('x', Math.Max(0, payloadBytes));
        var clock = Stopwatch.StartNew();
        FirstTicks = Stopwatch.GetTimestamp();
        if (rate > 0)
        {
            using var slots = new SemaphoreSlim(inflight);
            var pending = new List<Task>(count);
            var interval = 1.0 / rate;
            for (var i = 0; i < count && clock.Elapsed < limit; i++)
            {
                var wait = TimeSpan.FromSeconds(i * interval) - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                    await Task.Delay(wait);
                await slots.WaitAsync();
                var n = i;
                pending.Add(Task.Run(async () =>
                {
                    try { await PublishOneAsync(channel, n, pad); }
                    finally { slots.Release(); }
                }));
            }
            await Task.WhenAll(pending);
            return;
        }

        var next = -1;
        var workers = Enumerable.Range(0, inflight).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < count && clock.Elapsed < limit)
                await PublishOneAsync(channel, n, pad);
        }));
        await Task.WhenAll(workers);
    }

    private async Task PublishOneAsync(string channel, int n, string pad)
    {
        var body = $"{{\"channel\":\"{channel}\",\"data\":{{\"t\":{Stopwatch.GetTimestamp()},\"i\":{n},\"p\":\"{pad}\"}}}}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(targets[n % targets.Count], "/api/publish"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", "apikey " + apiKey);
        try
        {
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode)
                Interlocked.Increment(ref Ok);
            else
                Interlocked.Increment(ref Failed);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref Failed);
        }
    }
}
