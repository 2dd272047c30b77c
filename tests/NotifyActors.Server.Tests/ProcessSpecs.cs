using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Xunit;

namespace NotifyActors.Server.Tests;

/// <summary>The service as an operator runs it: its own process, stopped with SIGTERM, failing fast on bad configuration.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProcessSpecs
{
    private static readonly Dictionary<string, string?> Secrets = new()
    {
        ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
        ["NOTIFY_JWT_SECRET"] = ServiceHost.JwtSecret,
        ["NOTIFY_ADMIN_TOKEN"] = ServiceHost.AdminToken,
    };

    [Fact]
    public async Task Sigterm_closes_every_socket_with_1001_and_exits_0_within_the_drain_time()
    {
        var port = ServiceProcess.FreePort();
        await using var server = ServiceProcess.Start(new() { ["NOTIFY_URLS"] = $"http://127.0.0.1:{port}", ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0", ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey });
        var uri = new Uri($"ws://127.0.0.1:{port}/ws");
        await server.Listening.WaitAsync(TimeSpan.FromSeconds(30));
        await using var first = await TestClient.ConnectAsync(uri);
        await using var second = await TestClient.ConnectAsync(uri);
        await first.SubscribeAsync("news", 1);

        var stopwatch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", server.Process.Id.ToString()]))
            await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await first.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await second.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(0, await server.ExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10 + 5), $"exit took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task A_bad_setting_exits_2_with_one_line_naming_it()
    {
        await using var server = ServiceProcess.Start(new() { ["NOTIFY_HEARTBEAT_INTERVAL"] = "often" });

        Assert.Equal(2, await server.ExitAsync(TimeSpan.FromSeconds(30)));
        Assert.StartsWith("notify: Invalid setting 'NOTIFY_HEARTBEAT_INTERVAL'", (await server.StandardError).Trim());
    }

    [Theory]
    [InlineData("NOTIFY_URLS")]
    [InlineData("NOTIFY_ADMIN_URLS")]
    public async Task A_port_in_use_exits_2_with_one_line_naming_the_address_and_its_setting(string busy)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        var environment = new Dictionary<string, string?>(Secrets)
        {
            ["NOTIFY_URLS"] = "http://127.0.0.1:0",
            ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0",
            [busy] = taken,
        };
        await using var server = ServiceProcess.Start(environment);

        Assert.Equal(2, await server.ExitAsync(TimeSpan.FromSeconds(30)));
        var stderr = (await server.StandardError).TrimEnd();
        Assert.DoesNotContain('\n', stderr);
        Assert.StartsWith($"notify: Invalid setting '{busy} (", stderr);
        Assert.Contains($"'{taken}' is already in use", stderr);
        // Nothing else: no stack trace, and no drain of a service that never started.
        Assert.Empty(server.Output);
    }
}
