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

    /// <param name="failureInjection">
    /// Put Akka.Remote's failure injector ("gremlin") under remoting, so that a spec can drop messages between nodes
    /// (<see cref="DropAsync"/>). Its addresses have their own protocol, so the seed is given as akka.cluster.seed-nodes.
    /// </param>
    public static async Task<LocalCluster> StartAsync(int count, string? hocon = null, IReadOnlyDictionary<string, string?>? environment = null, bool failureInjection = false)
    {
        var seedPort = ServiceProcess.FreePort();
        if (failureInjection)
        {
            hocon = $$"""
                akka.remote.dot-netty.tcp.applied-adapters = [gremlin]
                # Each node sends over its own connection, whose address the injector matches; a connection the other
                # node opened is known by that node's ephemeral port, and drops aimed at its address would miss it.
                akka.remote.use-passive-connections = off
                akka.cluster.seed-nodes = ["akka.gremlin.tcp://notify@127.0.0.1:{{seedPort}}"]
                {{hocon}}
                """;
        }
        var nodes = new List<ServiceHost>();
        var cluster = new LocalCluster(nodes);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
                {
                    ["NOTIFY_CLUSTER_PORT"] = i == 0 ? seedPort.ToString() : "0",
                };
                if (!failureInjection)
                    variables["NOTIFY_CLUSTER_SEEDS"] = $"127.0.0.1:{seedPort}";
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

    /// <summary>Waits until every node sees <paramref name="count"/> members Up and none unreachable.</summary>
    private Task AwaitMembersAsync(int count) =>
        Eventually.HoldsAsync(() => _nodes.All(n => n.Metrics.ClusterMembers == count && n.Metrics.ClusterUnreachable == 0), FormLimit,
            () => "members Up / unreachable per node: " + string.Join(", ", _nodes.Select(n => $"{n.Metrics.ClusterMembers}/{n.Metrics.ClusterUnreachable}")));

    /// <summary>
    /// From now on <paramref name="from"/> drops this share of what it sends <paramref name="to"/> (0: none), at the
    /// transport: Akka's own messages too, which it sends again where it must (system messages), and ours, which it does not.
    /// </summary>
    public static async Task DropAsync(ServiceHost from, ServiceHost to, double share)
    {
        var transport = ((Akka.Remote.IRemoteActorRefProvider)((Akka.Actor.ExtendedActorSystem)from.ActorSystem).Provider).Transport;
        var address = ((Akka.Actor.ExtendedActorSystem)to.ActorSystem).Provider.DefaultAddress;
        Akka.Remote.Transport.FailureInjectorTransportAdapter.IGremlinMode mode = share > 0
            ? new Akka.Remote.Transport.FailureInjectorTransportAdapter.Drop(share, 0)
            : Akka.Remote.Transport.FailureInjectorTransportAdapter.PassThru.Instance;
        Assert.True(await transport.ManagementCommand(new Akka.Remote.Transport.FailureInjectorTransportAdapter.One(address, mode)));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
            await _nodes[i].DisposeAsync();
    }
}
