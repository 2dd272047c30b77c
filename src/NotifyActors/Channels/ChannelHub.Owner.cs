using Akka.Actor;
using Akka.Event;
using NotifyActors.Protocol;

namespace NotifyActors.Channels;

/// <summary>
/// The half of a <see cref="ChannelHub"/> that deals with the channel's owner: registering with it, placing each
/// joining subscriber exactly at the offset the owner gives, and keeping what this node delivers gap-free. Everything
/// the owner sends comes in offset order; a gap means a message was lost between nodes, or the owner stopped and a
/// new one took over. Either way the hub registers again with what it delivered, and the answer carries what it
/// missed, from the owner's history. When the owner cannot repair it (another epoch, or no longer kept), the hub's
/// subscribers are told their position is lost (<see cref="ChannelReset"/>) and resubscribe with recovery.
/// </summary>
public sealed partial class ChannelHub
{
    /// <summary>How soon an unanswered registration is sent again (its owner's node died, or it was lost).</summary>
    private static readonly TimeSpan RetryRegistration = TimeSpan.FromSeconds(1);

    // The owner that answered the latest registration; null until one has, and after it stopped.
    private IActorRef? _owner;
    // What this hub has delivered: "" until the first registration is answered.
    private string _epoch = "";
    private long _offset;
    private int _historyCount;
    // Registrations sent; each answer names the one it answers.
    private long _round;
    // The registration sent for a gap, until it is answered: one is enough, however many messages show the gap.
    private long _repairRound;
    // Subscribers waiting for their position, by the number of their join.
    private readonly Dictionary<long, PendingJoin> _joining = [];
    private readonly Dictionary<IActorRef, long> _joinIds = [];
    private long _lastJoin;
    // Joins the owner placed past what this hub has delivered (it missed something): added when the repair reaches them.
    private readonly List<(long Id, SubscriberPositioned Positioned)> _held = [];

    private sealed class PendingJoin(IActorRef subscriber, Subscribe subscribe)
    {
        public IActorRef Subscriber { get; } = subscriber;

        public Subscribe Subscribe { get; } = subscribe;

        /// <summary>The registration round current when its position was asked: an answer to a later one means this ask was lost.</summary>
        public long AskedInRound { get; set; } = -1;
    }

    private sealed record PositionCheck
    {
        public static readonly PositionCheck Instance = new();
    }

    /// <summary>Registers (again) with the owner, through the shard region, and arms the retry.</summary>
    private void CheckPosition()
    {
        // A node that is shutting down hands its shards off and stops its region: a registration now would only wait
        // in the region and hold up its shutdown. This hub stops with the node (its subscribers already have).
        if (CoordinatedShutdown.Get(Context.System).ShutdownReason is not null)
            return;
        _round++;
        _owners.Tell(new RegisterHub(_name, _epoch.Length > 0 ? new RecoveryPosition(_offset, _epoch) : null, _round));
        Timers.StartSingleTimer(PositionCheck.Instance, PositionCheck.Instance, RetryRegistration);
    }

    private void RequestRepair()
    {
        if (_repairRound > 0)
            return;
        CheckPosition();
        _repairRound = _round;
    }

    /// <summary>Asks the owner where join <paramref name="id"/> starts; before the first registration is answered it waits for it.</summary>
    private void AskPosition(long id)
    {
        if (_epoch.Length == 0 || !_joining.TryGetValue(id, out var join))
            return;
        join.AskedInRound = _round;
        _owners.Tell(new SubscriberPosition(_name, id, join.Subscribe.Recover));
    }

    private void OnRegistered(HubRegistered registered)
    {
        if (!Sender.Equals(_owner))
        {
            if (_owner is not null)
                Context.Unwatch(_owner);
            _owner = Sender;
            Context.Watch(_owner);
        }
        if (registered.Round == _round)
            Timers.StartSingleTimer(PositionCheck.Instance, PositionCheck.Instance, _settings.Channels.PositionCheck);
        if (registered.Round >= _repairRound)
            _repairRound = 0;
        _historyCount = registered.HistoryCount;
        if (_epoch.Length == 0)
            Adopt(registered);
        else if (registered.Epoch == _epoch && registered.Undelivered is { } undelivered)
            Repair(undelivered, registered.Offset);
        else if (registered.Epoch != _epoch || registered.Offset != _offset)
            Reset(registered);
        // Asks sent before this registration and still unanswered were lost, or went to an owner that stopped.
        foreach (var (id, join) in _joining)
        {
            if (join.AskedInRound < registered.Round && !_held.Exists(h => h.Id == id))
                AskPosition(id);
        }
        RetryHeldBehind();
        Report();
    }

    private void Adopt(HubRegistered registered)
    {
        _epoch = registered.Epoch;
        _offset = registered.Offset;
    }

    /// <summary>Delivers what this hub missed; an answer holds at most about 1 MiB of it, and the hub asks again for the rest.</summary>
    private void Repair(IReadOnlyList<HistoricPublication> undelivered, long ownerOffset)
    {
        var repaired = 0;
        foreach (var publication in undelivered)
        {
            if (publication.Offset != _offset + 1)
                continue;
            Deliver(publication.Offset, publication.Data);
            repaired++;
        }
        if (repaired > 0)
            _metrics.Repaired(repaired);
        if (_offset < ownerOffset)
            RequestRepair();
    }

    /// <summary>
    /// The owner's sequence is not the one this hub's subscribers were told of (a new epoch: the owner of a channel
    /// without history stopped; or publications no longer kept): each subscriber is told its position is lost, and
    /// the hub starts over at the owner's position. With no subscribers yet, nobody was told anything.
    /// </summary>
    private void Reset(HubRegistered registered)
    {
        if (_fanout.Count > 0)
        {
            Context.GetLogger().Warning("Channel {0}: the owner is at {1}/{2}, this node delivered {3}/{4}; its {5} subscribers resubscribe",
                _name, registered.Epoch, registered.Offset, _epoch, _offset, _fanout.Count);
            foreach (var subscriber in _fanout.Subscribers)
            {
                Context.Unwatch(subscriber);
                subscriber.Tell(new ChannelReset(_name));
            }
            _fanout.Clear();
        }
        // Held joins were placed in the old sequence: asked again, below.
        foreach (var (id, _) in _held)
            _joining[id].AskedInRound = -1;
        _held.Clear();
        Adopt(registered);
        ReportIfIdle();
    }

    private void OnAppended(Appended appended)
    {
        // An earlier owner's: the current one holds all it stored, and this hub registered with what it had delivered.
        if (!Sender.Equals(_owner))
            return;
        // A local owner's path has no host: only publications that crossed from another node count.
        if (Sender.Path.Address.HasGlobalScope)
            _metrics.CrossNodeLag(TimeSpan.FromTicks(DateTime.UtcNow.Ticks - appended.SentAt));
        _historyCount = appended.HistoryCount;
        if (appended.Epoch != _epoch)
        {
            RequestRepair();
            return;
        }
        for (var i = 0; i < appended.Data.Count; i++)
        {
            var offset = appended.FirstOffset + i;
            if (offset <= _offset)
                continue;
            if (offset > _offset + 1)
            {
                RequestRepair();
                break;
            }
            Deliver(offset, appended.Data[i]);
        }
        Report();
    }

    private void OnPositioned(SubscriberPositioned positioned)
    {
        if (!_joining.TryGetValue(positioned.Id, out var join) || _held.Exists(h => h.Id == positioned.Id))
            return;
        if (!Sender.Equals(_owner) || positioned.Epoch != _epoch || positioned.Offset < _offset)
        {
            // From an owner this hub is not (yet) registered with, or behind what it delivered: asked again, and
            // answered after the registration that is on its way.
            AskPosition(positioned.Id);
            return;
        }
        if (positioned.Offset > _offset)
        {
            // The owner is ahead: this hub missed publications, and the subscriber joins when the repair reaches its offset.
            _held.Add((positioned.Id, positioned));
            RequestRepair();
            return;
        }
        // The owner answers after every publication up to this offset has reached this hub and before any
        // later one: the subscriber joins exactly between them.
        _joining.Remove(positioned.Id);
        _joinIds.Remove(join.Subscriber);
        Join(join.Subscriber, join.Subscribe, positioned.Offset, positioned.Recovered, positioned.Missed);
    }

    /// <summary>Joins the held subscribers placed at <paramref name="offset"/>, now that it is delivered.</summary>
    private void JoinHeldAt(long offset)
    {
        if (_held.Count == 0)
            return;
        foreach (var (id, positioned) in _held.Where(h => h.Positioned.Offset == offset).ToList())
        {
            _held.RemoveAll(h => h.Id == id);
            if (_joining.Remove(id, out var join))
            {
                _joinIds.Remove(join.Subscriber);
                Join(join.Subscriber, join.Subscribe, positioned.Offset, positioned.Recovered, positioned.Missed);
            }
        }
    }

    /// <summary>Held joins that a repair passed by (it cannot happen in order, but a join must never wait in vain): asked again.</summary>
    private void RetryHeldBehind()
    {
        foreach (var (id, _) in _held.Where(h => h.Positioned.Offset < _offset).ToList())
        {
            _held.RemoveAll(h => h.Id == id);
            AskPosition(id);
        }
    }

    private void OnOwnerStopped()
    {
        // Its shard moved, it passivated under a late registration, a write failed, or its node is gone: the
        // region starts (or finds) the next one, which recovers from the journal.
        _owner = null;
        CheckPosition();
    }
}
