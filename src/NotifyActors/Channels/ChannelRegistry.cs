using Akka.Actor;
using Akka.Event;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// /user/channels, this node's entry to every channel: publications, history and presence queries go to the channel's
/// owner (through the owners' shard region, <see cref="ChannelOwners"/>: one owner in the cluster); subscribes,
/// unsubscribes and presence go to the channel's hub on this node, a <see cref="ChannelHub"/> created on first use.
/// The original sender is kept. While a hub is passivating, messages for its name wait here and go to its
/// successor (or to it, if it stays).
/// </summary>
public sealed class ChannelRegistry : ReceiveActor
{
    private readonly NotifySettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly NotifyMetrics _metrics;
    private readonly IActorRef _owners;
    private readonly Dictionary<string, IActorRef> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(IChannelMessage Message, IActorRef Sender)>> _waiting = new(StringComparer.Ordinal);

    /// <param name="owners">This node's shard region of the channels' owners (<see cref="ChannelOwners.Start"/>).</param>
    public ChannelRegistry(NotifySettings settings, NotifyMetrics metrics, IActorRef owners)
    {
        _settings = settings;
        _metrics = metrics;
        _owners = owners;
        Receive<IChannelMessage>(Route);
        Receive<ChannelIdle>(idle => OnIdle(idle.Channel));
        Receive<ChannelResumed>(resumed => Resume(resumed.Channel));
        Receive<Terminated>(OnTerminated);
    }

    public static Props Props(NotifySettings settings, NotifyMetrics metrics, IActorRef owners) =>
        Akka.Actor.Props.Create(() => new ChannelRegistry(settings, metrics, owners));

    /// <summary>
    /// A restarted channel would come back with no subscribers and a new epoch while they still
    /// think they are members; stopping it instead lets them see Terminated and resubscribe.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>A channel tells its parent it has no subscribers and nothing to keep.</summary>
    internal sealed record ChannelIdle(string Channel);

    /// <summary>The registry's answer to <see cref="ChannelIdle"/>: stop if still idle.</summary>
    internal sealed record Passivate
    {
        public static readonly Passivate Instance = new();
    }

    /// <summary>A channel that got a subscriber before <see cref="Passivate"/> arrived and stays.</summary>
    internal sealed record ChannelResumed(string Channel);

    private void Route(IChannelMessage message)
    {
        if (message is Publish or HistoryQuery or PresenceQuery)
        {
            // Names reach the registry validated (known namespace): no second look per publication.
            _owners.Forward(message);
            return;
        }
        if (_waiting.TryGetValue(message.Channel, out var queue))
        {
            queue.Add((message, Sender));
            return;
        }
        if (ChannelFor(message.Channel) is { } channel)
            channel.Forward(message);
    }

    private IActorRef? ChannelFor(string name)
    {
        if (_channels.TryGetValue(name, out var channel))
            return channel;
        // Names reach the registry validated (known namespace); an unknown one is a caller's bug,
        // not a reason to lose every channel by failing here.
        if (_settings.NamespaceOf(name) is not { } ns)
        {
            _log.Error("Dropped a message for channel {0}: unknown namespace", name);
            return null;
        }
        channel = Context.ActorOf(ChannelHub.Props(name, ns, _settings, _metrics, _owners), Uri.EscapeDataString(name));
        Context.Watch(channel);
        _channels[name] = channel;
        return channel;
    }

    private void OnIdle(string name)
    {
        if (!_channels.TryGetValue(name, out var channel) || !channel.Equals(Sender))
            return;
        _waiting[name] = [];
        channel.Tell(Passivate.Instance);
    }

    private void OnTerminated(Terminated terminated)
    {
        // Children are named after their channel, so the name comes back from the path.
        var name = Uri.UnescapeDataString(terminated.ActorRef.Path.Name);
        if (!_channels.Remove(name))
            return;
        // Messages that came in while it passivated go to a new incarnation; with none, nothing is created.
        if (_waiting.Remove(name, out var queue) && queue.Count > 0 && ChannelFor(name) is { } successor)
            Deliver(queue, successor);
    }

    private void Resume(string name)
    {
        if (_waiting.Remove(name, out var queue) && _channels.TryGetValue(name, out var channel))
            Deliver(queue, channel);
    }

    private static void Deliver(List<(IChannelMessage Message, IActorRef Sender)> queue, IActorRef channel)
    {
        foreach (var (message, sender) in queue)
            channel.Tell(message, sender);
    }
}
