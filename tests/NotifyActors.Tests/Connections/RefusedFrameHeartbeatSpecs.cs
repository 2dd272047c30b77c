using NotifyActors.Protocol;
using NotifyActors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace NotifyActors.Tests.Connections;

/// <summary>
/// Pongs take tokens of the command rate, but a frame the rate refuses is still a sign of life: a
/// client at its rate keeps its heartbeat. Wide margins, as in <see cref="HeartbeatSpecs"/>.
/// </summary>
public sealed class RefusedFrameHeartbeatSpecs(ITestOutputHelper output) : ServiceSpec("""
    notify.heartbeat { interval = 500ms, timeout = 2s }
    notify.limits { command-rate = 0.001, command-burst = 1, max-rejected-commands = 100000 }
    """, output)
{
    [Fact]
    public async Task Refused_pongs_keep_a_connection_alive_and_it_times_out_once_they_stop()
    {
        var (client, subscriber, _) = await ConnectAsync();
        using var stopPonging = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var ponger = client.PongUntilAsync(TimeSpan.FromMilliseconds(200), stopPonging.Token);

        // Every pong but the first is refused; three deadlines (2.5 s each) pass meanwhile.
        ExpectNoMsg(TimeSpan.FromSeconds(5));
        await ponger;

        ExpectTerminated(subscriber, TimeSpan.FromSeconds(20));
        Assert.Equal(CloseCodes.HeartbeatTimeout, await client.ReceiveCloseAsync());
    }
}
