using System.Net;
using System.Net.WebSockets;

namespace NotifyActors.Server.Tests;

/// <summary>
/// notify.limits.max-connections (503 before the upgrade) and max-connections-per-user (welcome, then
/// 4004), at and past their bounds, on the real server.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ConnectionLimitSpecs
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_node_takes_exactly_max_connections_and_answers_the_next_upgrade_503_limit_exceeded()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections = 2");
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);

        var (status, body) = await UpgradeRequest.SendAsync(server);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        UpgradeRequest.AssertError(body, "limit_exceeded");
        Assert.Equal(2, server.Metrics.Connections);
        Assert.Equal(2, server.Metrics.SubscriberActors);
        // The two that got in are unaffected.
        await first.SubscribeAsync("news", id: 1);
        await second.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task A_WebSocket_client_past_the_node_limit_fails_with_503_and_no_socket()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections = 1");
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri, timeout.Token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.NotEqual(WebSocketState.Open, socket.State);
        Assert.Equal(1, server.Metrics.Connections);
    }

    [Fact]
    public async Task A_closed_connection_gives_its_place_back()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections = 1");
        var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await first.DisposeAsync(); // a clean close

        // The place is free once the closed connection's request has ended; until then, 503.
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await using var again = await TestClient.ConnectAsync(server.WebSocketUri);
                return true;
            }
            catch (WebSocketException)
            {
                return false;
            }
        }, Settle, () => $"no connection accepted again; connections {server.Metrics.Connections}");
    }

    [Fact]
    public async Task Refused_upgrades_do_not_hold_places()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits { max-connections = 1 }\nnotify.security.allowed-origins = [\"https://app.example.com\"]");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await UpgradeRequest.SendAsync(server, bearer: "not.a.jwt")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await UpgradeRequest.SendAsync(server, origin: "https://evil.test")).Status);
        }

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task A_user_gets_exactly_max_connections_per_user_and_the_next_one_its_welcome_then_4004()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 2");
        var token = TestTokens.Valid("alice");
        await using var first = await ConnectAs(server, token);
        await using var second = await ConnectAs(server, token);

        await using var third = await ConnectAs(server, token);

        Assert.Equal("alice", third.Welcome.GetProperty("user").GetString());
        Assert.Equal((WebSocketCloseStatus)4004, await third.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 2 && server.Metrics.SubscriberActors == 2, Settle,
            () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
        await first.SubscribeAsync("news", id: 1);
        await second.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task The_default_allows_100_connections_per_user_and_refuses_the_101st()
    {
        await using var server = await ServiceHost.StartAsync();
        var token = TestTokens.Valid("alice");
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 100; i++)
                clients.Add(await ConnectAs(server, token));

            await using var over = await ConnectAs(server, token);

            Assert.Equal((WebSocketCloseStatus)4004, await over.ReceiveCloseAsync());
            await clients[^1].SubscribeAsync("news", id: 1);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Other_users_and_anonymous_connections_are_not_limited_by_a_users_count()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 1");
        await using var alice = await ConnectAs(server, TestTokens.Valid("alice"));

        await using var bob = await ConnectAs(server, TestTokens.Valid("bob"));
        await using var anonymous1 = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var anonymous2 = await TestClient.ConnectAsync(server.WebSocketUri);

        foreach (var client in new[] { alice, bob, anonymous1, anonymous2 })
            await client.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task Zero_connections_per_user_means_no_limit()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 0");
        var token = TestTokens.Valid("alice");
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < 5; i++)
                clients.Add(await ConnectAs(server, token));

            foreach (var client in clients)
                await client.SubscribeAsync("news", id: 1);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_users_closed_connection_gives_its_place_back()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 1");
        var token = TestTokens.Valid("alice");
        var first = await ConnectAs(server, token);
        await first.DisposeAsync();

        // Until the server has seen the close, a new one is refused (welcome, 4004); then one stays open.
        await Eventually.HoldsAsync(async () =>
        {
            var again = await ConnectAs(server, token);
            try
            {
                await again.SubscribeAsync("news", id: 1);
                return true;
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or WebSocketException)
            {
                return false; // closed with 4004
            }
            finally
            {
                await again.DisposeAsync();
            }
        }, Settle, () => "alice could not connect again");
    }

    [Fact]
    public void A_bad_limit_stops_start_up_naming_the_key()
    {
        var config = Path.Combine(Path.GetTempPath(), $"notify-test-{Guid.NewGuid():N}.hocon");
        File.WriteAllText(config, "notify.limits.max-connections = 0");
        try
        {
            var error = Assert.Throws<NotifyActors.Configuration.SettingsException>(() =>
            {
                using var app = (IDisposable)NotifyActors.Server.Hosting.NotifyServer.Build([], new Dictionary<string, string?>
                {
                    ["NOTIFY_URLS"] = "http://127.0.0.1:0",
                    ["NOTIFY_CONFIG"] = config,
                }, TextWriter.Null);
            });

            Assert.Equal("notify.limits.max-connections", error.Key);
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static Task<TestClient> ConnectAs(ServiceHost server, string token) =>
        TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Authorization", "Bearer " + token));
}
