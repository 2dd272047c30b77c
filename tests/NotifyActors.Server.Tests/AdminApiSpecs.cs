using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>The admin API on its own listener: token, port separation, every endpoint with real connections.</summary>
[Collection(ServerCollection.Name)]
public sealed class AdminApiSpecs
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task Every_admin_request_without_the_admin_token_is_401_with_a_json_error(string? token)
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp(token);

        foreach (var path in new[] { "admin/stats", "admin/channels", "admin/subscribers", "admin/deadletters" })
        {
            using var response = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            await ServerApi.AssertErrorAsync(response, "permission_denied");
        }
        using var post = await admin.PostAsync("admin/disconnect", Json("""{"user":"alice"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task The_api_key_is_not_an_admin_token()
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp(token: null);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);

        using var response = await admin.GetAsync("admin/stats");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Admin_paths_do_not_exist_on_the_public_port_even_with_the_token()
    {
        await using var server = await ServiceHost.StartAsync();
        Assert.NotEqual(server.BaseAddress.Port, server.AdminAddress.Port);

        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/stats");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServiceHost.AdminToken);
        // A forged Host header naming the admin port changes nothing: the local end of the connection decides.
        request.Headers.Host = server.AdminAddress.Authority;
        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Clients_and_back_ends_are_not_served_on_the_admin_listener_but_health_and_metrics_are()
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp(token: null);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);

        using var publish = await admin.PostAsync("api/publish", Json("""{"channel":"news","data":1}"""));
        using var channels = await admin.GetAsync("api/channels");
        var upgrade = await Assert.ThrowsAsync<WebSocketException>(() =>
            TestClient.ConnectAsync(new Uri($"ws://{server.AdminAddress.Authority}/ws")));
        using var metrics = await admin.GetAsync("metrics");
        using var health = await admin.GetAsync("healthz");

        Assert.Equal(HttpStatusCode.NotFound, publish.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, channels.StatusCode);
        Assert.Contains("404", upgrade.Message);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, server.Metrics.Publications);
        // The same requests on the public address work.
        Assert.Equal(HttpStatusCode.OK, (await server.PublishAsync("news", "1")).StatusCode);
    }

    [Fact]
    public async Task The_admin_listener_is_loopback_port_5081_by_default()
    {
        var settings = NotifyActors.Configuration.NotifySettings.Create(NotifyActors.Server.Hosting.ServiceConfiguration.Load(new Dictionary<string, string?>()));
        Assert.Equal(["http://127.0.0.1:5081"], settings.Admin.Urls);
        var configured = NotifyActors.Configuration.NotifySettings.Create(NotifyActors.Server.Hosting.ServiceConfiguration.Load(
            new Dictionary<string, string?> { ["NOTIFY_ADMIN_URLS"] = "http://0.0.0.0:6081, http://127.0.0.1:6082" }));
        Assert.Equal(["http://0.0.0.0:6081", "http://127.0.0.1:6082"], configured.Admin.Urls);
    }

    [Fact]
    public async Task A_malformed_admin_address_stops_start_up_naming_the_variable()
    {
        var error = Assert.Throws<NotifyActors.Configuration.SettingsException>(() =>
            NotifyActors.Server.Hosting.NotifyServer.Build([], new Dictionary<string, string?>
            {
                ["NOTIFY_URLS"] = "http://127.0.0.1:0",
                ["NOTIFY_ADMIN_URLS"] = "ftp://example",
            }, TextWriter.Null));
        Assert.Contains("notify.admin.urls", error.Key);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Stats_counts_real_connections_channels_and_publications()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");
        await using var bob = await ConnectAs(server, "bob");
        await alice.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("news", id: 1);
        (await server.PublishAsync("news", """{"n":1}""")).EnsureSuccessStatusCode();
        await alice.ReceiveJsonAsync();
        await bob.ReceiveJsonAsync();
        using var admin = server.AdminHttp();

        var stats = await GetJsonAsync(admin, "admin/stats");

        Assert.Equal(2, stats.GetProperty("connections").GetInt64());
        Assert.Equal(2, stats.GetProperty("subscriber_actors").GetInt64());
        Assert.Equal(1, stats.GetProperty("channels").GetInt64());
        Assert.Equal(1, stats.GetProperty("publications_total").GetInt64());
        Assert.True(stats.GetProperty("deliveries_total").GetInt64() >= 2);
        Assert.False(stats.GetProperty("leak_suspected").GetBoolean());
        Assert.True(stats.GetProperty("gc_heap_bytes").GetInt64() > 0);
        Assert.True(stats.GetProperty("uptime_seconds").GetDouble() > 0);
        foreach (var name in new[] { "dead_letters_total", "slow_consumer_disconnects_total", "heartbeat_timeouts_total", "subscriber_failures_total", "leak_reason" })
            Assert.True(stats.TryGetProperty(name, out _), name);
    }

    [Fact]
    public async Task Stats_history_holds_one_sample_a_second_with_rates_and_answers_only_what_is_new()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await ConnectAs(server, "alice");
        await client.SubscribeAsync("news", id: 1);
        using var admin = server.AdminHttp();
        for (var n = 1; n <= 50; n++)
            (await server.PublishAsync("news", n.ToString())).EnsureSuccessStatusCode();

        // Every delivery is counted in some sample's rate: once a sample after the last one has been taken, they add up to 50.
        var samples = new List<JsonElement>();
        var delivered = 0.0;
        await Eventually.HoldsAsync(async () =>
        {
            var body = await GetJsonAsync(admin, "admin/stats/history");
            Assert.Equal(1.0, body.GetProperty("interval_seconds").GetDouble());
            samples = body.GetProperty("samples").EnumerateArray().ToList();
            delivered = samples.Zip(samples.Skip(1), (a, b) => b.GetProperty("deliveries_per_second").GetDouble()
                * (b.GetProperty("at").GetInt64() - a.GetProperty("at").GetInt64()) / 1000.0).Sum();
            return delivered is > 49.5 and < 50.5;
        }, Settle, () => $"the samples' deliveries add up to {delivered}, not 50");
        Assert.Equal(1, samples[^1].GetProperty("connections").GetInt64());
        Assert.Equal(1, samples[^1].GetProperty("subscriber_actors").GetInt64());
        Assert.True(samples[^1].GetProperty("gc_heap_bytes").GetInt64() > 0);

        var newest = samples[^1].GetProperty("at").GetInt64();
        var after = await GetJsonAsync(admin, $"admin/stats/history?after={newest}");
        Assert.All(after.GetProperty("samples").EnumerateArray(), s => Assert.True(s.GetProperty("at").GetInt64() > newest));
        using var bad = await admin.GetAsync("admin/stats/history?after=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Channels_lists_names_subscriber_counts_and_positions_filtered_by_prefix()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");
        await using var bob = await ConnectAs(server, "bob");
        await alice.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("sport", id: 2);
        (await server.PublishAsync("news", "1")).EnsureSuccessStatusCode();
        using var second = await server.PublishAsync("news", "2");
        using var published = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        using var admin = server.AdminHttp();

        var all = await GetJsonAsync(admin, "admin/channels");
        var news = await GetJsonAsync(admin, "admin/channels?prefix=ne");

        Assert.Equal(["news:2", "sport:1"], Rows(all));
        Assert.Equal(["news:2"], Rows(news));
        var row = news.GetProperty("channels")[0];
        Assert.Equal(2, row.GetProperty("offset").GetInt64());
        Assert.Equal(published.RootElement.GetProperty("epoch").GetString(), row.GetProperty("epoch").GetString());
        Assert.Equal(0, row.GetProperty("history_length").GetInt32()); // the default namespace keeps none

        static string[] Rows(JsonElement body) => body.GetProperty("channels").EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("subscribers").GetInt32()}").ToArray();
    }

    [Fact]
    public async Task Subscribers_shows_each_connection_filtered_by_user_and_channel()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await ConnectAs(server, "alice");
        await using var bob = await ConnectAs(server, "bob");
        await alice.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("sport", id: 1);
        using var admin = server.AdminHttp();

        var all = await GetJsonAsync(admin, "admin/subscribers");
        var byUser = await GetJsonAsync(admin, "admin/subscribers?user=bob");
        var byChannel = await GetJsonAsync(admin, "admin/subscribers?channel=news");

        Assert.Equal(2, all.GetProperty("subscribers").GetArrayLength());
        Assert.True(all.GetProperty("complete").GetBoolean());
        var row = Assert.Single(byUser.GetProperty("subscribers").EnumerateArray());
        Assert.Equal(ClientId(bob), row.GetProperty("client").GetString());
        Assert.Equal("bob", row.GetProperty("user").GetString());
        Assert.Equal(["sport"], row.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("127.0.0.1", row.GetProperty("remote_address").GetString());
        Assert.True(row.GetProperty("connected_since").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.True(row.GetProperty("last_sign_of_life").GetDateTimeOffset() >= row.GetProperty("connected_since").GetDateTimeOffset());
        Assert.Equal(0, row.GetProperty("queue_frames").GetInt64());
        Assert.Equal(0, row.GetProperty("queue_bytes").GetInt64());
        Assert.Equal("native", row.GetProperty("protocol").GetString());
        var newsRow = Assert.Single(byChannel.GetProperty("subscribers").EnumerateArray());
        Assert.Equal("alice", newsRow.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Deadletters_keeps_the_most_recent_in_a_bounded_ring()
    {
        await using var server = await ServiceHost.StartAsync("notify.admin.dead-letter-ring = 3");
        var sent = DateTimeOffset.UtcNow;
        var nobody = server.ActorSystem.ActorSelection("/user/no-such-actor");
        for (var i = 0; i < 5; i++)
            nobody.Tell($"letter {i}", Akka.Actor.ActorRefs.NoSender);
        using var admin = server.AdminHttp();

        await Eventually.HoldsAsync(() => server.Metrics.DeadLetters >= 5, Settle, () => $"dead letters {server.Metrics.DeadLetters}");
        var body = await GetJsonAsync(admin, "admin/deadletters");

        Assert.Equal(3, body.GetProperty("capacity").GetInt32());
        var letters = body.GetProperty("dead_letters").EnumerateArray().ToList();
        Assert.Equal(3, letters.Count);
        Assert.All(letters, letter =>
        {
            Assert.Equal("System.String", letter.GetProperty("message_type").GetString());
            Assert.Contains("no-such-actor", letter.GetProperty("recipient").GetString());
            Assert.Equal("", letter.GetProperty("sender").GetString()); // sent with no sender
            Assert.InRange(letter.GetProperty("time").GetDateTimeOffset(), sent, DateTimeOffset.UtcNow);
        });
    }

    [Fact]
    public async Task Disconnect_by_client_or_user_closes_with_4003_and_says_how_many()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice1 = await ConnectAs(server, "alice");
        await using var alice2 = await ConnectAs(server, "alice");
        await using var bob = await ConnectAs(server, "bob");
        using var admin = server.AdminHttp();

        Assert.Equal(1, await DisconnectAsync(admin, $$"""{"client":"{{ClientId(bob)}}"}"""));
        Assert.Equal(2, await DisconnectAsync(admin, """{"user":"alice"}"""));
        Assert.Equal(0, await DisconnectAsync(admin, """{"client":"no-such-client"}"""));

        Assert.Equal((WebSocketCloseStatus)4003, await bob.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice1.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice2.ReceiveCloseAsync());
        await Eventually.HoldsAsync(() => server.Metrics.Connections == 0 && server.Metrics.SubscriberActors == 0, Settle,
            () => $"connections {server.Metrics.Connections}, subscriber actors {server.Metrics.SubscriberActors}");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"user":"\ud800"}""")]
    [InlineData("""{"client":"\udc00"}""")]
    public async Task A_disconnect_without_a_well_formed_user_or_client_is_400(string body)
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp();

        using var response = await admin.PostAsync("admin/disconnect", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await ServerApi.AssertErrorAsync(response, "bad_request");
    }

    internal static Task<TestClient> ConnectAs(ServiceHost server, string user) =>
        TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid(user)));

    internal static string ClientId(TestClient client) => client.Welcome.GetProperty("client").GetString()!;

    private static async Task<int> DisconnectAsync(HttpClient admin, string body)
    {
        using var response = await admin.PostAsync("admin/disconnect", Json(body));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disconnected").GetInt32();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
