using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// PROTOCOL.md section 2, recovery: a subscribe with recover {offset, epoch} is answered
/// recovered: true with exactly the missed publications when the epoch matches and all of them are
/// still in history (and within notify.recovery.max-publications), else recovered: false with none.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class RecoverySpecs
{
    private const string Namespaces = """
        notify.namespaces {
          feed  { history-size = 100, history-ttl = 10m }
          short { history-size = 5,   history-ttl = 10m }
        }
        """;

    [Fact]
    public async Task Reconnecting_with_recover_gets_exactly_the_missed_publications_in_order_then_live_ones()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:news");

        const int missed = 10;
        for (var i = 1; i <= missed; i++)
        {
            var published = await server.PublishOkAsync("feed:news", $$"""{"n":{{i}}}""");
            Assert.True(published == (offset + i, epoch), $"publication {i} got {published}; the channel should have kept offset {offset} in epoch {epoch}");
        }
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await SubscribeWithRecoverAsync(client, "feed:news", offset, epoch);

        Assert.True(reply.GetProperty("recovered").GetBoolean(), $"{reply}");
        Assert.Equal(offset + missed, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());
        var expected = Enumerable.Range(1, missed).Select(i => (offset + i, $$"""{"n":{{i}}}""")).ToList();
        Assert.Equal(expected, reply.Publications());

        await server.PublishOkAsync("feed:news", """{"n":"live"}""");
        var pub = await client.ReceiveJsonAsync();
        Assert.Equal("pub", pub.Type());
        Assert.Equal(offset + missed + 1, pub.GetProperty("offset").GetInt64());
        Assert.Equal("""{"n":"live"}""", pub.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Recover_from_a_position_in_a_channel_with_earlier_history_replays_only_what_followed_it()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        for (var i = 1; i <= 3; i++)
            await server.PublishOkAsync("feed:old", i.ToString());
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:old");
        Assert.Equal(3, offset);
        for (var i = 4; i <= 6; i++)
            await server.PublishOkAsync("feed:old", i.ToString());
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await SubscribeWithRecoverAsync(client, "feed:old", offset, epoch);

        Assert.True(reply.GetProperty("recovered").GetBoolean(), $"{reply}");
        Assert.Equal([(4L, "4"), (5L, "5"), (6L, "6")], reply.Publications());
    }

    [Fact]
    public async Task Recover_with_another_epoch_is_not_recovered_and_replays_nothing()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await server.PublishOkAsync("feed:news", "1");
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:news");
        await server.PublishOkAsync("feed:news", "2");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await SubscribeWithRecoverAsync(client, "feed:news", offset, "x" + epoch);

        Assert.False(reply.GetProperty("recovered").GetBoolean(), $"{reply}");
        Assert.Empty(reply.Publications());
        Assert.Equal(2, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());
    }

    [Fact]
    public async Task Recover_from_an_offset_older_than_the_kept_history_is_not_recovered()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await server.PublishOkAsync("short:news", "0");
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "short:news");
        for (var i = 1; i <= 6; i++) // one more than history-size: the first one missed is gone
            await server.PublishOkAsync("short:news", i.ToString());
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await using var other = await TestClient.ConnectAsync(server.WebSocketUri);

        var lost = await SubscribeWithRecoverAsync(client, "short:news", offset, epoch);
        var kept = await SubscribeWithRecoverAsync(other, "short:news", offset + 1, epoch);

        Assert.False(lost.GetProperty("recovered").GetBoolean(), $"{lost}");
        Assert.Empty(lost.Publications());
        Assert.Equal(offset + 6, lost.GetProperty("offset").GetInt64());
        // One offset later, everything missed is still kept.
        Assert.True(kept.GetProperty("recovered").GetBoolean(), $"{kept}");
        Assert.Equal(Enumerable.Range(2, 5).Select(i => offset + i), kept.Publications().Select(p => p.Offset));
    }

    [Fact]
    public async Task Recover_of_more_than_max_publications_is_not_recovered_and_of_exactly_that_many_is()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces + "\nnotify.recovery.max-publications = 5");
        await server.PublishOkAsync("feed:news", "0");
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:news");
        for (var i = 1; i <= 6; i++)
            await server.PublishOkAsync("feed:news", i.ToString());
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        await using var other = await TestClient.ConnectAsync(server.WebSocketUri);

        var overCap = await SubscribeWithRecoverAsync(client, "feed:news", offset, epoch);
        var atCap = await SubscribeWithRecoverAsync(other, "feed:news", offset + 1, epoch);

        Assert.False(overCap.GetProperty("recovered").GetBoolean(), $"{overCap}");
        Assert.Empty(overCap.Publications());
        Assert.True(atCap.GetProperty("recovered").GetBoolean(), $"{atCap}");
        Assert.Equal(Enumerable.Range(2, 5).Select(i => offset + i), atCap.Publications().Select(p => p.Offset));
    }

    [Fact]
    public async Task Recover_when_nothing_was_missed_is_recovered_with_no_publications()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await server.PublishOkAsync("feed:news", "1");
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:news");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var reply = await SubscribeWithRecoverAsync(client, "feed:news", offset, epoch);

        Assert.True(reply.GetProperty("recovered").GetBoolean(), $"{reply}");
        Assert.Empty(reply.Publications());
        Assert.Equal(offset, reply.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Without_history_recover_succeeds_only_when_nothing_was_missed()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        // The default namespace keeps no history; a keeper keeps the channel and its epoch alive.
        await using var keeper = await TestClient.ConnectAsync(server.WebSocketUri);
        var kept = await keeper.SubscribeAsync("plain", id: 1);
        var epoch = kept.GetProperty("epoch").GetString()!;
        await server.PublishOkAsync("plain", "1");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        var current = await SubscribeWithRecoverAsync(client, "plain", 1, epoch);
        await client.AskAsync("""{"op":"unsubscribe","id":9,"channel":"plain"}""");
        await server.PublishOkAsync("plain", "2");
        var behind = await SubscribeWithRecoverAsync(client, "plain", 1, epoch, id: 2);

        Assert.True(current.GetProperty("recovered").GetBoolean(), $"{current}");
        Assert.Empty(current.Publications());
        Assert.False(behind.GetProperty("recovered").GetBoolean(), $"{behind}");
        Assert.Empty(behind.Publications());
        Assert.Equal(2, behind.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Recover_from_an_offset_the_channel_never_reached_is_not_recovered()
    {
        await using var server = await ServiceHost.StartAsync(Namespaces);
        await server.PublishOkAsync("feed:news", "1");
        var (offset, epoch) = await SubscribeAndLeaveAsync(server, "feed:news");
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);

        // A client that claims to have seen more than was ever published has state from elsewhere.
        var reply = await SubscribeWithRecoverAsync(client, "feed:news", offset + 5, epoch);

        Assert.False(reply.GetProperty("recovered").GetBoolean(), $"{reply}");
        Assert.Equal(offset, reply.GetProperty("offset").GetInt64());
    }

    /// <summary>Subscribes on a fresh connection, reads the position, and closes the connection.</summary>
    private static async Task<(long Offset, string Epoch)> SubscribeAndLeaveAsync(ServiceHost server, string channel)
    {
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        var subscribed = await client.SubscribeAsync(channel, id: 1);
        return (subscribed.GetProperty("offset").GetInt64(), subscribed.GetProperty("epoch").GetString()!);
    }

    /// <summary>Subscribes with recover and returns the checked "subscribed" reply.</summary>
    private static async Task<JsonElement> SubscribeWithRecoverAsync(TestClient client, string channel, long offset, string epoch, long id = 1)
    {
        var reply = await client.AskAsync($$$"""{"op":"subscribe","id":{{{id}}},"channel":"{{{channel}}}","recover":{"offset":{{{offset}}},"epoch":"{{{epoch}}}"}}""");
        Assert.True(reply.Type() == "subscribed", $"expected subscribed, got {reply}");
        Assert.Equal(id, reply.GetProperty("id").GetInt64());
        Assert.Equal(channel, reply.GetProperty("channel").GetString());
        return reply;
    }
}
