using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using NotifyActors.Cluster;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Cluster;

/// <summary>
/// The cluster's members as this node sees them, and the way to ask each of them (its <see cref="NodeAgent"/>) for
/// its part of a cluster-wide answer. Every ask is bounded by notify.cluster.ask-timeout, so a node that does not
/// answer makes the answer late (then incomplete), never stuck.
/// </summary>
public sealed class ClusterNodes(ActorSystem system, IRequiredActor<ClusterMonitor> monitor, NotifySettings settings)
{
    public TimeSpan AskTimeout => settings.Cluster.AskTimeout;

    public async Task<IReadOnlyList<ClusterMonitor.MemberView>> MembersAsync() =>
        (await monitor.ActorRef.Ask<ClusterMonitor.Members>(ClusterMonitor.GetMembers.Instance, AskTimeout)).List;

    /// <summary>
    /// Asks every member that serves clients (joining, up or leaving: one that is exiting has closed its sockets) and
    /// that this node can reach. An unreachable member is not asked; one that does not answer in time has no answer.
    /// </summary>
    public async Task<IReadOnlyList<NodeAnswer<T>>> AskEveryNodeAsync<T>(INodeMessage query) where T : class
    {
        var members = await MembersAsync();
        return await Task.WhenAll(members.Select(async member => member.Reachable && Serves(member.Status)
            ? new NodeAnswer<T>(member, Asked: true, await AskAsync<T>(member.Address, query))
            : new NodeAnswer<T>(member, Asked: false, null)));
    }

    /// <summary>
    /// Tells the member at <paramref name="node"/> (host:port, or its whole address) to leave the cluster: it hands
    /// its channels off, closes its sockets with 1001 and exits, as on SIGTERM. Null when no member has that address.
    /// </summary>
    public async Task<Address?> LeaveAsync(string node)
    {
        var member = (await MembersAsync()).FirstOrDefault(m => Matches(m, node.Trim()));
        if (member is null)
            return null;
        Akka.Cluster.Cluster.Get(system).Leave(member.Address);
        return member.Address;
    }

    private static bool Serves(MemberStatus status) =>
        status is MemberStatus.Joining or MemberStatus.WeaklyUp or MemberStatus.Up or MemberStatus.Leaving;

    private static bool Matches(ClusterMonitor.MemberView member, string node) =>
        string.Equals(member.Address.ToString(), node, StringComparison.OrdinalIgnoreCase)
        || string.Equals(member.Node, node, StringComparison.OrdinalIgnoreCase);

    private async Task<T?> AskAsync<T>(Address address, INodeMessage query) where T : class
    {
        try
        {
            return await system.ActorSelection(new RootActorPath(address) / "user" / NodeAgent.Name).Ask<T>(query, AskTimeout);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}

/// <summary>A member and its answer: null when it was not asked (unreachable, not serving) or did not answer in time.</summary>
public sealed record NodeAnswer<T>(ClusterMonitor.MemberView Member, bool Asked, T? Answer) where T : class
{
    /// <summary>It was asked and did not answer: a cluster-wide answer would leave its part out.</summary>
    public bool IsMissing => Asked && Answer is null;
}
