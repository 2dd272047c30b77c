using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using NotifyActors.Configuration;

namespace NotifyActors.Channels;

/// <summary>
/// The sequence owner of a channel in a namespace with history: the one writer of its offsets, epoch
/// and history, an Akka.Persistence actor whose persistence id is the channel's name. A child of the
/// channel's <see cref="ChannelActor"/>, which holds the subscribers, so that when a journal write fails
/// (Akka then stops the persistent actor) the channel and its subscribers carry on with a new owner
/// recovered from the journal.
/// Publications are journaled in batches: everything that arrived while the previous write was in
/// flight becomes ONE event, written with PersistAsync (Persist would stash the appends arriving
/// during the write, and every batch after the first would hold one publication). Offsets are taken
/// only when the write has succeeded, so a failed write leaves no gap.
/// It stashes while it recovers, so it runs on Akka's default mailbox, which has deque semantics.
/// </summary>
public sealed partial class ChannelOwner : UntypedPersistentActor
{
    /// <summary>At most this many publications in one journal row, and at most <see cref="MaxBatchBytes"/> of data.</summary>
    private const int MaxBatch = 256;
    private const long MaxBatchBytes = 1 << 20;

    private readonly string _name;
    private readonly int _snapshotEvery;
    private readonly Delivered? _delivered;
    private readonly ChannelLog _log;
    private readonly Queue<byte[]> _queued = new();
    // Publications in the write in flight; 0 when none is.
    private int _writing;
    private int _sinceSnapshot;
    private bool _snapshotting;

    /// <param name="delivered">How far the channel delivered from a previous owner; null for the channel's first.</param>
    public ChannelOwner(string name, NamespaceSettings ns, int maxRecovered, long maxReplyBytes, Delivered? delivered)
    {
        _name = name;
        _delivered = delivered;
        _log = new ChannelLog(ns, maxRecovered, maxReplyBytes);
        // The journal keeps at most the publications since the last snapshot plus one snapshot's
        // history: about twice history-size. A smaller step would write the history out more often.
        _snapshotEvery = Math.Max(ns.HistorySize, 16);
    }

    public static Props Props(string name, NamespaceSettings ns, int maxRecovered, long maxReplyBytes, Delivered? delivered) =>
        Akka.Actor.Props.Create(() => new ChannelOwner(name, ns, maxRecovered, maxReplyBytes, delivered));

    public override string PersistenceId => _name;

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
                if (_log.Epoch.Length == 0)
                    Persist(new EpochStarted(ChannelLog.NewEpoch()), started => { _log.Start(started.Epoch); ReportReady(); });
                else
                    ReportReady();
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Append append:
                _queued.Enqueue(append.Data);
                if (_writing == 0)
                    Write();
                break;
            case Position position:
                var (recovered, missed) = _log.Recover(position.Subscribe.Recover);
                Sender.Tell(new Positioned(position.Subscribe, position.Subscriber, _log.Offset, _log.Epoch, recovered, missed));
                break;
            case Query query:
                Sender.Tell(new Answered(query.Id, _log.Answer(query.HistoryQuery)));
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
                Unhandled(message);
                break;
        }
    }

    private void ReportReady()
    {
        var undelivered = _delivered is { } delivered ? _log.After(delivered.Epoch, delivered.Offset) : null;
        Context.Parent.Tell(new Ready(_log.Epoch, _log.Offset, _log.History.Count, undelivered));
    }

    private void Write()
    {
        var batch = new List<StoredPublication>(Math.Min(_queued.Count, MaxBatch));
        var at = DateTime.UtcNow;
        long bytes = 0;
        while (batch.Count < MaxBatch && _queued.TryPeek(out var data) && (batch.Count == 0 || bytes + data.Length <= MaxBatchBytes))
        {
            bytes += data.Length;
            batch.Add(new StoredPublication(_queued.Dequeue(), at));
        }
        _writing = batch.Count;
        PersistAsync(new PublicationsAppended(_log.Offset + 1, batch), OnStored);
    }

    private void OnStored(PublicationsAppended appended)
    {
        _writing = 0;
        Apply(appended);
        Context.Parent.Tell(new Appended(_log.Epoch, appended.FirstOffset, appended.Publications.Select(p => p.Data).ToList(), _log.History.Count, Repair: false));
        if (!_snapshotting && _sinceSnapshot >= _snapshotEvery)
        {
            _snapshotting = true;
            _sinceSnapshot = 0;
            SaveSnapshot(_log.Snapshot());
        }
        if (_queued.Count > 0)
            Write();
    }

    private void Apply(PublicationsAppended appended)
    {
        foreach (var publication in appended.Publications)
            _log.Append(publication.Data, publication.At);
        _sinceSnapshot += appended.Publications.Count;
    }

    /// <summary>Akka stops this actor after this; the channel answers whatever it sent after these.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistFailure(cause, @event, sequenceNr);
        Context.Parent.Tell(new AppendFailed(_writing + _queued.Count, cause.Message));
        _writing = 0;
        _queued.Clear();
    }

    /// <summary>The journal refused the write (it stored nothing) and this actor carries on.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Parent.Tell(new AppendFailed(_writing, cause.Message));
        _writing = 0;
        if (_queued.Count > 0)
            Write();
    }
}
