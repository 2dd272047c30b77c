using System.Net.WebSockets;
using System.Text;
using Akka.TestKit;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// The read loop over a real loopback WebSocket: every message reaches the actor whole, between
/// messages the loop holds no buffer, whatever size the last one had, and it hands over no more frames
/// than its gate lets through.
/// </summary>
public sealed class SocketReaderSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const int MaxFrameBytes = 65536;
    private readonly CountingPool _pool = new();
    private LoopbackSocketPair? _pair;
    private Task _reader = Task.CompletedTask;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(63_000, 1)]
    [InlineData(63_000, 10)]
    [InlineData(MaxFrameBytes, 3)]
    [InlineData(100, 100)]
    public async Task After_a_message_of_any_size_the_reader_holds_no_buffer(int bytes, int fragments)
    {
        var actor = await StartReaderAsync();
        var message = Message(bytes);

        await SendAsync(message, fragments);

        var frame = actor.ExpectMsg<SubscriberActor.ClientFrame>();
        Assert.Equal(message, frame.Bytes);
        AwaitAssert(() => Assert.Equal(0, _pool.Outstanding), TimeSpan.FromSeconds(5));
        Assert.True(_pool.Largest >= bytes, $"assembled in a rented buffer of {_pool.Largest} bytes");
    }

    [Fact]
    public async Task Messages_one_after_another_each_arrive_whole_and_in_order()
    {
        var actor = await StartReaderAsync();
        var sizes = new[] { 5, 40_000, 0, 1024, 1025, 2 };

        foreach (var size in sizes)
            await SendAsync(Message(size), fragments: size > 1 ? 2 : 1);

        foreach (var size in sizes)
            Assert.Equal(Message(size), actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes);
        AwaitAssert(() => Assert.Equal(0, _pool.Outstanding), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_message_over_the_limit_stops_the_reader_and_returns_its_buffer()
    {
        var actor = await StartReaderAsync();

        await SendAsync(Message(MaxFrameBytes + 1), fragments: 4);

        Assert.Equal(CloseReason.MessageTooBig, actor.ExpectMsg<SubscriberActor.ReaderStopped>().Reason);
        AwaitAssert(() => Assert.Equal(0, _pool.Outstanding), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_message_in_hundreds_of_fragments_is_a_protocol_violation()
    {
        var actor = await StartReaderAsync();

        await SendAsync(Message(300), fragments: 300);

        Assert.Equal(CloseReason.TooManyFragments, actor.ExpectMsg<SubscriberActor.ReaderStopped>().Reason);
        AwaitAssert(() => Assert.Equal(0, _pool.Outstanding), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_reader_hands_over_no_more_frames_than_the_gate_lets_through()
    {
        var gate = new InboundGate(2);
        var actor = await StartReaderAsync(gate);

        for (var i = 0; i < 5; i++)
            await SendAsync(Message(10 + i), fragments: 1);

        Assert.Equal(10, actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes.Length);
        Assert.Equal(11, actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes.Length);
        // The rest waits (in the socket) until the actor takes a frame.
        actor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        gate.Left();
        Assert.Equal(12, actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes.Length);
        actor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        gate.Left();
        gate.Left();
        Assert.Equal(13, actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes.Length);
        Assert.Equal(14, actor.ExpectMsg<SubscriberActor.ClientFrame>().Bytes.Length);
    }

    [Fact]
    public async Task A_shut_gate_ends_the_loop_without_handing_over_more()
    {
        var gate = new InboundGate(1);
        var actor = await StartReaderAsync(gate);
        await SendAsync(Message(3), fragments: 1);
        await SendAsync(Message(4), fragments: 1);
        actor.ExpectMsg<SubscriberActor.ClientFrame>();

        gate.Shut();

        await _reader.WaitAsync(TimeSpan.FromSeconds(10));
        actor.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    private async Task<TestProbe> StartReaderAsync(InboundGate? gate = null)
    {
        _pair = await LoopbackSocketPair.OpenAsync();
        var actor = CreateTestProbe();
        _reader = SocketReader.Run(_pair.Server, MaxFrameBytes, actor.Ref, _pool, gate ?? new InboundGate(64));
        return actor;
    }

    private async Task SendAsync(byte[] message, int fragments)
    {
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        var size = (message.Length + fragments - 1) / Math.Max(1, fragments);
        var start = 0;
        do
        {
            var count = Math.Min(Math.Max(size, 0), message.Length - start);
            await _pair!.Client.Socket.SendAsync(message.AsMemory(start, count), WebSocketMessageType.Text, start + count == message.Length, timeout.Token);
            start += count;
        }
        while (start < message.Length);
    }

    private static byte[] Message(int bytes) => Encoding.ASCII.GetBytes(new string('m', bytes));

    protected override void AfterAll()
    {
        base.AfterAll();
        _pair?.Dispose();
    }
}
