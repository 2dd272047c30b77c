using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NotifyActors.Cli;
using Spectre.Console.Testing;

namespace NotifyActors.Server.Tests;

/// <summary>GET /admin/actors and notifyctl actors: the hierarchy with child counts, depth-limited and paged.</summary>
[Collection(ServerCollection.Name)]
public sealed class ActorTreeSpecs
{
    private const int Connections = 2000;

    [Fact]
    public async Task Thousands_of_connections_come_one_page_at_a_time_with_counts()
    {
        await using var server = await ServiceHost.StartAsync();
        var clients = await OpenAsync(server, Connections);
        try
        {
            using var admin = server.AdminHttp();

            var user = await GetAsync(admin, "admin/actors?path=/user");
            var connections = Child(user, "connections");
            Assert.Equal(Connections, connections.GetProperty("child_count").GetInt32());
            Assert.Equal(JsonValueKind.Null, connections.GetProperty("children").ValueKind);

            var first = await GetAsync(admin, "admin/actors?path=/user/connections&size=500");
            var last = await GetAsync(admin, "admin/actors?path=/user/connections&size=500&page=4");
            var beyond = await GetAsync(admin, "admin/actors?path=/user/connections&size=500&page=5");

            Assert.Equal(Connections, first.GetProperty("children_total").GetInt32());
            Assert.Equal(500, first.GetProperty("children").GetArrayLength());
            Assert.Equal(500, last.GetProperty("children").GetArrayLength());
            Assert.Equal(0, beyond.GetProperty("children").GetArrayLength());
            var names = Names(first).Concat(Names(last)).ToList();
            Assert.Equal(names.Distinct().Count(), names.Count);
            Assert.Equal(Names(first).Order(StringComparer.Ordinal), Names(first));

            // Depth 3 from the top would name every connection's stream actors: the answer stays bounded.
            var deep = await GetAsync(admin, "admin/actors?path=/user&depth=3&size=500");
            Assert.True(CountNodes(deep.GetProperty("children")) <= 2000);
        }
        finally
        {
            await Task.WhenAll(clients.Select(client => client.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Depth_shows_nested_actors_and_system_is_browsable()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var client = await TestClient.ConnectAsync(server.WebSocketUri);
        using var admin = server.AdminHttp();

        var user = await GetAsync(admin, "admin/actors?path=/user&depth=2");
        var system = await GetAsync(admin, "admin/actors?path=/system");

        var connections = Child(user, "connections");
        var connection = Assert.Single(connections.GetProperty("children").EnumerateArray());
        Assert.StartsWith("c-", connection.GetProperty("name").GetString());
        Assert.Equal("/user/connections/" + connection.GetProperty("name").GetString(), connection.GetProperty("path").GetString());
        Assert.True(system.GetProperty("children_total").GetInt32() > 0);
    }

    [Fact]
    public async Task Bad_paths_and_page_sizes_are_answered_not_thrown()
    {
        await using var server = await ServiceHost.StartAsync();
        using var admin = server.AdminHttp();

        using var missing = await admin.GetAsync("admin/actors?path=/user/no-such-actor");
        // As a user-limited channel's name reads unescaped: Akka would take what follows '#' for an actor uid.
        using var uid = await admin.GetAsync("admin/actors?path=/user/channels/notifications%23alice");
        using var tooBig = await admin.GetAsync("admin/actors?size=100000");
        using var tooDeep = await admin.GetAsync("admin/actors?depth=50");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, uid.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooDeep.StatusCode);
    }

    [Fact]
    public async Task Notifyctl_actors_draws_the_tree_with_counts()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var one = await TestClient.ConnectAsync(server.WebSocketUri);
        await using var two = await TestClient.ConnectAsync(server.WebSocketUri);

        var (exitCode, console, error) = await RunAsync(server, "actors", "/user", "--depth", "2");
        var (missingCode, _, missingError) = await RunAsync(server, "actors", "/user/nothing");

        Assert.Equal(0, exitCode);
        Assert.Contains("/user", console);
        Assert.Matches(@"connections \(2\)", console);
        Assert.Contains("c-" + one.Welcome.GetProperty("client").GetString(), console);
        Assert.Equal("", error);
        Assert.Equal(1, missingCode);
        Assert.Contains("no actor at '/user/nothing'", missingError);
    }

    private static async Task<List<TestClient>> OpenAsync(ServiceHost server, int count)
    {
        var clients = new List<TestClient>(count);
        for (var opened = 0; opened < count; opened += 100)
            clients.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(100, count - opened)).Select(_ => TestClient.ConnectAsync(server.WebSocketUri))));
        await Eventually.HoldsAsync(() => server.Metrics.SubscriberActors == count, TimeSpan.FromSeconds(20), () => $"{server.Metrics.SubscriberActors} actors");
        return clients;
    }

    private static async Task<(int ExitCode, string Console, string Error)> RunAsync(ServiceHost server, params string[] args)
    {
        var console = new TestConsole().Width(200);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await NotifyCtl.RunAsync([.. args, "--server", server.AdminAddress.ToString(), "--token", ServiceHost.AdminToken], console, output, error, environment: new Dictionary<string, string?>());
        return (exitCode, console.Output, error.ToString());
    }

    private static async Task<JsonElement> GetAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Child(JsonElement page, string name) =>
        page.GetProperty("children").EnumerateArray().Single(child => child.GetProperty("name").GetString() == name);

    private static List<string> Names(JsonElement page) =>
        page.GetProperty("children").EnumerateArray().Select(child => child.GetProperty("name").GetString()!).ToList();

    private static int CountNodes(JsonElement children) => children.ValueKind != JsonValueKind.Array
        ? 0
        : children.EnumerateArray().Sum(child => 1 + CountNodes(child.GetProperty("children")));
}
