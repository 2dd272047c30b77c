using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>notify.limits.max-channels-per-connection, here 3.</summary>
public sealed class ChannelLimitSpecs(ITestOutputHelper output)
    : ServiceSpec("notify.limits.max-channels-per-connection = 3", output)
{
    [Fact]
    public async Task A_connection_may_hold_exactly_the_limit_and_the_next_subscribe_is_limit_exceeded()
    {
        var (client, _, _) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(client, $"c{i}", id: i);

        await client.SendAsync("""{"op":"subscribe","id":4,"channel":"c4"}""");
        var reply = await client.ReceiveSkippingPingsAsync();

        Assert.Equal("error", reply.GetProperty("type").GetString());
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task After_limit_exceeded_the_connection_stays_usable_and_an_unsubscribe_frees_a_place()
    {
        var (client, _, _) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(client, $"c{i}", id: i);
        await client.SendAsync("""{"op":"subscribe","id":4,"channel":"c4"}""");
        Assert.Equal("limit_exceeded", (await client.ReceiveSkippingPingsAsync()).GetProperty("code").GetString());

        var ack = await PublishAsync("c1", "\"still here\"");
        var pub = await client.ReceiveSkippingPingsAsync();
        Assert.Equal("pub", pub.GetProperty("type").GetString());
        Assert.Equal(ack.Offset, pub.GetProperty("offset").GetInt64());

        await client.SendAsync("""{"op":"unsubscribe","id":5,"channel":"c1"}""");
        Assert.Equal("unsubscribed", (await client.ReceiveSkippingPingsAsync()).GetProperty("type").GetString());
        await SubscribeAsync(client, "c4", id: 6);
    }

    [Fact]
    public async Task A_subscribe_still_waiting_for_its_channel_counts_towards_the_limit()
    {
        var (client, _, _) = await ConnectAsync();

        // Four subscribes in one go: the fourth is refused before any of the first three is answered.
        for (var i = 1; i <= 4; i++)
            await client.SendAsync($$"""{"op":"subscribe","id":{{i}},"channel":"p{{i}}"}""");

        var replies = new List<(string Type, long Id)>();
        for (var i = 0; i < 4; i++)
        {
            var reply = await client.ReceiveSkippingPingsAsync();
            replies.Add((reply.GetProperty("type").GetString()!, reply.GetProperty("id").GetInt64()));
        }
        Assert.Contains(("error", 4L), replies);
        Assert.Equal(3, replies.Count(reply => reply.Type == "subscribed"));
    }

    [Fact]
    public async Task The_limit_is_per_connection()
    {
        var (first, _, _) = await ConnectAsync();
        var (second, _, _) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(first, $"c{i}", id: i);

        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(second, $"c{i}", id: i);
    }
}
