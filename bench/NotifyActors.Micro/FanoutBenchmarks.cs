using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using NotifyActors.Channels;
using NotifyActors.Protocol;

namespace NotifyActors.Micro;

/// <summary>
/// One publication fanned out by <see cref="ChannelFanout"/> to 1,000 local actors, until every one
/// has received it. The receivers only count (no socket, no outbound stream), so this measures the
/// channel-to-subscriber hop: the Tells, the mailboxes and the dispatcher.
/// </summary>
[MemoryDiagnoser]
public class FanoutBenchmarks
{
    private const int Subscribers = 1000;
    private ActorSystem _system = null!;
    private ChannelFanout _fanout = null!;
    private Countdown _countdown = null!;
    private byte[] _frame = null!;
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("micro", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.log-dead-letters = off"));
        _countdown = new Countdown();
        _fanout = new ChannelFanout();
        for (var i = 0; i < Subscribers; i++)
            _fanout.Add(_system.ActorOf(Props.Create(() => new Receiver(_countdown))), new ChannelMember($"c{i}", ""));
        _frame = ServerFrames.Publication("bench", 1, "{\"x\":1}"u8);
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark(OperationsPerInvoke = Subscribers)]
    public void PublishToThousandActors()
    {
        _countdown.Reset(Subscribers);
        _fanout.Deliver(new Publication("bench", ++_offset, "e", _frame));
        if (!_countdown.Wait(TimeSpan.FromSeconds(10)))
            throw new TimeoutException("fan-out did not complete");
    }

    internal sealed class Countdown
    {
        private int _left;
        private ManualResetEventSlim _done = new(false);

        public void Reset(int n)
        {
            _done = new ManualResetEventSlim(false);
            Volatile.Write(ref _left, n);
        }

        public void Signal()
        {
            if (Interlocked.Decrement(ref _left) == 0)
                _done.Set();
        }

        public bool Wait(TimeSpan limit) => _done.Wait(limit);
    }

    private sealed class Receiver : ReceiveActor
    {
        public Receiver(Countdown countdown) => Receive<Publication>(_ => countdown.Signal());
    }
}
