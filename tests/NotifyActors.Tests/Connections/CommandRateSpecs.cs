using NotifyActors.Channels;
using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// notify.limits.command-rate on a subscriber: a burst of 3 and a refill so slow (one token per
/// 1000 s) that no token comes back while a spec runs; the third rejection closes with 4002.
/// </summary>
public sealed class CommandRateSpecs(ITestOutputHelper output)
    : ServiceSpec("notify.limits { command-rate = 0.001, command-burst = 3, max-rejected-commands = 3 }", output)
{
    [Fact]
    public async Task A_command_past_the_burst_is_limit_exceeded_with_its_id_and_is_not_executed()
    {
        var (client, _, _) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(client, $"c{i}", id: i);

        await client.SendAsync("""{"op":"subscribe","id":4,"channel":"refused"}""");
        var reply = await client.ReceiveSkippingPingsAsync();

        Assert.Equal("error", reply.GetProperty("type").GetString());
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.Equal(4, reply.GetProperty("id").GetInt64());
        // Not subscribed: a publication to "refused" does not arrive, the next one to c1 does.
        await PublishAsync("refused", "1");
        var ack = await PublishAsync("c1", "2");
        var pub = await client.ReceiveSkippingPingsAsync();
        Assert.Equal("c1", pub.GetProperty("channel").GetString());
        Assert.Equal(ack.Offset, pub.GetProperty("offset").GetInt64());
        Assert.DoesNotContain(ChannelDirectory.For(Sys).List(), channel => channel.Name == "refused");
    }

    [Fact]
    public async Task Pongs_take_tokens_and_a_refused_pong_is_not_answered()
    {
        var (client, _, _) = await ConnectAsync();
        for (var i = 0; i < 2; i++)
            await client.SendAsync("""{"op":"pong"}""");
        await SubscribeAsync(client, "c1", id: 1); // the third token

        await client.SendAsync("""{"op":"pong"}""");
        await client.SendAsync("""{"op":"subscribe","id":2,"channel":"c2"}""");

        var reply = await client.ReceiveSkippingPingsAsync();
        Assert.Equal("limit_exceeded", reply.GetProperty("code").GetString());
        Assert.Equal(2, reply.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Bad_frames_take_tokens_too()
    {
        var (client, _, _) = await ConnectAsync();
        await client.SendAsync("not json");
        await client.SendAsync("""{"op":"dance","id":2}""");
        Assert.Equal("bad_request", (await client.ReceiveSkippingPingsAsync()).GetProperty("code").GetString());
        Assert.Equal("unknown_op", (await client.ReceiveSkippingPingsAsync()).GetProperty("code").GetString());
        await SubscribeAsync(client, "c1", id: 3);

        await client.SendAsync("""{"op":"subscribe","id":4,"channel":"c2"}""");

        Assert.Equal("limit_exceeded", (await client.ReceiveSkippingPingsAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Rejections_below_the_abuse_limit_keep_the_connection_open()
    {
        var (client, _, _) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(client, $"c{i}", id: i);

        for (var i = 4; i <= 5; i++)
        {
            await client.SendAsync($$"""{"op":"subscribe","id":{{i}},"channel":"x"}""");
            Assert.Equal("limit_exceeded", (await client.ReceiveSkippingPingsAsync()).GetProperty("code").GetString());
        }

        // Still delivering: two rejections are below max-rejected-commands = 3. Both were answered
        // before this publication, so it arriving proves the connection outlived them.
        var ack = await PublishAsync("c2", "true");
        Assert.Equal(ack.Offset, (await client.ReceiveSkippingPingsAsync()).GetProperty("offset").GetInt64());
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task Sustained_flooding_closes_the_connection_with_4002()
    {
        var (client, subscriber, lifetime) = await ConnectAsync();
        for (var i = 1; i <= 3; i++)
            await SubscribeAsync(client, $"c{i}", id: i);

        for (var i = 4; i <= 6; i++)
            await client.SendAsync($$"""{"op":"subscribe","id":{{i}},"channel":"x"}""");

        Assert.Equal(CloseCodes.ProtocolViolation, await client.ReceiveCloseAsync());
        ExpectTerminated(subscriber);
        await lifetime.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(() => Assert.Equal(0, Metrics.SubscriberActors));
    }
}
