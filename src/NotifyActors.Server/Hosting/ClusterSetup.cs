using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Hosting;

/// <summary>
/// Makes the node a cluster member (notify.cluster): remoting on its address, the seed nodes to join, Split Brain
/// Resolver's keep-majority. With no seeds the node joins itself, a cluster of one, so that a single node runs the
/// same code as a cluster.
/// </summary>
public static class ClusterSetup
{
    /// <summary>The actor system's name, part of every node's address: the same on every node of a cluster.</summary>
    public const string SystemName = "notify";

    public static AkkaConfigurationBuilder WithNotifyCluster(this AkkaConfigurationBuilder akka, NotifySettings settings)
    {
        // Above the largest message between nodes: a publication, a batch of them, a repair, a recovery.
        var frame = Math.Max(4L << 20, Math.Max(settings.Limits.MaxPublishBytes, settings.MaxReplyBytes) + (64L << 10));
        return akka
            .WithRemoting(new RemoteOptions
            {
                HostName = settings.Cluster.Host,
                Port = settings.Cluster.Port,
                MaxFrameSize = frame,
                SendBufferSize = frame,
                ReceiveBufferSize = frame,
            })
            .WithClustering(new ClusterOptions
            {
                SeedNodes = settings.Cluster.Seeds.Count > 0 ? [.. settings.Cluster.SeedAddresses(SystemName)] : null,
                SplitBrainResolver = new KeepMajorityOption(),
            });
    }

    /// <summary>
    /// A node with no seeds joins itself; one with seeds joins them (Akka does, from akka.cluster.seed-nodes, which
    /// notify.cluster.seeds fills, and which an operator may also set in HOCON, e.g. for another transport's addresses).
    /// </summary>
    public static void JoinIfAlone(ActorSystem system, NotifySettings settings)
    {
        if (settings.Cluster.Seeds.Count > 0 || system.Settings.Config.GetStringList("akka.cluster.seed-nodes").Count > 0)
            return;
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
    }
}
