using System.Text;
using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>The history command and GET /api/history: what a channel keeps, by size and time to live.</summary>
[Collection(ServerCollection.Name)]
public sealed class HistorySpecs
{
    private const string Namespaces = """
        notify.namespaces {
          feed  { history-size = 100, history-ttl = 10m }
          short { history-size = 3,   history-ttl = 10m }
          brief { history-size = 10,  history-ttl = 1s }
        }
        """;

    [Fact]
    public async Task History_command_answers_the_position_and_every_kept_publication_oldest_first()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var epoch = await PublishNumbersAsync(server, "feed:news", 5);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.AskAsync("""{"op":"history","id":5,"channel":"feed:news"}""");

        Assert.Equal(["type", "id", "channel", "offset", "epoch", "publications"], reply.EnumerateObject().Select(p => p.Name));
        Assert.Equal("history", reply.Type());
        Assert.Equal(5, reply.GetProperty("id").GetInt64());
        Assert.Equal("feed:news", reply.GetProperty("channel").GetString());
        Assert.Equal(5, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());
        Assert.Equal(Numbered(1, 5), reply.Publications());
        Assert.All(reply.GetProperty("publications").EnumerateArray(), p => Assert.Equal(["offset", "data"], p.EnumerateObject().Select(f => f.Name)));
    }

    [Fact]
    public async Task A_history_of_large_publications_is_answered_within_half_the_outbound_queue_and_the_rest_paged()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var pad = new string('x', 60_000);
        for (var i = 1; i <= 100; i++)
        {
            using var response = await server.PublishAsync("feed:big", $$"""{"i":{{i}},"pad":"{{pad}}"}""");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await client.SendTextAsync("""{"op":"history","id":1,"channel":"feed:big"}""");
        var newest = await client.ReceiveAsync();
        await client.SendTextAsync("""{"op":"history","id":2,"channel":"feed:big","since":{"offset":0,"epoch":"{{EPOCH}}"}}""".Replace("{{EPOCH}}", newest.Json.GetProperty("epoch").GetString()));
        var oldest = await client.ReceiveAsync();

        // 100 x 60 KB kept, but one reply holds what fits in 512 KiB: the newest 8, or the oldest 8 after a position.
        Assert.True(Encoding.UTF8.GetByteCount(newest.Text) <= 512 * 1024, $"a reply of {newest.Text.Length} bytes");
        Assert.Equal(Enumerable.Range(93, 8).Select(i => (long)i), newest.Json.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), oldest.Json.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal(100, oldest.Json.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task History_command_keeps_only_the_newest_history_size_publications()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await PublishNumbersAsync(server, "short:news", 5);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.AskAsync("""{"op":"history","id":1,"channel":"short:news"}""");

        Assert.Equal(5, reply.GetProperty("offset").GetInt64());
        Assert.Equal(Numbered(3, 3), reply.Publications());
    }

    [Fact]
    public async Task History_command_with_a_limit_answers_the_newest_that_many()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await PublishNumbersAsync(server, "feed:news", 5);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var two = await client.AskAsync("""{"op":"history","id":1,"channel":"feed:news","limit":2}""");
        var none = await client.AskAsync("""{"op":"history","id":2,"channel":"feed:news","limit":0}""");
        var more = await client.AskAsync("""{"op":"history","id":3,"channel":"feed:news","limit":50}""");

        Assert.Equal(Numbered(4, 2), two.Publications());
        Assert.Empty(none.Publications());
        Assert.Equal(5, none.GetProperty("offset").GetInt64());
        Assert.Equal(Numbered(1, 5), more.Publications());
    }

    [Fact]
    public async Task History_command_with_since_answers_what_follows_that_position()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var epoch = await PublishNumbersAsync(server, "feed:news", 5);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var after2 = await client.AskAsync($$$"""{"op":"history","id":1,"channel":"feed:news","since":{"offset":2,"epoch":"{{{epoch}}}"}}""");
        var firstAfter2 = await client.AskAsync($$"""{"op":"history","id":2,"channel":"feed:news","since":{"offset":2,"epoch":"{{epoch}}"},"limit":1}""");
        var atTop = await client.AskAsync($$$"""{"op":"history","id":3,"channel":"feed:news","since":{"offset":5,"epoch":"{{{epoch}}}"}}""");

        Assert.Equal(Numbered(3, 3), after2.Publications());
        Assert.Equal(Numbered(3, 1), firstAfter2.Publications());
        Assert.Equal("history", atTop.Type());
        Assert.Empty(atTop.Publications());
    }

    [Fact]
    public async Task History_command_since_another_epoch_or_a_position_no_longer_kept_is_not_available()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var epoch = await PublishNumbersAsync(server, "short:news", 5);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var otherEpoch = await client.AskAsync($$$"""{"op":"history","id":1,"channel":"short:news","since":{"offset":4,"epoch":"x{{{epoch}}}"}}""");
        var pruned = await client.AskAsync($$$"""{"op":"history","id":2,"channel":"short:news","since":{"offset":1,"epoch":"{{{epoch}}}"}}""");

        foreach (var (reply, id) in new[] { (otherEpoch, 1), (pruned, 2) })
        {
            Assert.Equal("error", reply.Type());
            Assert.Equal(id, reply.GetProperty("id").GetInt64());
            Assert.Equal("not_available", reply.ErrorCode());
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"2\"")]
    [InlineData("null")]
    [InlineData("99999999999")]
    public async Task History_command_with_a_bad_limit_is_a_bad_request_and_the_connection_carries_on(string limit)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await PublishNumbersAsync(server, "feed:news", 1);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await client.AskAsync($$"""{"op":"history","id":1,"channel":"feed:news","limit":{{limit}}}""");
        var after = await client.AskAsync("""{"op":"history","id":2,"channel":"feed:news"}""");

        Assert.Equal("error", reply.Type());
        Assert.Equal(1, reply.GetProperty("id").GetInt64());
        Assert.Equal("bad_request", reply.ErrorCode());
        Assert.Equal("history", after.Type());
        Assert.Equal(Numbered(1, 1), after.Publications());
    }

    [Fact]
    public async Task History_empties_when_its_ttl_passes_and_the_channel_stops_once_its_last_subscriber_leaves()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var subscribed = await client.SubscribeAsync("brief:news", id: 1);
        var epoch = subscribed.GetProperty("epoch").GetString();
        await PublishNumbersAsync(server, "brief:news", 3);
        for (var i = 0; i < 3; i++)
            Assert.Equal("pub", (await client.ReceiveJsonAsync()).Type());
        var before = await client.AskAsync("""{"op":"history","id":2,"channel":"brief:news"}""");
        Assert.Equal(Numbered(1, 3), before.Publications());

        // history-ttl = 1s: the subscriber keeps the channel (and its epoch) alive while its history empties.
        JsonElement after = default;
        var id = 3;
        await Eventually.HoldsAsync(async () =>
        {
            after = await client.AskAsync($$"""{"op":"history","id":{{id++}},"channel":"brief:news"}""");
            return after.GetProperty("publications").GetArrayLength() == 0;
        }, TimeSpan.FromSeconds(10), () => $"history still holds {after}");
        Assert.Equal(3, after.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, after.GetProperty("epoch").GetString());

        await client.AskAsync("""{"op":"unsubscribe","id":100,"channel":"brief:news"}""");
        await Eventually.HoldsAsync(() => server.Metrics.Channels == 0, TimeSpan.FromSeconds(10),
            () => $"notify_channels is {server.Metrics.Channels} after the last subscriber left a channel with expired history");
    }

    [Fact]
    public async Task Channel_without_subscribers_stays_while_it_keeps_history_and_stops_when_it_expires()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (_, epoch) = await server.PublishOkAsync("brief:quiet", "1");
        var (offset, sameEpoch) = await server.PublishOkAsync("brief:quiet", "2");

        // Kept by its history: the second publication continued the first one's sequence.
        Assert.Equal((2L, epoch), (offset, sameEpoch));
        await Eventually.HoldsAsync(() => server.Metrics.Channels == 0, TimeSpan.FromSeconds(10),
            () => $"notify_channels is {server.Metrics.Channels} after the channel's only history expired");
        var scraped = await server.ScrapeAsync();
        Assert.Equal(0, scraped.Value("notify_channels"));
    }

    [Fact]
    public async Task Api_history_answers_like_the_command_without_type_and_id()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var epoch = await PublishNumbersAsync(server, "feed:news", 5);

        var (status, all) = await server.GetJsonAsync("api/history?channel=feed:news");
        var (_, limited) = await server.GetJsonAsync("api/history?channel=feed:news&limit=2");
        var (_, since) = await server.GetJsonAsync($"api/history?channel=feed:news&offset=3&epoch={epoch}");
        var (_, sinceLimited) = await server.GetJsonAsync($"api/history?channel=feed:news&offset=1&epoch={epoch}&limit=2");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["channel", "offset", "epoch", "publications"], all.EnumerateObject().Select(p => p.Name));
        Assert.Equal("feed:news", all.GetProperty("channel").GetString());
        Assert.Equal(5, all.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, all.GetProperty("epoch").GetString());
        Assert.Equal(Numbered(1, 5), all.Publications());
        Assert.Equal(Numbered(4, 2), limited.Publications());
        Assert.Equal(Numbered(4, 2), since.Publications());
        Assert.Equal(Numbered(2, 2), sinceLimited.Publications());
    }

    [Fact]
    public async Task Api_history_without_a_valid_key_is_401()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (missing, missingBody) = await server.GetJsonAsync("api/history?channel=feed:news", apiKey: null);
        var (wrong, _) = await server.GetJsonAsync("api/history?channel=feed:news", apiKey: "not-the-key");

        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal("permission_denied", missingBody.ErrorCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad%20name")]
    [InlineData("nowhere:news")]
    public async Task Api_history_of_an_invalid_channel_is_400_invalid_channel(string channel)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (status, body) = await server.GetJsonAsync($"api/history?channel={channel}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_channel", body.ErrorCode());
    }

    [Fact]
    public async Task Api_history_where_the_namespace_keeps_none_is_400_not_available()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (status, body) = await server.GetJsonAsync("api/history?channel=news");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("not_available", body.ErrorCode());
    }

    [Fact]
    public async Task Api_history_since_a_position_no_longer_in_history_is_404()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var epoch = await PublishNumbersAsync(server, "short:news", 5);

        var (pruned, prunedBody) = await server.GetJsonAsync($"api/history?channel=short:news&offset=1&epoch={epoch}");
        var (otherEpoch, otherEpochBody) = await server.GetJsonAsync($"api/history?channel=short:news&offset=4&epoch=x{epoch}");

        Assert.Equal(HttpStatusCode.NotFound, pruned);
        Assert.Equal("not_available", prunedBody.ErrorCode());
        Assert.Equal(HttpStatusCode.NotFound, otherEpoch);
        Assert.Equal("not_available", otherEpochBody.ErrorCode());
    }

    [Theory]
    [InlineData("limit=-1")]
    [InlineData("limit=x")]
    [InlineData("limit=1.5")]
    [InlineData("limit=99999999999")]
    [InlineData("offset=1")]
    [InlineData("epoch=abc")]
    [InlineData("offset=-1&epoch=abc")]
    public async Task Api_history_with_a_bad_limit_or_position_is_400_bad_request(string query)
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);

        var (status, body) = await server.GetJsonAsync($"api/history?channel=feed:news&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", body.ErrorCode());
    }

    /// <summary>Publishes 1..<paramref name="count"/> (data: the number) and returns the epoch, which must not change.</summary>
    private static async Task<string> PublishNumbersAsync(ServiceHost server, string channel, int count)
    {
        string? epoch = null;
        for (var i = 1; i <= count; i++)
        {
            var (_, published) = await server.PublishOkAsync(channel, i.ToString());
            Assert.True(epoch is null || epoch == published, $"epoch changed from {epoch} to {published} at publication {i}");
            epoch = published;
        }
        return epoch!;
    }

    private static List<(long Offset, string Data)> Numbered(int first, int count) =>
        Enumerable.Range(first, count).Select(i => ((long)i, i.ToString())).ToList();
}
