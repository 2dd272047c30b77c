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
/// The read loop over a real loopback WebSocket: every message reaches the actor whole, and between
/// messages the loop holds no buffer, whatever size the last one had.
/// </summary>
public sealed class SocketReaderSpecs(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const int MaxFrameBytes = 65536;
    private readonly CountingPool _pool = new();
    private LoopbackSocketPair? _pair;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(63_000, 1)]
    [InlineData(63_000, 10)]
    [InlineData(MaxFrameBytes, 3)]
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

    private async Task<TestProbe> StartReaderAsync()
    {
        _pair = await LoopbackSocketPair.OpenAsync();
        var actor = CreateTestProbe();
        _ = SocketReader.Run(_pair.Server, MaxFrameBytes, actor.Ref, _pool);
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
