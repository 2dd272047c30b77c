using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A client that stops reading is closed as a slow consumer (4001) once its bounded outbound queue
/// overflows, without holding up anybody else: a reading client on the same channel gets everything.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SlowConsumerSpecs(ITestOutputHelper output)
{
    private const int Publications = 20_000;
    private const int Publishers = 8;
    private const string Channel = "firehose";

    // The server waits this long for a stalled socket to take its close frame before aborting it,
    // long enough for the spec to notice the disconnect and start reading the stalled socket.
    private const string Config = "notify.outbound.close-timeout = 20s";

    [Fact]
    public async Task Client_that_stops_reading_is_closed_with_4001_while_a_reading_client_receives_every_publication_in_order()
    {
        await using var server = await ServiceHost.StartAsync(Config);
        var metrics = server.Metrics;
        await using var reader = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var stalled = await TestClient.ConnectAsync(server.WebSocketUri);
        await reader.SubscribeAsync(Channel, id: 1);
        await stalled.SubscribeAsync(Channel, id: 1);
        var watch = Stopwatch.StartNew();

        var reading = Task.Run(() => ReadAllAsync(reader));
        var data = JsonSerializer.Serialize(new { pad = new string('x', 1000) }); // ~1 KiB per publication
        var publishing = Task.WhenAll(Enumerable.Range(0, Publishers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < Publications / Publishers; i++)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using var response = await server.PublishAsync(Channel, data, timeout.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        })));

        // The stalled client reads nothing until the service has given up on it.
        await Eventually.HoldsAsync(() => metrics.SlowConsumerDisconnects >= 1, TimeSpan.FromSeconds(60),
            () => $"no slow consumer disconnect; {metrics.Publications} publications so far");
        output.WriteLine($"slow consumer detected after {watch.Elapsed.TotalSeconds:0.0} s, {metrics.Publications} publications");
        var (stalledOffsets, closeStatus) = await DrainUntilCloseAsync(stalled);
        output.WriteLine($"stalled client had {stalledOffsets.Count} publications before its close");

        Assert.Equal((WebSocketCloseStatus)4001, closeStatus);
        // What it did get before the close is a gapless prefix of the channel.
        Assert.Equal(Enumerable.Range(1, stalledOffsets.Count).Select(i => (long)i), stalledOffsets);
        Assert.True(stalledOffsets.Count < Publications, "the stalled client got everything: it was never slow");

        await publishing.WaitAsync(TimeSpan.FromSeconds(90));
        var received = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{Publications} publications read after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Publications, received.Count);
        for (var i = 0; i < received.Count; i++)
        {
            if (received[i] != i + 1)
                Assert.Fail($"the reading client's publication #{i + 1} has offset {received[i]}");
        }
        Assert.Equal(1, metrics.SlowConsumerDisconnects);
        Assert.Equal(WebSocketState.Open, reader.Socket.State);
    }

    [Fact]
    public async Task Client_whose_socket_write_stays_pending_past_the_write_timeout_is_closed_with_4001()
    {
        // Queue bounds too large to reach: only the write timeout can find this consumer slow.
        await using var server = await ServiceHost.StartAsync("""
            notify.outbound { max-frames = 1000000, max-bytes = 1GiB, write-timeout = 1s, close-timeout = 20s }
            """);
        var metrics = server.Metrics;
        await using var stalled = await TestClient.ConnectAsync(server.WebSocketUri);
        await stalled.SubscribeAsync(Channel, id: 1);
        var data = JsonSerializer.Serialize(new { pad = new string('x', 4000) });

        // Publish until the socket's buffers are full and a write has been pending for a second.
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (metrics.SlowConsumerDisconnects == 0)
                {
                    using var response = await server.PublishAsync(Channel, data, limit.Token);
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            })));
        }
        output.WriteLine($"write timeout after {metrics.Publications} publications");

        var (offsets, closeStatus) = await DrainUntilCloseAsync(stalled);
        Assert.Equal((WebSocketCloseStatus)4001, closeStatus);
        Assert.Equal(Enumerable.Range(1, offsets.Count).Select(i => (long)i), offsets);
        Assert.Equal(1, metrics.SlowConsumerDisconnects);
        await Eventually.HoldsAsync(() => metrics.Connections == 0 && metrics.SubscriberActors == 0 && metrics.OutboundQueueDepth == 0,
            TimeSpan.FromSeconds(30), () => $"connections {metrics.Connections}, subscriber actors {metrics.SubscriberActors}, queued frames {metrics.OutboundQueueDepth}");
    }

    /// <summary>Reads publications until the last offset; returns the offsets in arrival order.</summary>
    private static async Task<List<long>> ReadAllAsync(TestClient client)
    {
        var offsets = new List<long>(Publications);
        while (offsets.Count < Publications)
        {
            var frame = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
            Assert.True(frame.GetProperty("type").GetString() == "pub", $"unexpected frame {frame}");
            offsets.Add(frame.GetProperty("offset").GetInt64());
        }
        return offsets;
    }

    /// <summary>Reads whatever is queued up to the close frame: the publications' offsets and the close status.</summary>
    private static async Task<(List<long> Offsets, WebSocketCloseStatus? Status)> DrainUntilCloseAsync(TestClient client)
    {
        var offsets = new List<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var received = await client.ReceiveAsync(deadline - DateTime.UtcNow);
            if (received.IsClose)
            {
                await client.AnswerCloseAsync();
                return (offsets, received.CloseStatus);
            }
            var frame = received.Json;
            if (frame.GetProperty("type").GetString() == "pub")
                offsets.Add(frame.GetProperty("offset").GetInt64());
        }
    }
}
