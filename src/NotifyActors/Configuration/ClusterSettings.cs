using System.Globalization;

namespace NotifyActors.Configuration;

/// <summary>
/// notify.cluster: this node's address in the cluster and the seed nodes it joins. With no seeds the node is a
/// cluster of one (it joins itself), which is how a laptop runs it: the same code path, nothing to set.
/// </summary>
/// <param name="Host">The address other nodes reach this one at (Akka remoting), also the one it listens on.</param>
/// <param name="Port">Remoting's TCP port; 0 takes a free one (fine for a cluster of one, not for a seed).</param>
/// <param name="Seeds">Seed nodes as host:port; empty for a cluster of one.</param>
/// <param name="Shards">
/// How many shards the channel owners are spread over. Every node must use the same number; about ten times the
/// largest number of nodes the cluster will have, so that a rebalance moves small parts.
/// </param>
/// <param name="AskTimeout">
/// How long a request waits for the actor that answers it, wherever in the cluster that is: a channel's owner for a
/// publish (the server API's and a client's), history and presence; every node for the cluster-wide answers. Past it
/// the request is answered as unanswered (503, or a client's internal error), never left waiting.
/// </param>
public sealed record ClusterSettings(string Host, int Port, IReadOnlyList<(string Host, int Port)> Seeds, int Shards, TimeSpan AskTimeout)
{
    internal static ClusterSettings Create(ConfigReader section)
    {
        var host = section.String("host").Trim();
        if (host.Length == 0)
            throw new SettingsException(section.Path("host"), "must not be empty");
        var port = section.NonNegativeInt("port");
        if (port > 65535)
            throw new SettingsException(section.Path("port"), $"expected a TCP port, 0-65535 (got {port})");
        var seeds = section.StringList("seeds").Select(seed => ParseSeed(section.Path("seeds"), seed)).ToList();
        return new ClusterSettings(host, port, seeds, section.PositiveInt("shards"), section.PositiveDuration("ask-timeout"));
    }

    /// <summary>The seed nodes as Akka addresses of an actor system named <paramref name="systemName"/>.</summary>
    public IReadOnlyList<string> SeedAddresses(string systemName) =>
        Seeds.Select(seed => $"akka.tcp://{systemName}@{seed.Host}:{seed.Port.ToString(CultureInfo.InvariantCulture)}").ToList();

    private static (string Host, int Port) ParseSeed(string path, string seed)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new SettingsException(path, $"expected host:port with a port of 1-65535 (got '{seed}')");
        return (seed[..colon], port);
    }
}
