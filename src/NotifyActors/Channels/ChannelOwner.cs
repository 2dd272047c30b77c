using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using NotifyActors.Configuration;
using NotifyActors.Telemetry;

namespace NotifyActors.Channels;

/// <summary>
/// The owner of a channel in a namespace with history: one per channel in the cluster (a sharding entity), the one
/// writer of its offsets, epoch and history, an Akka.Persistence actor whose persistence id is the channel's name.
/// Because its state is in the journal it may stop at any time (passivation, its shard moving to another node, a
/// failed write, its node dying) and the next one recovers the same epoch and offsets.
/// Publications are journaled in batches: everything that arrived while the previous write was in flight becomes
/// ONE event, written with PersistAsync (Persist would stash the publishes arriving during the write, and every
/// batch after the first would hold one publication). Offsets are taken only when the write has succeeded, so a
/// failed write leaves no gap; the hubs hear of a publication before its publisher does.
/// It stashes while it recovers, so it runs on Akka's default mailbox, which has deque semantics.
/// </summary>
public sealed class ChannelOwner : UntypedPersistentActor, IWithTimers
{
    /// <summary>At most this many publications in one journal row, and at most <see cref="MaxBatchBytes"/> of data.</summary>
    private const int MaxBatch = 256;
    private const long MaxBatchBytes = 1 << 20;

    private readonly string _name;
    private readonly NotifySettings _settings;
    private readonly NotifyMetrics _metrics;
    private readonly int _snapshotEvery;
    private readonly ChannelLog _log;
    private readonly OwnerHubs _hubs;
    private readonly Queue<(byte[] Data, Publisher Publisher)> _queued = new();
    // The publishers of the write in flight, in offset order; empty when none is.
    private readonly List<Publisher> _writing = [];
    private OwnerIdle _idle = null!;
    private int _sinceSnapshot;
    private bool _snapshotting;
    private bool _stopping;

    public ChannelOwner(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics)
    {
        _name = name;
        _settings = settings;
        _metrics = metrics;
        _log = new ChannelLog(ns, settings.MaxRecoveredPublications, settings.MaxReplyBytes);
        _hubs = new OwnerHubs(name, _log);
        // The journal keeps at most the publications since the last snapshot plus one snapshot's
        // history: about twice history-size. A smaller step would write the history out more often.
        _snapshotEvery = Math.Max(ns.HistorySize, 16);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string name, NamespaceSettings ns, NotifySettings settings, NotifyMetrics metrics) =>
        Akka.Actor.Props.Create(() => new ChannelOwner(name, ns, settings, metrics));

    public override string PersistenceId => _name;

    private bool IsIdle => _hubs.Count == 0 && _writing.Count == 0 && _queued.Count == 0;

    protected override void PreStart() => _metrics.OwnerStarted();

    protected override void PostStop() => _metrics.OwnerStopped();

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ChannelSnapshot snapshot }:
                _log.Restore(snapshot);
                break;
            case EpochStarted started:
                _log.Start(started.Epoch);
                break;
            case PublicationsAppended appended:
                Apply(appended);
                break;
            case RecoveryCompleted:
                _idle = new OwnerIdle(Timers, _settings.Channels.IdleTimeout);
                // Persist stashes what comes meanwhile: nobody hears of an epoch before it is stored.
                if (_log.Epoch.Length == 0)
                    Persist(new EpochStarted(ChannelLog.NewEpoch()), started => _log.Start(started.Epoch));
                _idle.Touch(IsIdle);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Publish publish:
                _queued.Enqueue((publish.Data, new Publisher(Sender, publish.RequestId)));
                if (_writing.Count == 0)
                    Write();
                break;
            case OwnerIdle.Tick:
                if (_idle.Elapsed(IsIdle))
                    Context.Parent.Tell(new Passivate(OwnerStop.Instance));
                return;
            case OwnerStop:
                // The shard sends nothing more after this; what is queued is written first, and its publishers answered.
                _stopping = true;
                StopWhenWritten();
                break;
            case SaveSnapshotSuccess saved:
                _snapshotting = false;
                // What the snapshot holds need not be replayed again: the journal stays bounded.
                DeleteMessages(saved.Metadata.SequenceNr);
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _snapshotting = false;
                Log.Warning(failed.Cause, "Channel {0}: snapshot not saved; recovery replays more events until the next one", _name);
                break;
            case DeleteMessagesFailure failed:
                Log.Warning(failed.Cause, "Channel {0}: events up to {1} not deleted; the next snapshot tries again", _name, failed.ToSequenceNr);
                break;
            case DeleteSnapshotsFailure failed:
                Log.Warning(failed.Cause, "Channel {0}: older snapshots not deleted", _name);
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            default:
                if (!_hubs.Handle(message, Context))
                    Unhandled(message);
                break;
        }
        _idle.Touch(IsIdle);
    }

    private void Write()
    {
        var batch = new List<StoredPublication>(Math.Min(_queued.Count, MaxBatch));
        var at = DateTime.UtcNow;
        long bytes = 0;
        while (batch.Count < MaxBatch && _queued.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Data.Length <= MaxBatchBytes))
        {
            bytes += next.Data.Length;
            var (data, publisher) = _queued.Dequeue();
            batch.Add(new StoredPublication(data, at));
            _writing.Add(publisher);
        }
        PersistAsync(new PublicationsAppended(_log.Offset + 1, batch), OnStored);
    }

    private void OnStored(PublicationsAppended appended)
    {
        Apply(appended);
        _hubs.Deliver(new Appended(_name, _log.Epoch, appended.FirstOffset, appended.Publications.Select(p => p.Data).ToList(), _log.History.Count, DateTime.UtcNow.Ticks), Self);
        for (var i = 0; i < _writing.Count; i++)
        {
            _metrics.Published();
            _writing[i].Asker.Tell(new PublishAck(_name, appended.FirstOffset + i, _log.Epoch, _writing[i].RequestId));
        }
        _writing.Clear();
        if (!_snapshotting && _sinceSnapshot >= _snapshotEvery)
        {
            _snapshotting = true;
            _sinceSnapshot = 0;
            SaveSnapshot(_log.Snapshot());
        }
        if (_queued.Count > 0)
            Write();
        else
            StopWhenWritten();
    }

    private void StopWhenWritten()
    {
        if (_stopping && _writing.Count == 0 && _queued.Count == 0)
            Context.Stop(Self);
    }

    private void Apply(PublicationsAppended appended)
    {
        foreach (var publication in appended.Publications)
            _log.Append(publication.Data, publication.At);
        _sinceSnapshot += appended.Publications.Count;
    }

    /// <summary>
    /// Akka stops this actor after this. Its publishers are told the publication may not be stored (the write may
    /// have reached the journal all the same); the hubs see it stop and register with the next owner, which
    /// recovers from the journal and hands them whatever was stored.
    /// </summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistFailure(cause, @event, sequenceNr);
        Fail(_writing.Concat(_queued.Select(queued => queued.Publisher)), $"the publication may not have been stored: {cause.Message}");
        _writing.Clear();
        _queued.Clear();
    }

    /// <summary>The journal refused the write (it stored nothing) and this actor carries on.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Fail(_writing, $"the publication was not stored: {cause.Message}");
        _writing.Clear();
        if (_queued.Count > 0)
            Write();
        else
            StopWhenWritten();
    }

    private void Fail(IEnumerable<Publisher> publishers, string reason)
    {
        foreach (var publisher in publishers.ToList())
            publisher.Asker.Tell(new PublishFailed(_name, reason, publisher.RequestId));
    }

    /// <summary>Who asked for a publication, and the number it gave it.</summary>
    private readonly record struct Publisher(IActorRef Asker, long RequestId);
}
