using System.Collections.Concurrent;
using Akka.Actor;

namespace NotifyActors.Channels;

/// <summary>
/// The live channels of this node and their local subscriber counts, for GET /api/channels. Each
/// <see cref="ChannelActor"/> writes its own entry when its membership changes and removes it when it
/// stops; readers (HTTP requests) take a snapshot without asking any actor. One per actor system (an
/// Akka extension), so several services in one process keep separate directories. Counts are what the
/// channels last reported: a listing is a moment's picture, not a promise.
/// </summary>
public sealed class ChannelDirectory : IExtension
{
    private readonly ConcurrentDictionary<string, int> _subscribers = new(StringComparer.Ordinal);

    /// <summary>The directory of <paramref name="system"/>, created on first use.</summary>
    public static ChannelDirectory For(ActorSystem system) => system.WithExtension<ChannelDirectory, Provider>();

    /// <summary>A channel's subscriber count changed (called by that channel's actor only).</summary>
    public void Update(string channel, int subscribers) => _subscribers[channel] = subscribers;

    /// <summary>A channel stopped (called by that channel's actor only, from PostStop).</summary>
    public void Remove(string channel) => _subscribers.TryRemove(channel, out _);

    /// <summary>
    /// Channels with at least one local subscriber whose name starts with <paramref name="prefix"/>
    /// (ordinal; "" lists all), sorted by name. A channel kept alive with no subscribers is not listed.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, int>> List(string prefix = "") =>
        _subscribers
            .Where(entry => entry.Value > 0 && entry.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Akka's factory for the extension.</summary>
    public sealed class Provider : ExtensionIdProvider<ChannelDirectory>
    {
        public override ChannelDirectory CreateExtension(ExtendedActorSystem system) => new();
    }
}
