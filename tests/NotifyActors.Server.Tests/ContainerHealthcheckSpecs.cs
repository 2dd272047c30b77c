using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NotifyActors.Server.Tests;

/// <summary>docker/healthcheck.sh, the image's HEALTHCHECK, run as Docker runs it, against a real service.</summary>
[Collection(ServerCollection.Name)]
public sealed class ContainerHealthcheckSpecs
{
    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "docker", "healthcheck.sh");

    [Fact]
    public async Task A_serving_node_is_healthy_on_its_admin_port()
    {
        await using var server = await ServiceHost.StartAsync();

        Assert.Equal(0, await RunAsync(server.AdminAddress.Port));
    }

    [Fact]
    public async Task Nothing_listening_is_unhealthy()
    {
        int port;
        using (var gone = new TcpListener(IPAddress.Loopback, 0))
        {
            gone.Start();
            port = ((IPEndPoint)gone.LocalEndpoint).Port;
        }

        Assert.Equal(1, await RunAsync(port));
    }

    [Fact]
    public async Task A_port_that_accepts_but_never_answers_is_unhealthy_after_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();

        var watch = Stopwatch.StartNew();
        Assert.Equal(1, await RunAsync(((IPEndPoint)silent.LocalEndpoint).Port, timeoutSeconds: 1));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the check took {watch.Elapsed}");
    }

    private static async Task<int> RunAsync(int port, int timeoutSeconds = 3)
    {
        var start = new ProcessStartInfo(Script) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["NOTIFY_HEALTHCHECK_PORT"] = port.ToString();
        start.Environment["NOTIFY_HEALTHCHECK_TIMEOUT"] = timeoutSeconds.ToString();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return process.ExitCode;
    }
}
