using System.Globalization;
using System.Net;

namespace NotifyActors.LoadGen;

/// <summary>
/// The server processes of one cluster run (one node, or every node of a cluster), from --urls and --pids (comma
/// separated, in the same order): their addresses, and what /proc and /metrics say of each.
/// </summary>
internal sealed class ClusterNodes
{
    private ClusterNodes(IReadOnlyList<Uri> urls, IReadOnlyList<int> pids, IReadOnlyList<ServerProbe> probes)
    {
        Urls = urls;
        Pids = pids;
        Probes = probes;
    }

    public IReadOnlyList<Uri> Urls { get; }
    public IReadOnlyList<int> Pids { get; }
    public IReadOnlyList<ServerProbe> Probes { get; }
    public int Count => Urls.Count;

    /// <summary>The nodes named by --urls and --pids, or null (with the reason on stderr) when they do not pair up or leave loopback.</summary>
    public static ClusterNodes? Parse(Options o, HttpClient http)
    {
        var urls = o.Get("urls", o.Get("url", "http://127.0.0.1:5080")).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToList();
        var pids = o.Get("pids", o.Get("pid", "0")).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        if (urls.Count != pids.Count)
        {
            Console.Error.WriteLine($"loadgen: {urls.Count} urls but {pids.Count} pids");
            return null;
        }
        if (urls.Any(u => !IPAddress.TryParse(u.Host, out var ip) || ip.GetAddressBytes()[0] != 127))
        {
            Console.Error.WriteLine("loadgen: traffic only to 127.0.0.0/8");
            return null;
        }
        return new ClusterNodes(urls, pids, [.. urls.Select((u, i) => new ServerProbe(http, u, pids[i]))]);
    }

    public IPEndPoint Endpoint(int node) => new(IPAddress.Parse(Urls[node].Host), Urls[node].Port);

    /// <summary>The CPU time (user + system) every node has used since it started, in seconds.</summary>
    public double CpuSeconds() => Pids.Sum(ProcStat.ProcessSeconds);

    /// <summary>
    /// Waits, at least <paramref name="min"/> and at most <paramref name="max"/>, until the nodes together use at most
    /// <paramref name="coresPerNode"/> each over a 2 s window: a young process keeps tiering up its JIT and collecting
    /// what a load left behind for several seconds after it, and that must not land in the next measured window.
    /// Answers how long it waited and the servers' cores over the last window.
    /// </summary>
    public async Task<(double Seconds, double Cores)> SettleCpuAsync(double coresPerNode, TimeSpan min, TimeSpan max)
    {
        var window = TimeSpan.FromSeconds(2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(min > window ? min - window : TimeSpan.Zero);
        double cores;
        do
        {
            var start = clock.Elapsed;
            var before = CpuSeconds();
            await Task.Delay(window);
            cores = (CpuSeconds() - before) / (clock.Elapsed - start).TotalSeconds;
        }
        while (cores > coresPerNode * Count && clock.Elapsed < max);
        return (Math.Round(clock.Elapsed.TotalSeconds, 1), Math.Round(cores, 3));
    }

    public long[] RssKiB() => [.. Probes.Select(p => p.RssKiB())];

    /// <summary>One series of /metrics on every node (its samples summed), in node order.</summary>
    public async Task<double[]> MetricAsync(string name) => await Task.WhenAll(Probes.Select(p => p.MetricAsync(name)));
}
