using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// The heartbeat: pings on schedule, a deadline of interval + timeout for a sign of life.
/// Margins are wide (deadlines of 2-3 s, waits of 15-20 s): two busy cores must not fail them.
/// </summary>
public sealed class HeartbeatSpecs(ITestOutputHelper output) : ServiceSpec("""
    notify.heartbeat { interval = 500ms, timeout = 2s }
    """, output)
{
    [Fact]
    public async Task A_subscriber_sends_pings_on_schedule()
    {
        var (client, _, _) = await ConnectAsync();

        for (var i = 0; i < 3; i++)
        {
            var frame = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("ping", frame.GetProperty("type").GetString());
            await client.SendAsync("""{"op":"pong"}""");
        }
    }

    [Fact]
    public async Task A_client_that_never_answers_is_closed_with_4000_and_its_actor_stops()
    {
        var (client, subscriber, _) = await ConnectAsync();

        ExpectTerminated(subscriber, TimeSpan.FromSeconds(20));
        Assert.Equal(CloseCodes.HeartbeatTimeout, await client.ReceiveCloseAsync());
        Assert.Equal(1, Metrics.HeartbeatTimeouts);
        await AwaitAssertAsync(() => Assert.Equal(0, Metrics.SubscriberActors));
    }

    [Fact]
    public async Task Pongs_keep_a_connection_alive_and_it_times_out_once_they_stop()
    {
        var (client, subscriber, _) = await ConnectAsync();
        using var stopPonging = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var ponger = client.PongUntilAsync(TimeSpan.FromMilliseconds(200), stopPonging.Token);

        // Three deadlines (2.5 s each) pass while the client answers.
        ExpectNoMsg(TimeSpan.FromSeconds(5));
        await ponger;

        ExpectTerminated(subscriber, TimeSpan.FromSeconds(20));
        Assert.Equal(CloseCodes.HeartbeatTimeout, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Publications_alone_do_not_keep_a_connection_alive()
    {
        var (client, subscriber, _) = await ConnectAsync();
        await SubscribeAsync(client, "news");
        using var stopPublishing = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var publisher = Task.Run(async () =>
        {
            while (!stopPublishing.IsCancellationRequested)
            {
                await PublishAsync("news", "1");
                await Task.Delay(100);
            }
        });

        ExpectTerminated(subscriber, TimeSpan.FromSeconds(20));
        await stopPublishing.CancelAsync();
        await publisher;
        Assert.Equal(CloseCodes.HeartbeatTimeout, await client.ReceiveCloseAsync());
        Assert.True(Metrics.Deliveries > 0, "publications were delivered while the deadline ran");
    }
}
