using Akka.Actor;
using Akka.TestKit.Xunit2;
using NotifyActors.Configuration;
using NotifyActors.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Runtime;

/// <summary>The per-connection actors' mailbox: FIFO through growth, wrap-around and shrinking; no message lost under concurrent senders.</summary>
public sealed class CompactMessageQueueSpecs(ITestOutputHelper output) : TestKit(NotifyConfig.Defaults, output: output)
{
    [Fact]
    public void Messages_come_out_in_order_through_growth_wrap_around_and_shrinking()
    {
        var queue = new CompactMessageQueue();
        var next = 0;
        var expected = 0;
        // Interleaved so the ring wraps at every capacity, then one burst past the kept capacity, drained.
        foreach (var (put, take) in new[] { (3, 2), (5, 4), (9, 9), (100, 60), (7, 47), (2, 4) })
        {
            for (var i = 0; i < put; i++)
                queue.Enqueue(ActorRefs.Nobody, new Envelope(next++, ActorRefs.NoSender));
            for (var i = 0; i < take; i++)
            {
                Assert.True(queue.TryDequeue(out var envelope));
                Assert.Equal(expected++, envelope.Message);
            }
        }

        Assert.Equal(0, queue.Count);
        Assert.False(queue.HasMessages);
        Assert.False(queue.TryDequeue(out _));
    }

    [Fact]
    public async Task Concurrent_senders_lose_nothing_and_each_sender_keeps_its_order()
    {
        var queue = new CompactMessageQueue();
        const int Senders = 4;
        const int PerSender = 20_000;
        var last = Enumerable.Repeat(-1, Senders).ToArray();
        var received = 0;
        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(() =>
        {
            for (var i = 0; i < PerSender; i++)
                queue.Enqueue(ActorRefs.Nobody, new Envelope((sender, i), ActorRefs.NoSender));
        })).ToArray();
        var reader = Task.Run(() =>
        {
            while (received < Senders * PerSender)
            {
                if (!queue.TryDequeue(out var envelope))
                    continue;
                var (sender, i) = ((int, int))envelope.Message;
                Assert.Equal(last[sender] + 1, i);
                last[sender] = i;
                received++;
            }
        });

        await Task.WhenAll(senders);
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Senders * PerSender, received);
        Assert.False(queue.HasMessages);
    }

    [Fact]
    public void Actors_on_the_connection_dispatcher_get_the_compact_mailbox_and_still_receive_in_order()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()).WithDispatcher(CompactMailbox.Dispatcher));

        for (var i = 0; i < 200; i++)
            echo.Tell(i, TestActor);

        for (var i = 0; i < 200; i++)
            ExpectMsg(i);
        echo.Tell("queue", TestActor);
        ExpectMsg(nameof(CompactMessageQueue));
    }

    private sealed class Echo : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message is "queue")
                Sender.Tell(((ActorCell)Context).Mailbox!.MessageQueue.GetType().Name);
            else
                Sender.Tell(message);
        }
    }
}
