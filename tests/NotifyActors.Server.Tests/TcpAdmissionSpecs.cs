using System.Net;
using System.Net.WebSockets;

namespace NotifyActors.Server.Tests;

/// <summary>
/// notify.tcp on a running service: connections past a limit are closed as soon as they are accepted,
/// counted by reason, and the rest of the service is untouched. Partial upgrades (headers never
/// finished) stand in for a slowloris; real WebSockets for the clients that must keep working.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TcpAdmissionSpecs
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Past_max_pending_per_address_a_connection_is_closed_at_once_and_other_addresses_and_websockets_are_not()
    {
        await using var server = await ServiceHost.StartAsync("notify.tcp { max-pending-per-address = 3, request-headers-timeout = 60s }");
        var sources = PartialUpgradeFlood.Sources(2);
        using var flood = await PartialUpgradeFlood.OpenAsync(server.BaseAddress.Port, [sources[0]], perSource: 4);

        // Kestrel admits accepted connections in parallel: which of the four is refused is a race, that one is not.
        await Eventually.HoldsAsync(() => flood.ClosedByServer() > 0, Settle, () => "all 4 partial upgrades from 127.0.0.2 are still open");
        Assert.Equal(1, flood.ClosedByServer());
        Assert.Equal(1, (await server.ScrapeAsync()).Value("notify_tcp_refused_total", "reason=\"address_limit\""));

        // Another address has its own count.
        using var other = await PartialUpgradeFlood.OpenAsync(server.BaseAddress.Port, [sources[1]], perSource: 3);
        // WebSockets are not pending: more of them than the cap, from one address (the specs' 127.0.0.1), all open.
        var clients = new List<TestClient>();
        for (var i = 0; i < 5; i++)
            clients.Add(await TestClient.ConnectAsync(server.WebSocketUri));
        await clients[^1].SubscribeAsync("still-open", id: 1);
        Assert.Equal(0, other.ClosedByServer());
        Assert.Equal(1, flood.ClosedByServer());
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    [Fact]
    public async Task A_request_whose_headers_never_end_is_closed_after_request_headers_timeout()
    {
        await using var server = await ServiceHost.StartAsync("notify.tcp { request-headers-timeout = 1s }");
        var before = server.Metrics.TcpConnections;
        using var flood = await PartialUpgradeFlood.OpenAsync(server.BaseAddress.Port, PartialUpgradeFlood.Sources(1), perSource: 3);
        await Eventually.HoldsAsync(() => server.Metrics.TcpConnections == before + 3, Settle, () => $"tcp connections {server.Metrics.TcpConnections}, before {before}");

        // Kestrel checks its timeouts once a second: closed within a few seconds, not the 30 s of its default.
        await Eventually.HoldsAsync(() => flood.ClosedByServer() == 3, TimeSpan.FromSeconds(8), () => $"{flood.ClosedByServer()} of 3 closed");
        await Eventually.HoldsAsync(() => server.Metrics.TcpConnections == before, Settle, () => $"tcp connections {server.Metrics.TcpConnections}, before {before}");
    }

    [Fact]
    public async Task A_kept_alive_api_connection_outlives_request_headers_timeout_between_requests()
    {
        await using var server = await ServiceHost.StartAsync("notify.tcp { request-headers-timeout = 1s }");
        await using var subscriber = await TestClient.ConnectAsync(server.WebSocketUri);
        await subscriber.SubscribeAsync("news", id: 1);
        using var api = KeepAliveClient(server.BaseAddress);
        await PublishAsync(api, "1");
        var open = server.Metrics.TcpConnections;

        // Idle for three header timeouts: the deadline was for its first request's headers, which came.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await PublishAsync(api, "2");

        Assert.Equal(open, server.Metrics.TcpConnections);
        Assert.Equal(1, (await subscriber.ReceiveJsonAsync()).GetProperty("data").GetInt32());
        Assert.Equal(2, (await subscriber.ReceiveJsonAsync()).GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task Past_max_connections_a_new_connection_is_closed_at_once_and_what_is_open_keeps_working()
    {
        await using var server = await ServiceHost.StartAsync("notify.tcp { max-connections = 4, max-pending-per-address = 0, request-headers-timeout = 60s }");
        await using var subscriber = await TestClient.ConnectAsync(server.WebSocketUri);
        await subscriber.SubscribeAsync("news", id: 1);
        using var api = KeepAliveClient(server.BaseAddress);
        await PublishAsync(api, "\"warm-up\"");
        Assert.Equal("warm-up", (await subscriber.ReceiveJsonAsync()).GetProperty("data").GetString());

        // Two places left (the subscriber's and the API client's connections hold two): the third is refused.
        using var flood = await PartialUpgradeFlood.OpenAsync(server.BaseAddress.Port, PartialUpgradeFlood.Sources(3), perSource: 1);
        await Eventually.HoldsAsync(() => flood.ClosedByServer() > 0, Settle, () => "the connection past the limit is still open");
        Assert.Equal(1, flood.ClosedByServer());
        Assert.Equal(1, (await server.AdminScrapeAsync()).Value("notify_tcp_refused_total", "reason=\"node_limit\""));
        Assert.Equal(4, server.Metrics.TcpConnections);

        // What was open carries on: the API client's connection publishes, the subscriber receives.
        await PublishAsync(api, "\"during\"");
        Assert.Equal("during", (await subscriber.ReceiveJsonAsync()).GetProperty("data").GetString());
        // A new WebSocket cannot get in until a place is free.
        await Assert.ThrowsAnyAsync<Exception>(() => TestClient.ConnectAsync(server.WebSocketUri, timeout: TimeSpan.FromSeconds(5)));

        flood.Dispose();
        await using var later = await TestClient.ConnectAsync(server.WebSocketUri);
        Assert.Equal(WebSocketState.Open, later.Socket.State);
    }

    [Fact]
    public async Task The_admin_listener_holds_at_most_max_admin_connections()
    {
        await using var server = await ServiceHost.StartAsync("notify.tcp { max-admin-connections = 2, request-headers-timeout = 60s }");

        using var flood = await PartialUpgradeFlood.OpenAsync(server.AdminAddress.Port, PartialUpgradeFlood.Sources(1), perSource: 3);

        await Eventually.HoldsAsync(() => flood.ClosedByServer() > 0, Settle, () => "all 3 admin connections are still open");
        Assert.Equal(1, flood.ClosedByServer());
        // The public side is not the admin's: health and metrics answer there.
        var metrics = await server.ScrapeAsync();
        Assert.Equal(1, metrics.Value("notify_tcp_refused_total", "reason=\"admin_limit\""));
    }

    private static HttpClient KeepAliveClient(Uri baseAddress) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(15),
        };

    private static async Task PublishAsync(HttpClient api, string data)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/publish")
        {
            Content = new StringContent($"{{\"channel\":\"news\",\"data\":{data}}}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
