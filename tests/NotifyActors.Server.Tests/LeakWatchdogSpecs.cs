using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using NotifyActors.Connections;
using NotifyActors.Protocol;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A real leak, announced: a subscriber actor started directly on the connections supervisor, for a
/// socket that never came through the /ws endpoint, is exactly "an actor with no open connection".
/// The watchdog must raise notify_leak_suspected and turn /healthz Degraded, and clear both once the
/// orphan is gone.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class LeakWatchdogSpecs
{
    [Fact]
    public async Task A_subscriber_actor_without_a_connection_raises_the_leak_flag_and_degrades_health_until_it_is_gone()
    {
        await using var server = await ServiceHost.StartAsync("notify.watchdog { interval = 200ms, tolerance = 0, grace = 1s }");
        await using var honest = await TestClient.ConnectAsync(server.WebSocketUri);
        var (orphan, sockets) = await OpenOrphanAsync(server);
        try
        {
            await Eventually.HoldsAsync(async () => (await server.ScrapeAsync()).Value("notify_leak_suspected") == 1,
                TimeSpan.FromSeconds(20), () => "notify_leak_suspected never became 1");
            var health = await server.Http.GetStringAsync("healthz");
            Assert.StartsWith("Degraded: 2 subscriber actors for 1 open connections", health);

            orphan.Tell(new SubscriberActor.Disconnect(CloseReason.Disconnected), ActorRefs.NoSender);

            await Eventually.HoldsAsync(async () => (await server.ScrapeAsync()).Value("notify_leak_suspected") == 0,
                TimeSpan.FromSeconds(20), () => "notify_leak_suspected never cleared");
            Assert.Equal("Healthy", await server.Http.GetStringAsync("healthz"));
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    /// <summary>A SubscriberActor over a loopback socket pair that bypasses the endpoint, so no connection is counted.</summary>
    private static async Task<(IActorRef Orphan, IDisposable[] Sockets)> OpenOrphanAsync(ServiceHost server)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        var serverSocket = WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true });
        var clientSocket = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false });

        var connections = server.App.Services.GetRequiredService<ActorRegistry>().Get<ConnectionsSupervisor>();
        var lifetime = new ConnectionLifetime(serverSocket, TimeSpan.FromSeconds(1));
        var opened = await connections.Ask<ConnectionsSupervisor.Opened>(
            new ConnectionsSupervisor.Open(new ClientInfo(ClientInfo.NewClientId(), "", "127.0.0.1", null), lifetime, ClientDialects.Native), TimeSpan.FromSeconds(10));
        return (opened.Subscriber, [clientSocket, serverSocket, client, accepted]);
    }
}
