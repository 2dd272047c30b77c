using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Microsoft.IdentityModel.Tokens;

namespace NotifyActors.Server.Tests;

/// <summary>Authentication at the WebSocket upgrade: JWT by header or query, 401 before the upgrade, 4005 at expiry.</summary>
[Collection(ServerCollection.Name)]
public sealed class AuthSpecs
{
    [Fact]
    public async Task Valid_token_in_the_authorization_header_opens_a_connection_for_its_subject()
    {
        await using var server = await ServiceHost.StartAsync();

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("alice")));

        Assert.Equal("alice", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Valid_token_in_the_query_string_opens_a_connection_for_its_subject()
    {
        await using var server = await ServiceHost.StartAsync();

        await using var client = await TestClient.ConnectAsync(new Uri(server.WebSocketUri + "?token=" + TestTokens.Valid("bob")));

        Assert.Equal("bob", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Token_without_an_expiry_is_accepted()
    {
        await using var server = await ServiceHost.StartAsync();

        await using var client = await TestClient.ConnectAsync(new Uri(server.WebSocketUri + "?token=" + TestTokens.Create("carol", expires: null)));

        Assert.Equal("carol", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Token_with_a_bad_signature_is_401_before_the_upgrade()
    {
        await using var server = await ServiceHost.StartAsync();
        var forged = TestTokens.Create("alice", DateTimeOffset.UtcNow.AddHours(1), secret: "another-secret-of-at-least-32-bytes-0123456789");

        await AssertRejectedAsync(server, bearer: forged);
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        await using var server = await ServiceHost.StartAsync();

        await AssertRejectedAsync(server, bearer: TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    [Fact]
    public async Task Expired_token_in_the_query_string_is_401()
    {
        await using var server = await ServiceHost.StartAsync();

        await AssertRejectedAsync(server, query: TestTokens.Create("alice", DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    [Theory]
    [InlineData(253_402_300_800)] // 10000-01-01T00:00:00Z
    [InlineData(1_000_000_000_000)]
    [InlineData(long.MaxValue)]
    public async Task Token_expiring_after_the_year_9999_is_401_invalid_token(long exp)
    {
        await using var server = await ServiceHost.StartAsync();

        var (status, body) = await UpgradeRequest.SendAsync(server, bearer: TestTokens.WithRawExpiry("alice", exp));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        UpgradeRequest.AssertError(body, "permission_denied");
        Assert.Equal("invalid token", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, server.Metrics.Connections);
    }

    [Fact]
    public async Task Token_expiring_at_the_last_second_of_9999_is_accepted()
    {
        await using var server = await ServiceHost.StartAsync();

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.WithRawExpiry("alice", 253_402_300_799)));

        Assert.Equal("alice", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Token_signed_with_another_algorithm_is_401()
    {
        await using var server = await ServiceHost.StartAsync();

        await AssertRejectedAsync(server, bearer: TestTokens.Create("alice", DateTimeOffset.UtcNow.AddHours(1), algorithm: SecurityAlgorithms.HmacSha512));
    }

    [Fact]
    public async Task Token_without_a_subject_is_401()
    {
        await using var server = await ServiceHost.StartAsync();

        await AssertRejectedAsync(server, bearer: TestTokens.Create(subject: null, DateTimeOffset.UtcNow.AddHours(1)));
    }

    [Fact]
    public async Task Garbage_token_is_401()
    {
        await using var server = await ServiceHost.StartAsync();

        await AssertRejectedAsync(server, bearer: "not.a.jwt");
    }

    [Fact]
    public async Task Bad_token_is_401_even_where_anonymous_connections_are_allowed()
    {
        // The development profile allows anonymous connections: a bad token must not fall back to one.
        await using var server = await ServiceHost.StartAsync();
        await using (var anonymous = await TestClient.ConnectAsync(server.WebSocketUri))
            Assert.Equal("", anonymous.Welcome.GetProperty("user").GetString());

        await AssertRejectedAsync(server, query: "garbage");
    }

    [Fact]
    public async Task No_token_is_401_when_anonymous_connections_are_off()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_ALLOW_ANONYMOUS"] = "false" });

        await AssertRejectedAsync(server);
    }

    [Fact]
    public async Task Valid_token_still_connects_when_anonymous_connections_are_off()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_ALLOW_ANONYMOUS"] = "false" });

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("alice")));

        Assert.Equal("alice", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Production_profile_refuses_anonymous_connections_by_default()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_PROFILE"] = "production" });

        await AssertRejectedAsync(server);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("alice")));
        Assert.Equal("alice", client.Welcome.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Connection_is_closed_with_4005_when_its_token_expires()
    {
        await using var server = await ServiceHost.StartAsync();
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddSeconds(4).ToUnixTimeSeconds());
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Create("alice", expires)));
        await client.SubscribeAsync("news", id: 1); // usable until then

        var status = await client.ReceiveCloseAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((WebSocketCloseStatus)4005, status);
        Assert.True(DateTimeOffset.UtcNow >= expires.AddMilliseconds(-500), $"closed at {DateTimeOffset.UtcNow:O}, before the token expired at {expires:O}");
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0,
            TimeSpan.FromSeconds(10), () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
    }

    [Fact]
    public async Task User_may_subscribe_to_a_channel_limited_to_them_but_not_to_one_limited_to_others()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("alice")));
        await using var bob = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("bob")));

        await alice.SubscribeAsync("notifications#alice", id: 1);
        await bob.SubscribeAsync("chat#alice,bob", id: 1);
        await bob.SendTextAsync("""{"op":"subscribe","id":2,"channel":"notifications#alice"}""");
        var denied = await bob.ReceiveJsonAsync();
        Assert.Equal("error", denied.GetProperty("type").GetString());
        Assert.Equal("permission_denied", denied.GetProperty("code").GetString());
        Assert.Equal(2, denied.GetProperty("id").GetInt64());

        using (var response = await server.PublishAsync("notifications#alice", "\"for alice\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pub = await alice.ReceiveJsonAsync();
        Assert.Equal("notifications#alice", pub.GetProperty("channel").GetString());
        Assert.Equal("for alice", pub.GetProperty("data").GetString());
    }

    /// <summary>The upgrade is answered 401 (no socket opened, no connection counted).</summary>
    private static async Task AssertRejectedAsync(ServiceHost server, string? bearer = null, string? query = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (bearer is not null)
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        var uri = query is null ? server.WebSocketUri : new Uri(server.WebSocketUri + "?token=" + Uri.EscapeDataString(query));
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, timeout.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        Assert.NotEqual(WebSocketState.Open, socket.State);
        Assert.Equal(0, server.Metrics.Connections);
        Assert.Equal(0, server.Metrics.SubscriberActors);
    }
}
