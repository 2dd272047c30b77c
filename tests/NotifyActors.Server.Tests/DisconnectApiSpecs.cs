using System.Net;
using System.Net.WebSockets;

namespace NotifyActors.Server.Tests;

/// <summary>POST /api/disconnect: closes a user's or a client's connections with 4003 and says how many.</summary>
[Collection(ServerCollection.Name)]
public sealed class DisconnectApiSpecs
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Disconnecting_a_user_closes_every_connection_of_theirs_with_4003_and_no_other()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice1 = await ConnectAs(server, "alice");
        await using var alice2 = await ConnectAs(server, "alice");
        await using var bob = await ConnectAs(server, "bob");
        await using var anonymous = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.Equal(2, await server.DisconnectAsync("""{"user":"alice"}"""));

        Assert.Equal((WebSocketCloseStatus)4003, await alice1.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice2.ReceiveCloseAsync());
        await bob.SubscribeAsync("news", id: 1);
        await anonymous.SubscribeAsync("news", id: 1);
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 2 && server.Metrics.SubscriberActors == 2, Settle,
            () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
    }

    [Fact]
    public async Task Disconnecting_a_client_closes_that_connection_only_anonymous_ones_included()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice1 = await ConnectAs(server, "alice");
        await using var alice2 = await ConnectAs(server, "alice");
        await using var anonymous = await TestClient.ConnectAsync(server.WebSocketUri);

        Assert.Equal(1, await server.DisconnectAsync($$"""{"client":"{{ClientId(alice1)}}"}"""));
        Assert.Equal(1, await server.DisconnectAsync($$"""{"client":"{{ClientId(anonymous)}}"}"""));

        Assert.Equal((WebSocketCloseStatus)4003, await alice1.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await anonymous.ReceiveCloseAsync());
        await alice2.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task User_and_client_together_must_both_match()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");

        Assert.Equal(0, await server.DisconnectAsync($$"""{"user":"bob","client":"{{ClientId(alice)}}"}"""));
        Assert.Equal(1, await server.DisconnectAsync($$"""{"user":"alice","client":"{{ClientId(alice)}}"}"""));

        Assert.Equal((WebSocketCloseStatus)4003, await alice.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Nobody_matching_is_200_with_zero()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");

        Assert.Equal(0, await server.DisconnectAsync("""{"user":"carol"}"""));
        Assert.Equal(0, await server.DisconnectAsync("""{"client":"0123456789abcdef0123456789abcdef"}"""));

        await alice.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task A_disconnected_user_may_connect_again_at_once_within_their_limit()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-connections-per-user = 1");
        await using var first = await ConnectAs(server, "alice");

        Assert.Equal(1, await server.DisconnectAsync("""{"user":"alice"}"""));
        await using var again = await ConnectAs(server, "alice");

        Assert.Equal((WebSocketCloseStatus)4003, await first.ReceiveCloseAsync());
        await again.SubscribeAsync("news", id: 1);
    }

    [Fact]
    public async Task A_disconnected_connection_leaves_its_channels()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");
        await alice.SubscribeAsync("news", id: 1);

        Assert.Equal(1, await server.DisconnectAsync("""{"user":"alice"}"""));

        Assert.Equal((WebSocketCloseStatus)4003, await alice.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0 && server.Metrics.Channels == 0, Settle,
            () => $"connections {server.Metrics.Connections}, actors {server.Metrics.SubscriberActors}, channels {server.Metrics.Channels}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key-0123456789")]
    public async Task Without_the_api_key_it_is_401_and_nobody_is_disconnected(string? key)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");

        using (var response = await server.PostJsonAsync("api/disconnect", """{"user":"alice"}""", key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            await ServerApi.AssertErrorAsync(response, "permission_denied");
        }

        await alice.SubscribeAsync("news", id: 1);
    }

    [Theory]
    [InlineData("invalid JSON", """{"user":""")]
    [InlineData("an empty body", "")]
    [InlineData("a JSON array", """["alice"]""")]
    [InlineData("neither user nor client", """{}""")]
    [InlineData("an empty user", """{"user":""}""")]
    [InlineData("a user that is not a string", """{"user":5}""")]
    [InlineData("a client that is not a string", """{"client":null}""")]
    [InlineData("a lone surrogate in the user", """{"user":"\ud800"}""")]
    [InlineData("a lone surrogate in the client", """{"client":"a\udfffb"}""")]
    [InlineData("a lone surrogate in a field name", """{"client":"c1","\ud800":1}""")]
    public async Task A_malformed_body_is_400_bad_request(string what, string body)
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/disconnect", body, ServiceHost.ApiKey);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected 400, got {(int)response.StatusCode}");
        await ServerApi.AssertErrorAsync(response, "bad_request");
    }

    [Fact]
    public async Task A_body_over_max_publish_bytes_is_413()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-publish-bytes = 100");

        using var response = await server.PostJsonAsync("api/disconnect", $$"""{"user":"{{new string('a', 100)}}"}""", ServiceHost.ApiKey);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await ServerApi.AssertErrorAsync(response, "limit_exceeded");
    }

    private static Task<TestClient> ConnectAs(ServiceHost server, string user) =>
        TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid(user)));

    private static string ClientId(TestClient client) => client.Welcome.GetProperty("client").GetString()!;
}
