using System.Net;

namespace NotifyActors.Server.Tests;

/// <summary>GET /api/channels: the live channels of the node with their local subscriber counts.</summary>
[Collection(ServerCollection.Name)]
public sealed class ChannelsApiSpecs
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task With_no_subscribers_the_list_is_empty()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.GetAsync("api/channels");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"channels":[]}""", (await response.JsonAsync()).GetRawText());
    }

    [Fact]
    public async Task Channels_are_listed_sorted_with_their_subscriber_counts()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        await first.SubscribeAsync("weather", id: 1);
        await first.SubscribeAsync("news", id: 2);
        await second.SubscribeAsync("news", id: 1);

        Assert.Equal([("news", 2), ("weather", 1)], await ListAsync(server));
    }

    [Fact]
    public async Task A_prefix_selects_the_channels_whose_name_starts_with_it()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid("alice")));
        foreach (var (channel, id) in new[] { ("news", 1), ("news.sport", 2), ("newsletter", 3), ("weather", 4), ("notifications#alice", 5) })
            await client.SubscribeAsync(channel, id);

        Assert.Equal([("news", 1), ("news.sport", 1), ("newsletter", 1)], await ListAsync(server, "news"));
        Assert.Equal([("news.sport", 1)], await ListAsync(server, "news."));
        Assert.Equal([("notifications#alice", 1)], await ListAsync(server, Uri.EscapeDataString("notifications#")));
        Assert.Empty(await ListAsync(server, "NEWS"));
        Assert.Equal(5, (await ListAsync(server, "")).Count);
    }

    [Fact]
    public async Task Counts_follow_unsubscribes_and_closed_connections()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var staying = await TestClient.ConnectAsync(server.WebSocketUri);
        var leaving = await TestClient.ConnectAsync(server.WebSocketUri);
        await staying.SubscribeAsync("news", id: 1);
        await staying.SubscribeAsync("sport", id: 2);
        await leaving.SubscribeAsync("news", id: 1);
        Assert.Equal([("news", 2), ("sport", 1)], await ListAsync(server));

        await staying.SendTextAsync("""{"op":"unsubscribe","id":3,"channel":"sport"}""");
        Assert.Equal("unsubscribed", (await staying.ReceiveJsonAsync()).GetProperty("type").GetString());
        await leaving.DisposeAsync();

        await Eventually.HoldsAsync(async () => (await ListAsync(server)).SequenceEqual([("news", 1)]), Settle,
            () => "the listing did not settle to news: 1");
    }

    [Fact]
    public async Task A_channel_that_was_only_published_to_is_not_listed()
    {
        await using var server = await ServiceHost.StartAsync();

        using (var response = await server.PublishAsync("quiet", "1"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Empty(await ListAsync(server));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key-0123456789")]
    public async Task Without_the_api_key_it_is_401(string? key)
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.GetAsync("api/channels", key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ServerApi.AssertErrorAsync(response, "permission_denied");
    }

    [Fact]
    public async Task A_prefix_given_twice_is_400()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.GetAsync("api/channels?prefix=a&prefix=b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ServerApi.AssertErrorAsync(response, "bad_request");
    }

    private static async Task<List<(string Channel, int Subscribers)>> ListAsync(ServiceHost server, string? prefix = null)
    {
        using var response = await server.GetAsync(prefix is null ? "api/channels" : $"api/channels?prefix={prefix}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        return body.GetProperty("channels").EnumerateArray()
            .Select(entry => (entry.GetProperty("channel").GetString()!, entry.GetProperty("subscribers").GetInt32()))
            .ToList();
    }
}
