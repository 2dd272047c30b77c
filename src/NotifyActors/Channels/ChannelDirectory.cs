using System.Collections.Concurrent;
using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// The live channels of this node and where each stands (local subscribers, offset, epoch, kept
/// history), for GET /api/channels and the admin API. Each <see cref="ChannelHub"/> registers an
/// entry when it starts, writes it as it changes and removes it when it stops; readers (HTTP
/// requests) take a snapshot without asking any actor. One per actor system (an Akka extension), so
/// several services in one process keep separate directories. A listing is a moment's picture, not a
/// promise: the fields of one entry are read one by one while its channel may be moving on.
/// </summary>
public sealed class ChannelDirectory : IExtension
{
    private readonly ConcurrentDictionary<string, ChannelStatus> _channels = new(StringComparer.Ordinal);

    /// <summary>The directory of <paramref name="system"/>, created on first use.</summary>
    public static ChannelDirectory For(ActorSystem system) => system.WithExtension<ChannelDirectory, Provider>();

    /// <summary>A channel started (called by that channel's actor only, which then owns the entry).</summary>
    public ChannelStatus Register(string channel)
    {
        var status = new ChannelStatus(channel);
        _channels[channel] = status;
        return status;
    }

    /// <summary>
    /// A channel stopped (called by that channel's actor only, from PostStop). Removes only its own
    /// entry: a successor under the same name may already have registered.
    /// </summary>
    public void Remove(ChannelStatus status) =>
        _channels.TryRemove(new KeyValuePair<string, ChannelStatus>(status.Name, status));

    /// <summary>
    /// Channels whose name starts with <paramref name="prefix"/> (ordinal; "" lists all), sorted by
    /// name. With <paramref name="includeIdle"/> false (the public API), only those with at least one
    /// local subscriber; true (operators) also lists channels kept alive for their history.
    /// </summary>
    public IReadOnlyList<ChannelSummary> List(string prefix = "", bool includeIdle = false) =>
        _channels.Values
            .Where(status => status.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(status => status.Snapshot())
            .Where(summary => includeIdle || summary.Subscribers > 0)
            .OrderBy(summary => summary.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Akka's factory for the extension.</summary>
    public sealed class Provider : ExtensionIdProvider<ChannelDirectory>
    {
        public override ChannelDirectory CreateExtension(ExtendedActorSystem system) => new();
    }
}
