namespace NotifyActors.Server.Tests;

/// <summary>
/// Several services in this process forming one cluster, as separate machines would: node 0 listens for the cluster
/// on a fixed free port and is every node's seed; the others take any port. Each node is a whole service (Kestrel,
/// API, WebSockets) on its own loopback ports. Disposed last node first.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan FormLimit = TimeSpan.FromSeconds(30);
    private readonly List<ServiceHost> _nodes;

    private LocalCluster(List<ServiceHost> nodes) => _nodes = nodes;

    public IReadOnlyList<ServiceHost> Nodes => _nodes;

    public ServiceHost this[int index] => _nodes[index];

    public static async Task<LocalCluster> StartAsync(int count, string? hocon = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var seedPort = ServiceProcess.FreePort();
        var nodes = new List<ServiceHost>();
        var cluster = new LocalCluster(nodes);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
                {
                    ["NOTIFY_CLUSTER_SEEDS"] = $"127.0.0.1:{seedPort}",
                    ["NOTIFY_CLUSTER_PORT"] = i == 0 ? seedPort.ToString() : "0",
                };
                nodes.Add(await ServiceHost.StartAsync(hocon, variables));
            }
            await cluster.AwaitMembersAsync(count);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until every live node sees <paramref name="count"/> members Up and none unreachable.</summary>
    public Task AwaitMembersAsync(int count, IEnumerable<ServiceHost>? nodes = null)
    {
        var watched = (nodes ?? _nodes).ToList();
        return Eventually.HoldsAsync(() => watched.All(n => n.Metrics.ClusterMembers == count && n.Metrics.ClusterUnreachable == 0), FormLimit,
            () => "members Up / unreachable per node: " + string.Join(", ", watched.Select(n => $"{n.Metrics.ClusterMembers}/{n.Metrics.ClusterUnreachable}")));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
            await _nodes[i].DisposeAsync();
    }
}
