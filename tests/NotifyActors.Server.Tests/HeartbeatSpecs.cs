using System.Diagnostics;
using System.Net.WebSockets;

namespace NotifyActors.Server.Tests;

/// <summary>Pings every interval; a client that shows no sign of life within interval + timeout is closed with 4000.</summary>
[Collection(ServerCollection.Name)]
public sealed class HeartbeatSpecs
{
    // Short, but with room to spare on two busy cores: deadline = 1 s + 3 s.
    private static readonly Dictionary<string, string?> Heartbeat = new()
    {
        ["NOTIFY_HEARTBEAT_INTERVAL"] = "1",
        ["NOTIFY_HEARTBEAT_TIMEOUT"] = "3",
    };

    [Fact]
    public async Task Server_pings_every_interval()
    {
        await using var server = await ServiceHost.StartAsync(environment: Heartbeat);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(1, client.Welcome.GetProperty("ping").GetInt32());

        for (var i = 0; i < 2; i++)
        {
            var frame = (await client.ReceiveAsync(TimeSpan.FromSeconds(10))).Json;
            Assert.Equal("ping", frame.GetProperty("type").GetString());
            await client.SendTextAsync("""{"op":"pong"}""");
        }
    }

    [Fact]
    public async Task Silent_client_is_closed_with_4000_and_counted()
    {
        await using var server = await ServiceHost.StartAsync(environment: Heartbeat);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var watch = Stopwatch.StartNew();

        var status = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((WebSocketCloseStatus)4000, status);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(3), $"closed after {watch.Elapsed.TotalSeconds:0.0} s, before the 4 s deadline");
        Assert.Equal(1, server.Metrics.HeartbeatTimeouts);
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0,
            TimeSpan.FromSeconds(10), () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
    }

    [Fact]
    public async Task Client_that_answers_pings_stays_connected_past_the_deadline()
    {
        await using var server = await ServiceHost.StartAsync(environment: Heartbeat);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var watch = Stopwatch.StartNew();

        while (watch.Elapsed < TimeSpan.FromSeconds(6))
        {
            var received = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.False(received.IsClose, $"closed with {(int?)received.CloseStatus} after {watch.Elapsed.TotalSeconds:0.0} s");
            await client.SendTextAsync("""{"op":"pong"}""");
        }

        await client.SubscribeAsync("still-alive", id: 1);
        Assert.Equal(0, server.Metrics.HeartbeatTimeouts);
    }

    [Fact]
    public async Task Publications_are_no_sign_of_the_clients_life()
    {
        await using var server = await ServiceHost.StartAsync(environment: Heartbeat);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using (await server.PublishAsync("news", "1")) { }
                await Task.Delay(100);
            }
        });

        var status = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(20));

        await stop.CancelAsync();
        await publishing;
        Assert.Equal((WebSocketCloseStatus)4000, status);
    }
}
