using Akka.Actor;
using Akka.Configuration;
using NotifyActors.Channels;
using NotifyActors.Configuration;
using NotifyActors.Runtime;
using NotifyActors.Telemetry;

namespace NotifyActors.Micro;

/// <summary>
/// What a live channel costs in managed memory, with and without history (a ChannelActor alone, or a
/// ChannelActor and its ChannelOwner, a persistent actor on Akka's deque mailbox), and what the deque
/// mailbox itself costs against the compact one. Each figure: N actors created in a fresh actor
/// system, the heap measured after a full collection, divided by N.
/// Run: dotnet run -c Release --project bench/NotifyActors.Micro -- channel-memory [N]
/// </summary>
public static class ChannelMemory
{
    private const string Hocon = """
        notify.channels.idle-timeout = 1h
        notify.namespaces.kept { history-size = 100, history-ttl = 10m }
        """;

    public static void Run(int count)
    {
        Console.WriteLine($"bytes per actor, {count:N0} of each (managed heap after a full GC)");
        Console.WriteLine($"channel without history (ChannelActor):                     {Measure(count, (system, channels, i) => Touch(channels, $"plain-{i}", history: false)):N0}");
        Console.WriteLine($"channel with history (ChannelActor + ChannelOwner, in-memory journal holding its epoch): {Measure(count, (system, channels, i) => Touch(channels, $"kept:room-{i}", history: true)):N0}");
        Console.WriteLine($"plain actor, compact mailbox:                                {Measure(count, (system, _, _) => system.ActorOf(Props.Create(() => new Idle()).WithDispatcher(CompactMailbox.Dispatcher))):N0}");
        Console.WriteLine($"plain actor, Akka's unbounded deque mailbox:                 {Measure(count, (system, _, _) => system.ActorOf(Props.Create(() => new Idle()).WithMailbox("akka.actor.mailbox.unbounded-deque-based"))):N0}");
    }

    private static long Measure(int count, Func<ActorSystem, IActorRef, int, object> create)
    {
        var config = ConfigurationFactory.ParseString(Hocon).WithFallback(NotifyConfig.Defaults);
        var system = ActorSystem.Create("memory", config);
        try
        {
            using var metrics = new NotifyMetrics();
            var settings = NotifySettings.Create(config);
            var cluster = Akka.Cluster.Cluster.Get(system);
            cluster.Join(cluster.SelfAddress);
            var channels = system.ActorOf(ChannelRegistry.Props(settings, metrics, ChannelOwners.Start(system, settings, metrics)), "channels");
            // Warm up: the first actors pay for types, dispatchers and the journal.
            for (var i = 0; i < 100; i++)
                Wait(create(system, channels, -1 - i));
            var before = Heap();
            var kept = new object[count];
            for (var i = 0; i < count; i++)
                kept[i] = create(system, channels, i);
            foreach (var item in kept)
                Wait(item);
            var after = Heap();
            GC.KeepAlive(kept);
            return (after - before) / count;
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Creates the channel by asking it something and waits for the answer, so that it has started (and, with history, recovered).</summary>
    private static Task Touch(IActorRef channels, string name, bool history) =>
        history
            ? channels.Ask<HistoryResult>(new HistoryQuery(name, 1, 1, null), TimeSpan.FromSeconds(60))
            : channels.Ask<PresenceResult>(new PresenceQuery(name, 1), TimeSpan.FromSeconds(60));

    private static void Wait(object item)
    {
        if (item is Task task)
            task.Wait(TimeSpan.FromSeconds(60));
    }

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed class Idle : UntypedActor
    {
        protected override void OnReceive(object message) => Unhandled(message);
    }
}
