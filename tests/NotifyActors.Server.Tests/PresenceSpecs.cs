using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Presence (who is subscribed) and join/leave pushes where the namespace enables them. Presence
/// follows the subscriber actors' lives, so a connection that closes or drops leaves it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class PresenceSpecs
{
    private const string Namespaces = """
        notify.namespaces {
          room { presence = on, join-leave = on }
          seen { presence = on, join-leave = off }
        }
        """;

    [Fact]
    public async Task Presence_lists_every_subscribed_client_with_its_user()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await using var bob = await server.ConnectAsAsync("bob");
        await using var carol = await server.ConnectAsAsync("carol");
        await alice.SubscribeAsync("seen:lobby", id: 1);
        await bob.SubscribeAsync("seen:lobby", id: 1);
        await carol.SubscribeAsync("seen:lobby", id: 1);

        var reply = await alice.AskAsync("""{"op":"presence","id":4,"channel":"seen:lobby"}""");

        Assert.Equal(["type", "id", "channel", "clients"], reply.EnumerateObject().Select(p => p.Name));
        Assert.Equal("presence", reply.Type());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
        Assert.Equal("seen:lobby", reply.GetProperty("channel").GetString());
        Assert.Equal(Members(alice, bob, carol), Clients(reply));
    }

    [Fact]
    public async Task New_subscriber_is_announced_to_the_others_but_not_to_itself()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await using var bob = await server.ConnectAsAsync("bob");
        await alice.SubscribeAsync("room:lobby", id: 1);

        await bob.SubscribeAsync("room:lobby", id: 1);

        var join = await alice.ReceiveJsonAsync();
        Assert.Equal(["type", "channel", "client", "user"], join.EnumerateObject().Select(p => p.Name));
        Assert.Equal("join", join.Type());
        Assert.Equal("room:lobby", join.GetProperty("channel").GetString());
        Assert.Equal(ClientId(bob), join.GetProperty("client").GetString());
        Assert.Equal("bob", join.GetProperty("user").GetString());
        // Publications are queued behind anything the channel sent before them: the next frame being
        // the publication proves bob was not told of his own join.
        await server.PublishOkAsync("room:lobby", "\"marker\"");
        Assert.Equal("marker", (await bob.ReceiveJsonAsync()).GetProperty("data").GetString());
        Assert.Equal("marker", (await alice.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task Client_that_closes_cleanly_leaves_presence_and_the_others_are_told()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        var bob = await server.ConnectAsAsync("bob");
        await alice.SubscribeAsync("room:lobby", id: 1);
        await bob.SubscribeAsync("room:lobby", id: 1);
        Assert.Equal("join", (await alice.ReceiveJsonAsync()).Type());
        var bobId = ClientId(bob);

        await bob.DisposeAsync(); // close handshake, 1000

        await AssertLeaveAsync(alice, "room:lobby", bobId, "bob");
        await AssertPresenceBecomesAsync(alice, "room:lobby", Members(alice));
    }

    [Fact]
    public async Task Client_that_drops_without_a_close_leaves_presence_and_the_others_are_told()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await using var bob = await server.ConnectAsAsync("bob");
        await using var carol = await server.ConnectAsAsync("carol");
        await alice.SubscribeAsync("room:lobby", id: 1);
        await bob.SubscribeAsync("room:lobby", id: 1);
        await carol.SubscribeAsync("room:lobby", id: 1);
        Assert.Equal(["join", "join"], [(await alice.ReceiveJsonAsync()).Type(), (await alice.ReceiveJsonAsync()).Type()]);
        Assert.Equal("join", (await bob.ReceiveJsonAsync()).Type());
        var carolId = ClientId(carol);

        carol.Socket.Abort(); // no close frame: the TCP connection just goes

        await AssertLeaveAsync(alice, "room:lobby", carolId, "carol");
        await AssertLeaveAsync(bob, "room:lobby", carolId, "carol");
        await AssertPresenceBecomesAsync(alice, "room:lobby", Members(alice, bob));
    }

    [Fact]
    public async Task Unsubscribing_leaves_presence_and_the_others_are_told()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await using var bob = await server.ConnectAsAsync("bob");
        await alice.SubscribeAsync("room:lobby", id: 1);
        await bob.SubscribeAsync("room:lobby", id: 1);
        Assert.Equal("join", (await alice.ReceiveJsonAsync()).Type());

        Assert.Equal("unsubscribed", (await bob.AskAsync("""{"op":"unsubscribe","id":2,"channel":"room:lobby"}""")).Type());

        await AssertLeaveAsync(alice, "room:lobby", ClientId(bob), "bob");
        var presence = await alice.AskAsync("""{"op":"presence","id":3,"channel":"room:lobby"}""");
        Assert.Equal(Members(alice), Clients(presence));
    }

    [Fact]
    public async Task Namespace_without_join_leave_sends_no_join_or_leave()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await alice.SubscribeAsync("seen:lobby", id: 1);
        await using (var bob = await server.ConnectAsAsync("bob"))
            await bob.SubscribeAsync("seen:lobby", id: 1);
        await AssertPresenceBecomesAsync(alice, "seen:lobby", Members(alice));

        await server.PublishOkAsync("seen:lobby", "\"marker\"");

        Assert.Equal("pub", (await alice.ReceiveJsonAsync()).Type());
    }

    [Fact]
    public async Task Presence_where_the_namespace_does_not_enable_it_is_not_available()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await alice.SubscribeAsync("news", id: 1);

        var reply = await alice.AskAsync("""{"op":"presence","id":2,"channel":"news"}""");

        Assert.Equal("error", reply.Type());
        Assert.Equal(2, reply.GetProperty("id").GetInt64());
        Assert.Equal("not_available", reply.ErrorCode());
    }

    [Fact]
    public async Task Api_presence_answers_the_channel_and_its_clients()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var alice = await server.ConnectAsAsync("alice");
        await using var bob = await server.ConnectAsAsync("bob");
        await alice.SubscribeAsync("room:lobby", id: 1);
        await bob.SubscribeAsync("room:lobby", id: 1);

        var (status, body) = await server.GetJsonAsync("api/presence?channel=room:lobby");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["channel", "clients"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("room:lobby", body.GetProperty("channel").GetString());
        Assert.Equal(Members(alice, bob), Clients(body));
        var (_, empty) = await server.GetJsonAsync("api/presence?channel=room:nobody");
        Assert.Empty(Clients(empty));
    }

    [Fact]
    public async Task Api_presence_rejects_a_missing_key_an_invalid_channel_and_a_namespace_without_presence()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (missingKey, _) = await server.GetJsonAsync("api/presence?channel=room:lobby", apiKey: null);
        var (wrongKey, _) = await server.GetJsonAsync("api/presence?channel=room:lobby", apiKey: "not-the-key");
        var (badName, badNameBody) = await server.GetJsonAsync("api/presence?channel=bad%20name");
        var (unknown, unknownBody) = await server.GetJsonAsync("api/presence?channel=nowhere:lobby");
        var (noChannel, noChannelBody) = await server.GetJsonAsync("api/presence");
        var (disabled, disabledBody) = await server.GetJsonAsync("api/presence?channel=news");

        Assert.Equal(HttpStatusCode.Unauthorized, missingKey);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_channel"), (badName, badNameBody.ErrorCode()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_channel"), (unknown, unknownBody.ErrorCode()));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_channel"), (noChannel, noChannelBody.ErrorCode()));
        Assert.Equal((HttpStatusCode.BadRequest, "not_available"), (disabled, disabledBody.ErrorCode()));
    }

    [Fact]
    public async Task Asking_presence_of_channels_nobody_subscribes_to_leaves_no_channel_actor_behind()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        for (var i = 0; i < 10; i++)
        {
            var (status, body) = await server.GetJsonAsync($"api/presence?channel=room:empty-{i}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Empty(Clients(body));
        }

        await Eventually.HoldsAsync(() => server.Metrics.Channels == 0, TimeSpan.FromSeconds(10),
            () => $"notify_channels is {server.Metrics.Channels} after presence queries of 10 unused channels");
    }

    private static string ClientId(TestClient client) => client.Welcome.GetProperty("client").GetString()!;

    private static List<(string Client, string User)> Members(params TestClient[] clients) => ChannelApi.Members(clients);

    private static List<(string Client, string User)> Clients(JsonElement presence) => presence.Clients();

    private static async Task AssertLeaveAsync(TestClient observer, string channel, string client, string user)
    {
        var leave = await observer.ReceiveJsonAsync();
        Assert.Equal(["type", "channel", "client", "user"], leave.EnumerateObject().Select(p => p.Name));
        Assert.True(leave.Type() == "leave", $"expected a leave, got {leave}");
        Assert.Equal(channel, leave.GetProperty("channel").GetString());
        Assert.Equal(client, leave.GetProperty("client").GetString());
        Assert.Equal(user, leave.GetProperty("user").GetString());
    }

    private static async Task AssertPresenceBecomesAsync(TestClient asker, string channel, List<(string Client, string User)> expected)
    {
        List<(string Client, string User)> seen = [];
        var id = 1000;
        await Eventually.HoldsAsync(async () =>
        {
            var reply = await asker.AskAsync($$"""{"op":"presence","id":{{id++}},"channel":"{{channel}}"}""");
            Assert.Equal("presence", reply.Type());
            seen = Clients(reply);
            return seen.SequenceEqual(expected);
        }, TimeSpan.FromSeconds(10), () => $"presence of {channel} is [{string.Join(", ", seen)}], expected [{string.Join(", ", expected)}]");
    }
}
