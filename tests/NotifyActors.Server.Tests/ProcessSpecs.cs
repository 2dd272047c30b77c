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
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "NotifyActors.Server.dll");

    [Fact]
    public async Task Sigterm_closes_every_socket_with_1001_and_exits_0_within_the_drain_time()
    {
        var port = FreePort();
        using var server = Start(new() { ["NOTIFY_URLS"] = $"http://127.0.0.1:{port}", ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0", ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey }, out var listening);
        try
        {
            var uri = new Uri($"ws://127.0.0.1:{port}/ws");
            await listening.WaitAsync(TimeSpan.FromSeconds(30));
            await using var first = await TestClient.ConnectAsync(uri);
            await using var second = await TestClient.ConnectAsync(uri);
            await first.SubscribeAsync("news", 1);

            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString()]))
                await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await first.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await second.ReceiveCloseAsync(TimeSpan.FromSeconds(15)));
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, server.ExitCode);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10 + 5), $"exit took {stopwatch.Elapsed}");
        }
        finally
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_bad_setting_exits_2_with_one_line_naming_it()
    {
        using var server = Start(new() { ["NOTIFY_HEARTBEAT_INTERVAL"] = "often" }, out _);

        var stderr = server.StandardError.ReadToEndAsync();
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, server.ExitCode);
        Assert.StartsWith("notify: Invalid setting 'NOTIFY_HEARTBEAT_INTERVAL'", (await stderr).Trim());
    }

    /// <summary>
    /// Starts the service; <paramref name="listening"/> completes when it prints its start-up line (written
    /// once Kestrel is bound) and fails if the process exits first.
    /// </summary>
    private static Process Start(Dictionary<string, string?> environment, out Task listening)
    {
        var start = new ProcessStartInfo("dotnet", [ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("NOTIFY_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        // Reading stdout also keeps the child from blocking on a full pipe.
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith("dashboard: ", StringComparison.Ordinal) == true)
                started.TrySetResult();
        };
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException("the service exited before it was listening"));
        process.Start();
        process.BeginOutputReadLine();
        listening = started.Task;
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
