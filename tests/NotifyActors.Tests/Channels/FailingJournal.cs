using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace NotifyActors.Tests.Channels;

/// <summary>
/// Akka's in-memory journal, except that the next writes of a persistence id can be made to fail, as a
/// store that went away would (the write's task faults), or be held until a spec releases them, as a
/// slow store would. It counts the writes of each persistence id. Keyed by persistence id, so specs
/// running side by side do not disturb each other.
/// </summary>
public sealed class FailingJournal : MemoryJournal
{
    private static readonly ConcurrentDictionary<string, int> Failures = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Task> Holds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Task> ReplayHolds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> WriteCounts = new(StringComparer.Ordinal);

    /// <summary>The next <paramref name="writes"/> writes of <paramref name="persistenceId"/> fail.</summary>
    public static void FailNext(string persistenceId, int writes) => Failures[persistenceId] = writes;

    /// <summary>The next write of <paramref name="persistenceId"/> waits for <paramref name="release"/>.</summary>
    public static void HoldNext(string persistenceId, Task release) => Holds[persistenceId] = release;

    /// <summary>The next replay (recovery) of <paramref name="persistenceId"/> waits for <paramref name="release"/>.</summary>
    public static void HoldNextReplay(string persistenceId, Task release) => ReplayHolds[persistenceId] = release;

    /// <summary>How many writes (events or batches of them) of <paramref name="persistenceId"/> were stored.</summary>
    public static int Writes(string persistenceId) => WriteCounts.GetValueOrDefault(persistenceId);

    public override async Task ReplayMessagesAsync(Akka.Actor.IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (ReplayHolds.TryRemove(persistenceId, out var release))
            await release.WaitAsync(TimeSpan.FromSeconds(10));
        await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
    }

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        foreach (var write in writes)
        {
            if (Holds.TryRemove(write.PersistenceId, out var release))
                await release.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            if (Failures.TryGetValue(write.PersistenceId, out var left) && left > 0)
            {
                Failures[write.PersistenceId] = left - 1;
                throw new IOException("the store went away");
            }
        }
        foreach (var write in writes)
            WriteCounts.AddOrUpdate(write.PersistenceId, 1, (_, count) => count + 1);
        return await base.WriteMessagesAsync(writes, cancellationToken);
    }
}
