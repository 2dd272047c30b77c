using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>Channel namespaces from notify.namespaces (NOTIFY_CONFIG): client publish, anonymous access, user-limited channels.</summary>
[Collection(ServerCollection.Name)]
public sealed class NamespaceSpecs
{
    // PROTOCOL.md section 5's example, as an operator would paste it.
    private const string DocumentedExample = """
        notify.namespaces {
          default { history-size = 0,   history-ttl = 5m,  presence = off, join-leave = off, allow-client-publish = off, allow-anonymous = on,  allow-user-limited = on }
          chat    { history-size = 100, history-ttl = 10m, presence = on,  join-leave = on,  allow-client-publish = on,  allow-anonymous = off, allow-user-limited = on }
        }
        """;

    [Fact]
    public async Task Client_publish_in_a_namespace_that_allows_it_is_answered_and_delivered()
    {
        await using var server = await ServiceHost.StartAsync(DocumentedExample);
        await using var alice = await ConnectAsAsync(server, "alice");
        await using var bob = await ConnectAsAsync(server, "bob");
        var subscribed = await bob.SubscribeAsync("chat:lobby", id: 1);

        await alice.SendTextAsync("""{"op":"publish","id":7,"channel":"chat:lobby","data":{"text":"hi bob"}}""");

        var published = await alice.ReceiveJsonAsync();
        Assert.Equal("published", published.GetProperty("type").GetString());
        Assert.Equal(7, published.GetProperty("id").GetInt64());
        Assert.Equal("chat:lobby", published.GetProperty("channel").GetString());
        Assert.Equal(1, published.GetProperty("offset").GetInt64());
        Assert.Equal(subscribed.GetProperty("epoch").GetString(), published.GetProperty("epoch").GetString());
        var pub = await bob.ReceiveJsonAsync();
        Assert.Equal("pub", pub.GetProperty("type").GetString());
        Assert.Equal("""{"text":"hi bob"}""", pub.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Anonymous_client_may_not_use_a_namespace_closed_to_anonymous_users()
    {
        await using var server = await ServiceHost.StartAsync(DocumentedExample);
        await using var anonymous = await TestClient.ConnectAsync(server.WebSocketUri);

        await anonymous.SendTextAsync("""{"op":"subscribe","id":1,"channel":"chat:lobby"}""");
        var subscribeReply = await anonymous.ReceiveJsonAsync();
        await anonymous.SendTextAsync("""{"op":"publish","id":2,"channel":"chat:lobby","data":1}""");
        var publishReply = await anonymous.ReceiveJsonAsync();

        Assert.Equal("permission_denied", subscribeReply.GetProperty("code").GetString());
        Assert.Equal(1, subscribeReply.GetProperty("id").GetInt64());
        Assert.Equal("permission_denied", publishReply.GetProperty("code").GetString());
        await anonymous.SubscribeAsync("news", id: 3); // the default namespace is open to it
    }

    [Fact]
    public async Task Server_api_publishes_into_any_configured_namespace()
    {
        await using var server = await ServiceHost.StartAsync(DocumentedExample);
        await using var bob = await ConnectAsAsync(server, "bob");
        await bob.SubscribeAsync("chat:lobby", id: 1);

        using var response = await server.PublishAsync("chat:lobby", "\"from the backend\"");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("chat:lobby", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("channel").GetString());
        Assert.Equal("from the backend", (await bob.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Fact]
    public async Task User_limited_channels_are_refused_where_the_namespace_forbids_them()
    {
        await using var server = await ServiceHost.StartAsync("""
            notify.namespaces.private { allow-client-publish = off, allow-anonymous = off, allow-user-limited = off }
            """);
        await using var alice = await ConnectAsAsync(server, "alice");

        await alice.SendTextAsync("""{"op":"subscribe","id":1,"channel":"private:inbox#alice"}""");

        var reply = await alice.ReceiveJsonAsync();
        Assert.Equal("permission_denied", reply.GetProperty("code").GetString());
        await alice.SubscribeAsync("private:inbox", id: 2);
        await alice.SubscribeAsync("notifications#alice", id: 3); // allowed in the default namespace
    }

    private static Task<TestClient> ConnectAsAsync(ServiceHost server, string user) =>
        TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid(user)));
}
