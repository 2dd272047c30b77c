using Akka.Actor;
using Akka.Event;

namespace NotifyActors.Channels;

/// <summary>
/// The half of a <see cref="ChannelActor"/> that deals with its <see cref="ChannelOwner"/> (namespaces with
/// history): starting it, what it answers (appended publications, positions, its recovery), and what the
/// channel does when it stops. The channel keeps everything it asked until the owner has answered, so that
/// nothing waits in vain when an owner stops: publishers are answered, joins and queries go to the next one.
/// </summary>
public sealed partial class ChannelActor
{
    /// <summary>
    /// An owner that throws is stopped, never restarted: a restarted one would forget the writes it had in
    /// flight, and their publishers would wait in vain (or be answered for another's publication). Stopped,
    /// it answers them through <see cref="OnOwnerStopped"/>, and the next one recovers from the journal.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private sealed record RetryOwner
    {
        public static readonly RetryOwner Instance = new();
    }

    /// <summary>The owner, started (and recovered from the journal) when there is none: first use, or after one stopped.</summary>
    private IActorRef Owner()
    {
        if (_owner is not null)
            return _owner;
        var delivered = _epoch.Length > 0 ? new ChannelOwner.Delivered(_epoch, _offset) : null;
        _owner = Context.ActorOf(ChannelOwner.Props(_name, _namespace, _settings.MaxRecoveredPublications, _settings.MaxReplyBytes, delivered), "owner");
        Context.Watch(_owner);
        foreach (var (subscriber, subscribe) in _joining)
            _owner.Tell(new ChannelOwner.Position(subscribe, subscriber));
        foreach (var (id, (query, _)) in _queries)
            _owner.Tell(new ChannelOwner.Query(id, query));
        return _owner;
    }

    /// <summary>Sends what was just added to the waiting joins or queries; a new owner is sent all of them as it starts.</summary>
    private void AskOwner(object request)
    {
        if (_owner is null)
            Owner();
        else
            _owner.Tell(request);
    }

    private void OnAppended(ChannelOwner.Appended appended)
    {
        for (var i = 0; i < appended.Data.Count; i++)
        {
            var offset = appended.FirstOffset + i;
            Deliver(offset, appended.Data[i]);
            if (appended.Repair)
                continue;
            _metrics.Published();
            if (_publishers.TryDequeue(out var publisher))
                publisher.Tell(new PublishAck(_name, offset, _epoch));
        }
        _historyCount = appended.HistoryCount;
        Report();
        ReportIfIdle();
    }

    private void OnOwnerReady(ChannelOwner.Ready ready)
    {
        _historyCount = ready.HistoryCount;
        if (_epoch.Length == 0)
        {
            _epoch = ready.Epoch;
            _offset = ready.Offset;
        }
        else if (ready.Undelivered is { } undelivered)
        {
            foreach (var publication in undelivered)
                Deliver(publication.Offset, publication.Data);
        }
        else if (ready.Epoch != _epoch || ready.Offset != _offset)
        {
            // The store no longer holds what this channel's subscribers were told: stopping tells each
            // of them (Terminated, "channel stopped"), and they resubscribe to a fresh incarnation.
            Context.GetLogger().Warning("Channel {0}: the store holds {1}/{2}, subscribers had {3}/{4}; restarting the channel", _name, ready.Epoch, ready.Offset, _epoch, _offset);
            FailPublishers("the channel restarted");
            Context.Stop(Self);
            return;
        }
        Report();
    }

    private void OnOwnerStopped()
    {
        _owner = null;
        FailPublishers("the channel's store failed");
        // Subscribers and queries still waiting get their answer from the next owner, tried after a pause
        // so that a store that is down is not asked again and again as fast as it fails.
        if (_joining.Count > 0 || _queries.Count > 0)
            Timers.StartSingleTimer(RetryOwner.Instance, RetryOwner.Instance, TimeSpan.FromSeconds(1));
        ReportIfIdle();
    }

    private void FailPublishers(string reason)
    {
        while (_publishers.TryDequeue(out var publisher))
            publisher.Tell(new PublishFailed(_name, $"the publication may not have been stored: {reason}"));
    }

    private void OnPositioned(ChannelOwner.Positioned positioned)
    {
        // The owner answers after every publication up to this offset has reached this actor and
        // before any later one: the subscriber joins exactly between them.
        if (!_joining.TryGetValue(positioned.Subscriber, out var subscribe) || subscribe.Ticket != positioned.Subscribe.Ticket)
            return;
        _joining.Remove(positioned.Subscriber);
        Join(positioned.Subscriber, subscribe, positioned.Offset, positioned.Recovered, positioned.Missed);
    }
}
