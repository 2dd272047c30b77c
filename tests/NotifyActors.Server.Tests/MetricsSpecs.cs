using System.Net;

namespace NotifyActors.Server.Tests;

/// <summary>GET /metrics: the series PROTOCOL.md section 4 names, described, and telling the truth.</summary>
[Collection(ServerCollection.Name)]
public sealed class MetricsSpecs
{
    public static readonly string[] ContractSeries =
    [
        "notify_connections",
        "notify_subscriber_actors",
        "notify_channels",
        "notify_dead_letters_total",
        "notify_publications_total",
        "notify_deliveries_total",
        "notify_slow_consumer_disconnects_total",
        "notify_heartbeat_timeouts_total",
        "notify_subscriber_failures_total",
        "notify_outbound_queue_depth",
        "notify_leak_suspected",
        // Section 4, in a cluster (a single node is a cluster of one), and the count of unreachable events beside them.
        "notify_cluster_members",
        "notify_cluster_unreachable",
        "notify_cluster_unreachable_events_total",
    ];

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Metrics_expose_every_series_the_protocol_names_each_with_a_help_line()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var metrics = new PrometheusText(await response.Content.ReadAsStringAsync());

        var missing = ContractSeries.Where(name => metrics.Value(name) is null).ToList();
        var undescribed = ContractSeries.Where(name => !metrics.HasHelp(name)).ToList();
        Assert.True(missing.Count == 0, $"series missing from /metrics: {string.Join(", ", missing)}\n{metrics.Text}");
        Assert.True(undescribed.Count == 0, $"series without # HELP: {string.Join(", ", undescribed)}\n{metrics.Text}");
    }

    [Fact]
    public async Task Idle_service_reports_zero_connections_actors_channels_and_no_leak()
    {
        await using var server = await ServiceHost.StartAsync();

        var metrics = await server.ScrapeAsync();

        foreach (var name in new[] { "notify_connections", "notify_subscriber_actors", "notify_channels", "notify_outbound_queue_depth", "notify_leak_suspected" })
            Assert.True(metrics.Value(name) == 0, $"{name} = {metrics.Value(name)} on an idle service");
    }

    [Fact]
    public async Task Connections_gauge_reads_1_with_one_open_client_and_0_after_it_leaves()
    {
        await using var server = await ServiceHost.StartAsync();
        var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);

        await AssertSeriesAsync(server, ("notify_connections", 1), ("notify_subscriber_actors", 1), ("notify_channels", 1));

        await client.DisposeAsync();
        await AssertSeriesAsync(server, ("notify_connections", 0), ("notify_subscriber_actors", 0), ("notify_channels", 0));
    }

    [Fact]
    public async Task Publications_and_deliveries_are_counted()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var first = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var second = await TestClient.ConnectAsync(server.WebSocketUri);
        await first.SubscribeAsync("news", id: 1);
        await second.SubscribeAsync("news", id: 1);

        for (var i = 0; i < 3; i++)
        {
            using var response = await server.PublishAsync("news", i.ToString());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        for (var i = 0; i < 3; i++)
        {
            await first.ReceiveJsonAsync();
            await second.ReceiveJsonAsync();
        }

        await AssertSeriesAsync(server, ("notify_publications_total", 3), ("notify_deliveries_total", 6), ("notify_outbound_queue_depth", 0));
    }

    /// <summary>Polls /metrics (the exporter caches a scrape briefly) until every series reads its value.</summary>
    private static async Task AssertSeriesAsync(ServiceHost server, params (string Name, double Value)[] expected)
    {
        PrometheusText? last = null;
        await Eventually.HoldsAsync(async () =>
        {
            last = await server.ScrapeAsync();
            return expected.All(series => last.Value(series.Name) == series.Value);
        }, Settle, () => string.Join(", ", expected.Select(series => $"{series.Name} = {last?.Value(series.Name)} (expected {series.Value})")));
    }
}
