using System.Net;
using System.Net.WebSockets;

namespace NotifyActors.Server.Tests;

/// <summary>notify.security.allowed-origins, checked at the upgrade: 403 before any socket for an origin not listed.</summary>
[Collection(ServerCollection.Name)]
public sealed class OriginSpecs
{
    private const string Allowed = """notify.security.allowed-origins = ["https://app.example.com", "https://*.example.org"]""";

    [Fact]
    public async Task By_default_any_origin_may_connect()
    {
        await using var server = await ServiceHost.StartAsync();

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Origin", "https://anywhere.test"));

        await client.SubscribeAsync("news", id: 1);
    }

    [Theory]
    [InlineData("https://app.example.com")]
    [InlineData("https://APP.example.com:443")]
    [InlineData("https://eu.example.org")]
    public async Task A_listed_origin_may_connect(string origin)
    {
        await using var server = await ServiceHost.StartAsync(Allowed);

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Origin", origin));

        await client.SubscribeAsync("news", id: 1);
    }

    [Theory]
    [InlineData("https://evil.test")]
    [InlineData("http://app.example.com")]
    [InlineData("https://app.example.com:8443")]
    [InlineData("https://example.org")]
    [InlineData("https://app.example.com.evil.test")]
    [InlineData("null")]
    public async Task Another_origin_is_403_permission_denied_before_any_socket(string origin)
    {
        await using var server = await ServiceHost.StartAsync(Allowed);

        var (status, body) = await UpgradeRequest.SendAsync(server, origin: origin);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        UpgradeRequest.AssertError(body, "permission_denied");
        Assert.Equal(0, server.Metrics.Connections);
        Assert.Equal(0, server.Metrics.SubscriberActors);
    }

    [Fact]
    public async Task A_refused_origin_fails_a_real_WebSocket_client_with_403()
    {
        await using var server = await ServiceHost.StartAsync(Allowed);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", "https://evil.test");
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri, timeout.Token));

        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task A_request_without_an_Origin_header_is_allowed_with_a_list()
    {
        await using var server = await ServiceHost.StartAsync(Allowed);

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task The_origin_is_checked_before_the_token()
    {
        await using var server = await ServiceHost.StartAsync(Allowed);

        var (status, _) = await UpgradeRequest.SendAsync(server, origin: "https://evil.test", bearer: "not.a.jwt");

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task The_list_can_come_from_NOTIFY_ALLOWED_ORIGINS()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?>
        {
            ["NOTIFY_ALLOWED_ORIGINS"] = "https://a.example.com, https://b.example.com",
        });

        await using (var client = await TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Origin", "https://b.example.com")))
            await client.SubscribeAsync("news", id: 1);
        var (status, _) = await UpgradeRequest.SendAsync(server, origin: "https://c.example.com");

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public void A_bad_origin_stops_start_up_naming_the_key()
    {
        var environment = new Dictionary<string, string?>
        {
            ["NOTIFY_URLS"] = "http://127.0.0.1:0",
            ["NOTIFY_ALLOWED_ORIGINS"] = "https://app.example.com/login",
        };

        var error = Assert.Throws<NotifyActors.Configuration.SettingsException>(() =>
        {
            using var app = (IDisposable)NotifyActors.Server.Hosting.NotifyServer.Build([], environment, TextWriter.Null);
        });

        Assert.Equal("notify.security.allowed-origins", error.Key);
    }
}
