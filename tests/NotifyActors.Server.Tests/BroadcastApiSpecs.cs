using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>POST /api/broadcast: one data to many channels, one result per channel in order.</summary>
[Collection(ServerCollection.Name)]
public sealed class BroadcastApiSpecs
{
    [Fact]
    public async Task Every_channel_is_published_and_answered_in_order_with_offset_and_epoch()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var news = await client.SubscribeAsync("news", id: 1);
        var sport = await client.SubscribeAsync("sport", id: 2);

        using var response = await server.BroadcastAsync(["sport", "news", "weather"], """{"text":"hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.JsonAsync()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["sport", "news", "weather"], results.Select(result => result.GetProperty("channel").GetString()));
        Assert.Equal(sport.GetProperty("epoch").GetString(), results[0].GetProperty("epoch").GetString());
        Assert.Equal(sport.GetProperty("offset").GetInt64() + 1, results[0].GetProperty("offset").GetInt64());
        Assert.Equal(news.GetProperty("epoch").GetString(), results[1].GetProperty("epoch").GetString());
        Assert.Equal(news.GetProperty("offset").GetInt64() + 1, results[1].GetProperty("offset").GetInt64());
        Assert.Equal(1, results[2].GetProperty("offset").GetInt64());
        Assert.All(results, result => Assert.False(result.TryGetProperty("error", out _), $"unexpected error: {result}"));

        var received = new[] { await client.ReceiveJsonAsync(), await client.ReceiveJsonAsync() };
        Assert.Equal(["news", "sport"], received.Select(pub => pub.GetProperty("channel").GetString()).Order());
        Assert.All(received, pub => Assert.Equal("""{"text":"hi"}""", pub.GetProperty("data").GetRawText()));
    }

    [Fact]
    public async Task Invalid_channels_get_an_error_entry_and_the_valid_ones_are_still_published()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);
        string[] channels = ["bad channel!", "news", "nope:x", "", new string('c', 256)];

        using var response = await server.BroadcastAsync(channels, "42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.JsonAsync()).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(channels, results.Select(result => result.GetProperty("channel").GetString()));
        foreach (var index in new[] { 0, 2, 3, 4 })
        {
            var error = results[index].GetProperty("error");
            Assert.Equal("invalid_channel", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            Assert.False(results[index].TryGetProperty("offset", out _), $"an error entry has no offset: {results[index]}");
        }
        Assert.Equal(1, results[1].GetProperty("offset").GetInt64());
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("news", pub.GetProperty("channel").GetString());
        Assert.Equal(42, pub.GetProperty("data").GetInt32());
    }

    [Fact]
    public async Task A_channel_named_twice_is_published_twice()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        using var response = await server.BroadcastAsync(["news", "news"], "1");

        var offsets = (await response.JsonAsync()).GetProperty("results").EnumerateArray().Select(result => result.GetProperty("offset").GetInt64());
        Assert.Equal([1L, 2L], offsets.Order());
        Assert.Equal(1, (await client.ReceiveJsonAsync()).GetProperty("offset").GetInt64());
        Assert.Equal(2, (await client.ReceiveJsonAsync()).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task By_default_1000_channels_are_accepted_and_1001_are_413()
    {
        await using var server = await ServiceHost.StartAsync();

        using (var atLimit = await server.BroadcastAsync(Names(1000), "null"))
        {
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
            var results = (await atLimit.JsonAsync()).GetProperty("results");
            Assert.Equal(1000, results.GetArrayLength());
            Assert.All(results.EnumerateArray(), result => Assert.Equal(1, result.GetProperty("offset").GetInt64()));
        }
        using var over = await server.BroadcastAsync(Names(1001), "null");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        await ServerApi.AssertErrorAsync(over, "limit_exceeded");
    }

    [Fact]
    public async Task Past_a_configured_channel_cap_nothing_is_published()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-broadcast-channels = 2");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("a", id: 1);

        using (var over = await server.BroadcastAsync(["a", "b", "c"], "\"too many\""))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
            await ServerApi.AssertErrorAsync(over, "limit_exceeded");
        }
        using (var atLimit = await server.BroadcastAsync(["a", "b"], "\"fits\""))
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);

        // The refused broadcast delivered nothing: the first publication "a" sees is the one that fit.
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("fits", pub.GetProperty("data").GetString());
        Assert.Equal(1, pub.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task A_body_over_max_publish_bytes_is_413()
    {
        await using var server = await ServiceHost.StartAsync("notify.limits.max-publish-bytes = 1000");

        using var over = await server.BroadcastAsync(["a"], JsonSerializer.Serialize(new string('d', 1000)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        await ServerApi.AssertErrorAsync(over, "limit_exceeded");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-key-0123456789")]
    public async Task Without_the_api_key_it_is_401_and_publishes_nothing(string? key)
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        using (var response = await server.PostJsonAsync("api/broadcast", """{"channels":["news"],"data":"forged"}""", key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            await ServerApi.AssertErrorAsync(response, "permission_denied");
        }
        using (var response = await server.PublishAsync("news", "\"real\""))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal("real", (await client.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    [Theory]
    [InlineData("invalid JSON", """{"channels":["a"],"data":""")]
    [InlineData("an empty body", "")]
    [InlineData("a JSON array", """[{"channels":["a"],"data":1}]""")]
    [InlineData("missing channels", """{"data":1}""")]
    [InlineData("channels not an array", """{"channels":"a","data":1}""")]
    [InlineData("an empty channels array", """{"channels":[],"data":1}""")]
    [InlineData("a channel that is not a string", """{"channels":["a",5],"data":1}""")]
    [InlineData("missing data", """{"channels":["a"]}""")]
    [InlineData("a lone surrogate in a channel", """{"channels":["a","\udc00"],"data":1}""")]
    [InlineData("lone surrogates in a field name", """{"channels":["a"],"data":1,"\ud800\ud800":1}""")]
    public async Task A_malformed_body_is_400_bad_request(string what, string body)
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.PostJsonAsync("api/broadcast", body, ServiceHost.ApiKey);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: expected 400, got {(int)response.StatusCode}");
        await ServerApi.AssertErrorAsync(response, "bad_request");
    }

    private static IEnumerable<string> Names(int count) => Enumerable.Range(1, count).Select(i => $"c{i}");
}
