using System.Net.WebSockets;
using Akka.Actor;
using NotifyActors.Connections;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// The supervisor's index: notify.limits.max-connections-per-user (here 2) and the disconnect
/// message behind POST /api/disconnect.
/// </summary>
public sealed class ConnectionsSupervisorSpecs(ITestOutputHelper output)
    : ServiceSpec("notify.limits.max-connections-per-user = 2", output)
{
    private readonly List<IDisposable> _pairs = [];

    [Fact]
    public async Task A_user_may_open_exactly_the_limit_and_the_next_connection_gets_its_welcome_then_4004()
    {
        var first = await OpenAsync("alice");
        var second = await OpenAsync("alice");

        var third = await OpenAsync("alice");

        Assert.True(third.Subscriber.IsNobody(), "a refused connection gets no actor");
        Assert.Equal("alice", third.Welcome.GetProperty("user").GetString());
        Assert.Equal(CloseCodes.ConnectionLimit, await third.Client.ReceiveCloseAsync());
        await third.Lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Metrics.SubscriberActors);
        // The two within the limit are untouched.
        await SubscribeAsync(first.Client, "news", id: 1);
        await SubscribeAsync(second.Client, "news", id: 1);
    }

    [Fact]
    public async Task The_limit_is_per_user_and_anonymous_connections_are_not_counted()
    {
        await OpenAsync("alice");
        await OpenAsync("alice");

        var bob = await OpenAsync("bob");
        var anonymous = new List<Opening>();
        for (var i = 0; i < 3; i++)
            anonymous.Add(await OpenAsync(""));

        Assert.False(bob.Subscriber.IsNobody());
        await SubscribeAsync(bob.Client, "news", id: 1);
        foreach (var connection in anonymous)
        {
            Assert.False(connection.Subscriber.IsNobody());
            await SubscribeAsync(connection.Client, "news", id: 1);
        }
    }

    [Fact]
    public async Task A_refused_connection_does_not_count_against_its_user()
    {
        await OpenAsync("alice");
        var second = await OpenAsync("alice");
        var refused = await OpenAsync("alice");
        Assert.Equal(CloseCodes.ConnectionLimit, await refused.Client.ReceiveCloseAsync());

        // Still exactly two: after one of them leaves, one more fits (and no more).
        Assert.Equal(1, await DisconnectAsync(client: second.ClientId));
        var replacement = await OpenAsync("alice");
        Assert.False(replacement.Subscriber.IsNobody());
        await SubscribeAsync(replacement.Client, "news", id: 1);
        var over = await OpenAsync("alice");
        Assert.Equal(CloseCodes.ConnectionLimit, await over.Client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task A_connection_closed_by_its_client_frees_its_place()
    {
        var first = await OpenAsync("alice");
        await OpenAsync("alice");

        await first.Client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));
        ExpectTerminated(first.Subscriber);

        // The supervisor learns of the stop on its own schedule: until it has, a new connection is
        // refused (and not counted); after, one is accepted.
        await AwaitAssertAsync(async () =>
        {
            var replacement = await OpenAsync("alice");
            Assert.False(replacement.Subscriber.IsNobody(), "refused");
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Disconnecting_a_user_closes_all_of_its_connections_with_4003_and_no_other()
    {
        var alice1 = await OpenAsync("alice");
        var alice2 = await OpenAsync("alice");
        var bob = await OpenAsync("bob");
        var anonymous = await OpenAsync("");

        Assert.Equal(2, await DisconnectAsync(user: "alice"));

        Assert.Equal(CloseCodes.Disconnected, await alice1.Client.ReceiveCloseAsync());
        Assert.Equal(CloseCodes.Disconnected, await alice2.Client.ReceiveCloseAsync());
        ExpectMsgAllOf([new Terminated(alice1.Subscriber, true, false), new Terminated(alice2.Subscriber, true, false)]);
        await SubscribeAsync(bob.Client, "news", id: 1);
        await SubscribeAsync(anonymous.Client, "news", id: 1);
    }

    [Fact]
    public async Task Disconnecting_a_client_closes_only_that_connection_anonymous_ones_included()
    {
        var alice1 = await OpenAsync("alice");
        var alice2 = await OpenAsync("alice");
        var anonymous = await OpenAsync("");

        Assert.Equal(1, await DisconnectAsync(client: alice1.ClientId));
        Assert.Equal(1, await DisconnectAsync(client: anonymous.ClientId));

        Assert.Equal(CloseCodes.Disconnected, await alice1.Client.ReceiveCloseAsync());
        Assert.Equal(CloseCodes.Disconnected, await anonymous.Client.ReceiveCloseAsync());
        await SubscribeAsync(alice2.Client, "news", id: 1);
    }

    [Fact]
    public async Task Nothing_matching_disconnects_nobody()
    {
        var alice = await OpenAsync("alice");

        Assert.Equal(0, await DisconnectAsync(user: "carol"));
        Assert.Equal(0, await DisconnectAsync(client: "no-such-client"));
        Assert.Equal(0, await DisconnectAsync(user: "bob", client: alice.ClientId));
        Assert.Equal(0, await DisconnectAsync(user: "", client: null));

        await SubscribeAsync(alice.Client, "news", id: 1);
    }

    [Fact]
    public async Task A_second_disconnect_does_not_count_connections_already_closing()
    {
        var alice = await OpenAsync("alice");

        Assert.Equal(1, await DisconnectAsync(user: "alice"));
        Assert.Equal(0, await DisconnectAsync(user: "alice"));

        Assert.Equal(CloseCodes.Disconnected, await alice.Client.ReceiveCloseAsync());
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var pair in _pairs)
            pair.Dispose();
    }

    private async Task<int> DisconnectAsync(string? user = null, string? client = null) =>
        (await Connections.Ask<ConnectionsSupervisor.ClientsDisconnected>(
            new ConnectionsSupervisor.DisconnectClients(user, client), TimeSpan.FromSeconds(10))).Count;

    /// <summary>
    /// Like <see cref="ServiceSpec.ConnectAsync"/>, but for connections that may be refused: those have
    /// no actor (Subscriber is Nobody), so only accepted ones are watched. The welcome is read either way.
    /// </summary>
    private async Task<Opening> OpenAsync(string user)
    {
        var pair = await LoopbackSocketPair.OpenAsync();
        _pairs.Add(pair);
        var lifetime = new ConnectionLifetime(pair.Server, Settings.Outbound.CloseTimeout);
        var info = new ClientInfo(ClientInfo.NewClientId(), user, "127.0.0.1", null);
        var opened = await Connections.Ask<ConnectionsSupervisor.Opened>(new ConnectionsSupervisor.Open(info, lifetime, ClientDialects.Native), TimeSpan.FromSeconds(10));
        if (!opened.Subscriber.IsNobody())
            Watch(opened.Subscriber);
        var welcome = await pair.Client.ReceiveAsync();
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal(info.ClientId, welcome.GetProperty("client").GetString());
        return new Opening(pair.Client, opened.Subscriber, lifetime, welcome, info.ClientId);
    }

    private sealed record Opening(TestClient Client, IActorRef Subscriber, ConnectionLifetime Lifetime, System.Text.Json.JsonElement Welcome, string ClientId);
}
