using System.Diagnostics;
using System.Net.Http.Headers;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A cluster of real service processes on loopback, as an operator runs one on one machine: every node lists node 0's
/// cluster port as its seed, each has its own public port, all share <paramref name="environment"/> (the store) and
/// one NOTIFY_CONFIG file. Nodes are stopped as a spec says (SIGKILL, SIGTERM); whatever still runs is killed at dispose.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private static readonly TimeSpan FormLimit = TimeSpan.FromSeconds(60);
    private readonly string _config;

    private ProcessCluster(string config, List<Node> nodes) => (_config, Nodes) = (config, nodes);

    public IReadOnlyList<Node> Nodes { get; }

    public Node this[int index] => Nodes[index];

    /// <summary>One node: its process, its public address, a server API client with the API key.</summary>
    public sealed class Node(int index, ServiceProcess process, int port) : IDisposable
    {
        public int Index { get; } = index;

        public ServiceProcess Process { get; } = process;

        public Uri WebSocketUri { get; } = new($"ws://127.0.0.1:{port}/ws");

        public HttpClient Api { get; } = Client(port);

        public bool Stopped { get; set; }

        public void Dispose() => Api.Dispose();

        private static HttpClient Client(int port)
        {
            var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(15) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);
            return http;
        }
    }

    public static async Task<ProcessCluster> StartAsync(int count, string hocon, Dictionary<string, string?> environment)
    {
        var config = Path.Combine(Path.GetTempPath(), $"notify-cluster-{Guid.NewGuid():N}.hocon");
        // Members are Up, and leave, within a tenth of a second (ServiceHost says why); a dead node is downed after 5 s.
        await File.WriteAllTextAsync(config, $$"""
            akka.cluster { periodic-tasks-initial-delay = 100ms, leader-actions-interval = 100ms, singleton.hand-over-retry-interval = 100ms }
            akka.cluster.split-brain-resolver.stable-after = 5s
            {{hocon}}
            """);
        var seed = ServiceProcess.FreePort();
        var nodes = new List<Node>();
        var cluster = new ProcessCluster(config, nodes);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var port = ServiceProcess.FreePort();
                var variables = new Dictionary<string, string?>(environment)
                {
                    ["NOTIFY_URLS"] = $"http://127.0.0.1:{port}",
                    ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0",
                    ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
                    ["NOTIFY_JWT_SECRET"] = ServiceHost.JwtSecret,
                    ["NOTIFY_ADMIN_TOKEN"] = ServiceHost.AdminToken,
                    ["NOTIFY_CONFIG"] = config,
                    ["NOTIFY_CLUSTER_PORT"] = i == 0 ? seed.ToString() : "0",
                    ["NOTIFY_CLUSTER_SEEDS"] = $"127.0.0.1:{seed}",
                };
                nodes.Add(new Node(i, ServiceProcess.Start(variables), port));
            }
            foreach (var node in nodes)
                await node.Process.Listening.WaitAsync(FormLimit);
            await Eventually.HoldsAsync(async () => (await Task.WhenAll(nodes.Select(MembersAsync))).All(m => m == count), FormLimit,
                () => $"not every node sees {count} members Up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public IEnumerable<Node> Running => Nodes.Where(n => !n.Stopped);

    /// <summary>notify_cluster_members as the node's /metrics says; 0 when it does not answer.</summary>
    public static async Task<double> MembersAsync(Node node)
    {
        try
        {
            return new PrometheusText(await node.Api.GetStringAsync("metrics")).Value("notify_cluster_members") ?? 0;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>SIGKILL: the process dies at once, with no leave and no hand-off.</summary>
    public async Task KillAsync(Node node)
    {
        node.Stopped = true;
        node.Process.Process.Kill();
        await node.Process.ExitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM: the graceful stop; answers the exit code.</summary>
    public async Task<int> TerminateAsync(Node node, TimeSpan limit)
    {
        node.Stopped = true;
        using (var kill = Process.Start("kill", ["-TERM", node.Process.Process.Id.ToString()]))
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return await node.Process.ExitAsync(limit);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.Process.DisposeAsync();
            node.Dispose();
        }
        File.Delete(_config);
    }
}
