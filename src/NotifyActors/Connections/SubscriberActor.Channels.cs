using Akka.Actor;
using Akka.Event;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Protocol;

namespace NotifyActors.Connections;

/// <summary>
/// What a <see cref="SubscriberActor"/> does with channels: the subscribe, unsubscribe, publish, presence
/// and history commands, the channels' answers to them, the publications and join/leave pushes it
/// delivers, and a channel that stops under it. The connection's own life (socket, heartbeat, outbound
/// stream, stopping) is in SubscriberActor.cs.
/// </summary>
public sealed partial class SubscriberActor
{
    private void OnSubscribe(SubscribeCommand command)
    {
        if (Authorize(command.Id, command.Channel) is not { } ns)
            return;
        if (_memberships.ContainsKey(command.Channel))
        {
            Reply(command.Id, ErrorCodes.AlreadySubscribed, $"already subscribed to \"{command.Channel}\"");
            return;
        }
        if (_memberships.Count >= _settings.Limits.MaxChannelsPerConnection)
        {
            Reply(command.Id, ErrorCodes.LimitExceeded, $"at most {_settings.Limits.MaxChannelsPerConnection} channels per connection");
            return;
        }
        var ticket = ++_lastTicket;
        _memberships[command.Channel] = new Membership(ticket, command.Id, ns.KeepsHistory);
        _channels.Tell(new Subscribe(command.Channel, ticket, command.Recover, new ChannelMember(_info.ClientId, _info.User)));
    }

    private void OnUnsubscribe(UnsubscribeCommand command)
    {
        if (_memberships.Remove(command.Channel, out var membership))
        {
            if (membership.Channel is { } channel)
            {
                Context.Unwatch(channel);
            }
            else
            {
                // Its ack is still on the way (and will be ignored by its ticket); the subscribe still needs an answer.
                Reply(membership.PendingId, ErrorCodes.BadRequest, $"unsubscribed from \"{command.Channel}\" before the subscription took effect");
            }
            // Through the registry, like the subscribe, so the channel sees both in order.
            _channels.Tell(new Unsubscribe(command.Channel));
        }
        Send(_dialect.Unsubscribed(command.Id, command.Channel));
    }

    private void OnPublish(PublishCommand command)
    {
        if (Authorize(command.Id, command.Channel) is not { } ns)
            return;
        if (!ns.AllowClientPublish)
        {
            Reply(command.Id, ErrorCodes.PermissionDenied, $"clients may not publish in namespace \"{ns.Name}\"");
            return;
        }
        _channels.Tell(new Publish(command.Channel, command.Data, Remember(new PendingAnswer(command.Id, Publish: true))));
    }

    /// <summary>
    /// A query's answer is late: the owner may be gone with it (its node died, its store did not recover). The client
    /// gets an answer all the same, after notify.cluster.ask-timeout, as the server API's callers do. The timer is the
    /// actor's own: it goes when the actor stops.
    /// </summary>
    private sealed record AnswerTimedOut(long RequestId, bool Publish) : INotInfluenceReceiveTimeout;

    private void OnAnswerTimedOut(AnswerTimedOut timedOut)
    {
        if (_pendingQueries.Remove(timedOut.RequestId, out var pending))
            Reply(pending.Id, ErrorCodes.Internal, timedOut.Publish
                ? "the channel did not answer in time; the publication may or may not have been accepted"
                : "the channel did not answer in time");
    }

    private void OnPresence(long? id, string channel, bool stats)
    {
        if (Authorize(id, channel) is not { } ns)
            return;
        if (!ns.Presence)
        {
            Reply(id, ErrorCodes.NotAvailable, $"presence is not enabled in namespace \"{ns.Name}\"");
            return;
        }
        _channels.Tell(new PresenceQuery(channel, Remember(new PendingAnswer(id, Stats: stats))));
    }

    private void OnHistory(HistoryCommand command)
    {
        if (Authorize(command.Id, command.Channel) is not { } ns)
            return;
        if (!ns.KeepsHistory)
        {
            Reply(command.Id, ErrorCodes.NotAvailable, $"history is not kept in namespace \"{ns.Name}\"");
            return;
        }
        var (limit, since) = HistoryWindow.Query(command);
        _channels.Tell(new HistoryQuery(command.Channel, Remember(new PendingAnswer(command.Id, History: command)), limit, since));
    }

    /// <summary>
    /// What a query on its way to a channel answers: the command's id, and how to write the answer (a publish's, a
    /// presence count's, a history command's order).
    /// </summary>
    private readonly record struct PendingAnswer(long? Id, bool Publish = false, bool Stats = false, HistoryCommand? History = null);

    /// <summary>A request number for a query to a channel, mapped back to its answer when it comes, and the timer that answers it if none comes.</summary>
    private long Remember(PendingAnswer pending)
    {
        var request = ++_lastRequest;
        _pendingQueries[request] = pending;
        Timers.StartSingleTimer(request, new AnswerTimedOut(request, pending.Publish), _settings.Cluster.AskTimeout);
        return request;
    }

    /// <summary>Takes a query still waiting for its answer; false for one already answered (timed out).</summary>
    private bool TakePending(long request, out PendingAnswer pending)
    {
        if (!_pendingQueries.Remove(request, out pending))
            return false;
        Timers.Cancel(request);
        return true;
    }

    private void OnPresenceResult(PresenceResult result)
    {
        if (!TakePending(result.RequestId, out var pending))
            return;
        Send(pending.Stats
            ? _dialect.PresenceStats(pending.Id, result.Channel, result.Members.Count, result.Members.Select(m => m.User).Distinct(StringComparer.Ordinal).Count())
            : _dialect.Presence(pending.Id, result.Channel, result.Members.Select(m => (m.Client, m.User))));
    }

    private void OnHistoryResult(HistoryResult result)
    {
        if (!TakePending(result.RequestId, out var pending))
            return;
        if (HistoryWindow.Cut(pending.History!, result) is not { } publications)
            Reply(pending.Id, ErrorCodes.UnrecoverablePosition, $"that position in \"{result.Channel}\" is no longer in history (epoch {result.Epoch}, offset {result.Offset})");
        else
            Send(_dialect.History(pending.Id, result.Channel, result.Offset, result.Epoch, publications.Select(p => (p.Offset, p.Data))));
    }

    private void OnMembershipEvent(MembershipEvent membershipEvent)
    {
        if (_memberships.TryGetValue(membershipEvent.Channel, out var membership) && membership.Channel is not null)
            Send(membershipEvent.FrameFor(_dialect));
    }

    /// <summary>The channel's namespace when this connection may use the channel (<see cref="ChannelAccess"/>); else replies with the error and returns null.</summary>
    private NamespaceSettings? Authorize(long? id, string channel)
    {
        var (ns, refusal) = ChannelAccess.Check(_settings, _info, channel);
        if (refusal is not null)
            Reply(id, refusal);
        return ns;
    }

    private void OnSubscribeAck(SubscribeAck ack)
    {
        if (!_memberships.TryGetValue(ack.Channel, out var membership) || membership.Ticket != ack.Ticket)
            return; // the answer to a subscription already given up; the channel has had our Unsubscribe since
        membership.Channel = Sender;
        membership.Offset = ack.Offset;
        membership.Epoch = ack.Epoch;
        Context.Watch(Sender);
        Send(_dialect.Subscribed(membership.PendingId,
            new SubscribedReply(ack.Channel, ack.Offset, ack.Epoch, membership.Recoverable, ack.Recovered, ack.Publications.Select(p => (p.Offset, p.Data)))));
        membership.PendingId = null;
    }

    private void OnPublication(Publication publication)
    {
        if (!_memberships.TryGetValue(publication.Channel, out var membership)
            || membership.Channel is null
            || publication.Epoch != membership.Epoch
            || publication.Offset <= membership.Offset)
            return; // not (or no longer) subscribed, or already delivered
        if (publication.Offset != membership.Offset + 1)
        {
            // Delivering past a gap would break "every publication after the subscribed offset".
            // The client resubscribes with recovery, which repairs the gap from history where it is kept.
            Context.GetLogger().Warning("Channel {0}: offset {1} follows {2}; unsubscribing the client with insufficient_state", publication.Channel, publication.Offset, membership.Offset);
            _memberships.Remove(publication.Channel);
            Context.Unwatch(membership.Channel);
            _channels.Tell(new Unsubscribe(publication.Channel));
            Send(_dialect.SubscriptionLost(publication.Channel, "insufficient_state"));
            return;
        }
        membership.Offset = publication.Offset;
        Send(publication.DeliveryFor(_dialect));
    }

    private void OnPublishAck(PublishAck ack)
    {
        if (TakePending(ack.RequestId, out var pending))
            Send(_dialect.Published(pending.Id, ack.Channel, ack.Offset, ack.Epoch));
    }

    private void OnPublishFailed(PublishFailed failed)
    {
        if (TakePending(failed.RequestId, out var pending))
            Reply(pending.Id, ErrorCodes.Internal, failed.Reason);
    }

    private void OnChannelReset(ChannelReset reset)
    {
        if (!_memberships.TryGetValue(reset.Channel, out var membership) || !Sender.Equals(membership.Channel))
            return;
        _memberships.Remove(reset.Channel);
        Context.Unwatch(membership.Channel);
        Send(_dialect.SubscriptionLost(reset.Channel, "insufficient_state"));
    }

    private void OnChannelTerminated(Terminated terminated)
    {
        var lost = _memberships.FirstOrDefault(pair => terminated.ActorRef.Equals(pair.Value.Channel)).Key;
        if (lost is null)
            return;
        // A channel only stops on its own with no subscribers, so this one failed: the client must resubscribe.
        _memberships.Remove(lost);
        Send(_dialect.SubscriptionLost(lost, "channel stopped"));
    }
}
