using System.Net;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Tests;

/// <summary>Health and readiness, and the graceful stop: every socket closed with 1001 within the drain time.</summary>
[Collection(ServerCollection.Name)]
public sealed class ShutdownSpecs
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Healthz_answers_200()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.Http.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readyz_answers_200_while_the_service_takes_connections()
    {
        await using var server = await ServiceHost.StartAsync();

        using var response = await server.Http.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Stop_closes_a_connected_client_with_1001_and_finishes_within_the_drain_time()
    {
        await using var server = await ServiceHost.StartAsync();
        var drain = server.App.Services.GetRequiredService<NotifySettings>().Drain;
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        await client.SubscribeAsync("news", id: 1);
        var closed = client.ReceiveCloseAsync(drain + Margin);

        var stopTook = await server.StopAsync();

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await closed);
        Assert.True(stopTook < drain + Margin, $"stop took {stopTook.TotalSeconds:0.0} s; the drain time is {drain.TotalSeconds} s");
    }

    [Fact]
    public async Task Stop_closes_every_client_with_1001()
    {
        await using var server = await ServiceHost.StartAsync("notify.shutdown.drain = 8s");
        var clients = new List<TestClient>();
        for (var i = 0; i < 20; i++)
        {
            var client = await TestClient.ConnectAsync(server.WebSocketUri);
            await client.SubscribeAsync($"room-{i % 3}", id: 1);
            clients.Add(client);
        }
        var closes = clients.Select(client => client.ReceiveCloseAsync(TimeSpan.FromSeconds(8) + Margin)).ToList();

        var stopTook = await server.StopAsync();

        Assert.All(await Task.WhenAll(closes), status => Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status));
        Assert.True(stopTook < TimeSpan.FromSeconds(8) + Margin, $"stop took {stopTook.TotalSeconds:0.0} s");
        foreach (var client in clients)
            await client.DisposeAsync();
    }

    [Fact]
    public async Task Stop_is_not_held_up_beyond_the_drain_time_by_a_client_that_ignores_the_close()
    {
        await using var server = await ServiceHost.StartAsync("notify.shutdown.drain = 4s");
        // This client never reads, so it never answers the close frame.
        await using var deaf = await TestClient.ConnectAsync(server.WebSocketUri);

        var stopTook = await server.StopAsync();

        Assert.True(stopTook < TimeSpan.FromSeconds(4) + Margin, $"stop took {stopTook.TotalSeconds:0.0} s with a drain time of 4 s");
    }

    [Fact]
    public async Task Stopped_service_reports_not_ready()
    {
        await using var server = await ServiceHost.StartAsync();

        await server.StopAsync();

        Assert.False(server.App.Services.GetRequiredService<NotifyActors.Server.Operations.Readiness>().IsReady);
    }
}
