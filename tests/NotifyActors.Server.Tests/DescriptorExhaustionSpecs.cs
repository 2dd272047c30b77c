using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace NotifyActors.Server.Tests;

/// <summary>
/// The attack that once aborted the process: more half-finished upgrades than it has descriptors. A real
/// process under a small open-file limit is flooded from many loopback addresses; it must refuse what does
/// not fit, without spinning, and keep serving what it has: health and the admin API on the admin
/// listener, a publisher's open connection, a subscriber's WebSocket. Afterwards every gauge is back.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DescriptorExhaustionSpecs
{
    private const int OpenFiles = 1024;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_flood_of_partial_upgrades_past_the_open_file_limit_is_refused_and_what_the_process_serves_carries_on()
    {
        var config = Path.Combine(Path.GetTempPath(), $"notify-flood-{Guid.NewGuid():N}.hocon");
        // Headers may take a minute, so that the flood holds its connections while the spec looks.
        await File.WriteAllTextAsync(config, "notify.tcp { max-pending-per-address = 50, request-headers-timeout = 60s }");
        var port = ServiceProcess.FreePort();
        var adminPort = ServiceProcess.FreePort();
        await using var server = ServiceProcess.Start(new()
        {
            ["NOTIFY_URLS"] = $"http://127.0.0.1:{port}",
            ["NOTIFY_ADMIN_URLS"] = $"http://127.0.0.1:{adminPort}",
            ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
            ["NOTIFY_JWT_SECRET"] = ServiceHost.JwtSecret,
            ["NOTIFY_ADMIN_TOKEN"] = ServiceHost.AdminToken,
            ["NOTIFY_CONFIG"] = config,
        }, openFiles: OpenFiles);
        try
        {
            await server.Listening.WaitAsync(TimeSpan.FromSeconds(30));
            using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = TimeSpan.FromSeconds(10) };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceHost.AdminToken);
            // What the process serves before the flood: a subscriber, and a back end's keep-alive connection.
            await using var subscriber = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"));
            await subscriber.SubscribeAsync("canary", id: 1);
            using var api = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
                Timeout = TimeSpan.FromSeconds(10),
            };
            await PublishAndReceiveAsync(api, subscriber, "before");
            var before = await GaugesAsync(admin);
            var descriptorsBefore = OpenDescriptors(server.Process.Id);

            // 25 addresses x 60 partial upgrades: past the 50 each may hold, and far more than the descriptors left (about 1024 - 200 - 320).
            using (var flood = await PartialUpgradeFlood.OpenAsync(port, PartialUpgradeFlood.Sources(25), perSource: 60))
            {
                Assert.False(server.Process.HasExited, "the process died under the flood");
                // Once the refusals are done (and a young process's JIT has settled), a process holding the
                // flood has nothing to do; one out of descriptors spins in its accept loop (more than a core).
                var cpu = 0.0;
                await Eventually.HoldsAsync(async () => (cpu = await CpuCoresOverAsync(server.Process.Id, TimeSpan.FromSeconds(2))) < 0.25, Settle,
                    () => $"the process used {cpu:0.00} cores in each 2 s while the flood held still: it spins");
                Assert.True(OpenDescriptors(server.Process.Id) < OpenFiles - 64, $"{OpenDescriptors(server.Process.Id)} descriptors open: the reserve is gone");

                using (var health = await admin.GetAsync("healthz"))
                    Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
                using (var stats = await admin.GetAsync("admin/stats"))
                    Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
                await PublishAndReceiveAsync(api, subscriber, "during");

                var metrics = await ScrapeAsync(admin);
                Assert.True(metrics.Value("notify_tcp_refused_total", "reason=\"node_limit\"") > 0, "nothing was refused at the node's limit");
                Assert.True(metrics.Value("notify_tcp_refused_total", "reason=\"address_limit\"") > 0, "nothing was refused at the per-address limit");
                Assert.True(flood.ClosedByServer() > 0);
            }

            // The flood gone, every gauge and the descriptors are back where they were.
            await Eventually.HoldsAsync(async () => (await GaugesAsync(admin)) == before, Settle, () => $"gauges before {before}");
            await Eventually.HoldsAsync(() => OpenDescriptors(server.Process.Id) <= descriptorsBefore + 8, Settle,
                () => $"{OpenDescriptors(server.Process.Id)} descriptors open, {descriptorsBefore} before the flood");
            // A flooding address is not shut out for good.
            using var again = await PartialUpgradeFlood.OpenAsync(port, PartialUpgradeFlood.Sources(1), perSource: 1);
            await PublishAndReceiveAsync(api, subscriber, "after");
            Assert.Equal(0, again.ClosedByServer());
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static async Task PublishAndReceiveAsync(HttpClient api, TestClient subscriber, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/publish")
        {
            Content = new StringContent($"{{\"channel\":\"canary\",\"data\":\"{text}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);
        using (var response = await api.SendAsync(request))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(text, (await subscriber.ReceiveJsonAsync()).GetProperty("data").GetString());
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient admin)
    {
        using var response = await admin.GetAsync("metrics");
        response.EnsureSuccessStatusCode();
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }

    private static async Task<(double? Tcp, double? WebSockets, double? Actors, double? Channels)> GaugesAsync(HttpClient admin)
    {
        var metrics = await ScrapeAsync(admin);
        return (metrics.Value("notify_tcp_connections"), metrics.Value("notify_connections"), metrics.Value("notify_subscriber_actors"), metrics.Value("notify_channels"));
    }

    private static int OpenDescriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>The process's CPU time (user + system, from /proc) over <paramref name="window"/>, in cores.</summary>
    private static async Task<double> CpuCoresOverAsync(int pid, TimeSpan window)
    {
        var start = CpuSeconds(pid);
        await Task.Delay(window);
        return (CpuSeconds(pid) - start) / window.TotalSeconds;
    }

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime, fields 14 and 15 of proc(5), in clock ticks (100 per second on Linux).
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }
}
