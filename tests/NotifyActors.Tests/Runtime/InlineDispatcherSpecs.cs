using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using NotifyActors.Configuration;
using NotifyActors.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Runtime;

/// <summary>
/// The stream actors' dispatcher (akka.actor.outbound-dispatcher): a message runs on the sender's
/// thread before Tell returns, yet the actor still handles one message at a time and never inside
/// its own handler.
/// </summary>
public sealed class InlineDispatcherSpecs(ITestOutputHelper output) : TestKit(NotifyConfig.Defaults, output: output)
{
    [Fact]
    public void A_message_is_handled_on_the_senders_thread_before_Tell_returns()
    {
        var seen = new ConcurrentQueue<(string Message, int Thread)>();
        var actor = Started(Props.Create(() => new Recorder(seen)));

        actor.Tell("first");
        actor.Tell("second");

        Assert.Equal(
            [("first", Environment.CurrentManagedThreadId), ("second", Environment.CurrentManagedThreadId)],
            seen.ToArray());
    }

    [Fact]
    public void A_message_sent_from_the_handler_runs_after_the_handler_not_inside_it()
    {
        var seen = new ConcurrentQueue<(string Message, int Thread)>();
        var actor = Started(Props.Create(() => new Recorder(seen)));

        actor.Tell("echo");

        Assert.Equal(["echo", "echo:end", "echoed"], seen.Select(s => s.Message).ToArray());
    }

    [Fact]
    public async Task Concurrent_senders_never_run_the_actor_twice_at_once_and_lose_nothing()
    {
        const int Senders = 4;
        const int PerSender = 5_000;
        var actor = Started(Props.Create(() => new Counter()));

        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < PerSender; i++)
                actor.Tell(Counter.Count.Instance);
        })));

        actor.Tell(Counter.Report.Instance, TestActor);
        var (handled, overlaps) = ExpectMsg<(int Handled, int Overlaps)>(TimeSpan.FromSeconds(10));
        Assert.Equal(Senders * PerSender, handled);
        Assert.Equal(0, overlaps);
    }

    /// <summary>
    /// A top-level actor is started by its guardian, on the guardian's dispatcher, and messages sent
    /// before that wait in a stand-in; once it has answered an Identify, Tell reaches its own mailbox.
    /// (Stream actors are children created by their subscriber: they are started at once.)
    /// </summary>
    private IActorRef Started(Props props)
    {
        var actor = Sys.ActorOf(props.WithDispatcher(CompactMailbox.OutboundDispatcher));
        actor.Tell(new Identify(null), TestActor);
        ExpectMsg<ActorIdentity>();
        return actor;
    }

    private sealed class Recorder(ConcurrentQueue<(string Message, int Thread)> seen) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            var text = (string)message;
            seen.Enqueue((text, Environment.CurrentManagedThreadId));
            if (text != "echo")
                return;
            Self.Tell("echoed");
            seen.Enqueue(("echo:end", Environment.CurrentManagedThreadId));
        }
    }

    private sealed class Counter : UntypedActor
    {
        private int _active;
        private int _handled;
        private int _overlaps;

        protected override void OnReceive(object message)
        {
            if (Interlocked.Increment(ref _active) != 1)
                _overlaps++;
            if (message is Report)
                Sender.Tell((_handled, _overlaps));
            else
                _handled++;
            Interlocked.Decrement(ref _active);
        }

        public sealed record Count
        {
            public static readonly Count Instance = new();
        }

        public sealed record Report
        {
            public static readonly Report Instance = new();
        }
    }
}
