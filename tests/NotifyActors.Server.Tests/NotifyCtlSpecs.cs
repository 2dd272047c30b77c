using System.Net.WebSockets;
using System.Text.Json;
using NotifyActors.Cli;
using Spectre.Console.Testing;

namespace NotifyActors.Server.Tests;

/// <summary>notifyctl, run in-process against a running service: tables, --json, errors and exit codes.</summary>
[Collection(ServerCollection.Name)]
public sealed class NotifyCtlSpecs
{
    [Fact]
    public async Task Stats_prints_a_table_with_the_live_figures()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await AdminApiSpecs.ConnectAs(server, "alice");
        await using var bob = await AdminApiSpecs.ConnectAs(server, "bob");

        var run = await RunAsync(server, "stats");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"connections\s*│\s*2\s", run.Console);
        Assert.Matches(@"subscriber_actors\s*│\s*2\s", run.Console);
        Assert.Contains("gc_heap_bytes", run.Console);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Stats_json_parses_and_uses_the_server_and_token_from_the_environment()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await AdminApiSpecs.ConnectAs(server, "alice");

        var run = await RunAsync(server, ["stats", "--json"], withOptions: false, environment: new()
        {
            [NotifyCtl.ServerVariable] = server.AdminAddress.ToString(),
            [NotifyCtl.TokenVariable] = ServiceHost.AdminToken,
        });

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(1, json.RootElement.GetProperty("connections").GetInt64());
    }

    [Fact]
    public async Task Channels_and_subscribers_show_who_is_where()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await AdminApiSpecs.ConnectAs(server, "alice");
        await using var bob = await AdminApiSpecs.ConnectAs(server, "bob");
        await alice.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("news", id: 1);
        await bob.SubscribeAsync("sport", id: 2);

        var channels = await RunAsync(server, "channels", "--prefix", "ne");
        var subscribers = await RunAsync(server, "subscribers", "--channel", "sport");
        var subscribersJson = await RunAsync(server, "subscribers", "--user", "alice", "--json");
        var limited = await RunAsync(server, "subscribers", "--limit", "1", "--json");
        var badLimit = await RunAsync(server, "channels", "--limit", "0");

        Assert.Equal(0, channels.ExitCode);
        Assert.Matches(@"news\s*│\s*2", channels.Console);
        Assert.DoesNotContain("sport", channels.Console);
        Assert.Equal(0, subscribers.ExitCode);
        Assert.Contains(AdminApiSpecs.ClientId(bob), subscribers.Console);
        Assert.DoesNotContain(AdminApiSpecs.ClientId(alice), subscribers.Console);
        using var json = JsonDocument.Parse(subscribersJson.Output);
        var row = Assert.Single(json.RootElement.GetProperty("subscribers").EnumerateArray());
        Assert.Equal(AdminApiSpecs.ClientId(alice), row.GetProperty("client").GetString());
        using var limitedJson = JsonDocument.Parse(limited.Output);
        Assert.Equal(1, limitedJson.RootElement.GetProperty("subscribers").GetArrayLength());
        Assert.Equal(2, limitedJson.RootElement.GetProperty("matched").GetInt32());
        Assert.Equal(1, badLimit.ExitCode);
        AssertOneLine(badLimit.Error, "limit");
    }

    [Fact]
    public async Task Deadletters_lists_recent_dead_letters()
    {
        await using var server = await ServiceHost.StartAsync();
        server.ActorSystem.ActorSelection("/user/nobody-here").Tell("lost", Akka.Actor.ActorRefs.NoSender);
        await Eventually.HoldsAsync(() => server.Metrics.DeadLetters >= 1, TimeSpan.FromSeconds(10), () => "no dead letter counted");

        var table = await RunAsync(server, "deadletters");
        var json = await RunAsync(server, "deadletters", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("System.String", table.Console);
        using var document = JsonDocument.Parse(json.Output);
        Assert.NotEmpty(document.RootElement.GetProperty("dead_letters").EnumerateArray());
    }

    [Fact]
    public async Task Kick_closes_a_client_or_a_user_with_4003()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice1 = await AdminApiSpecs.ConnectAs(server, "alice");
        await using var alice2 = await AdminApiSpecs.ConnectAs(server, "alice");
        await using var bob = await AdminApiSpecs.ConnectAs(server, "bob");

        var kickClient = await RunAsync(server, "kick", AdminApiSpecs.ClientId(bob));
        var kickUser = await RunAsync(server, "kick", "--user", "alice", "--json");

        Assert.Equal(0, kickClient.ExitCode);
        Assert.Contains("Disconnected 1 connection(s)", kickClient.Console);
        Assert.Equal(0, kickUser.ExitCode);
        using var json = JsonDocument.Parse(kickUser.Output);
        Assert.Equal(2, json.RootElement.GetProperty("disconnected").GetInt32());
        Assert.Equal((WebSocketCloseStatus)4003, await bob.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice1.ReceiveCloseAsync());
        Assert.Equal((WebSocketCloseStatus)4003, await alice2.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Top_refreshes_with_counts_and_rates_then_stops_after_its_iterations()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var alice = await AdminApiSpecs.ConnectAs(server, "alice");
        await alice.SubscribeAsync("news", id: 1);
        (await server.PublishAsync("news", "1")).EnsureSuccessStatusCode();

        var table = await RunAsync(server, "top", "--iterations", "2", "--interval", "0.2");
        var json = await RunAsync(server, "top", "--iterations", "2", "--interval", "0.2", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"connections\s*│\s*1\s", table.Console);
        Assert.Contains("deliveries/s", table.Console);
        Assert.Contains("dead letters/s", table.Console);
        Assert.Contains("GC heap", table.Console);
        Assert.Equal(0, json.ExitCode);
        var lines = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.Equal(1, JsonDocument.Parse(line).RootElement.GetProperty("connections").GetInt64()));
    }

    [Fact]
    public async Task Deadletters_follow_prints_new_dead_letters_as_they_come()
    {
        await using var server = await ServiceHost.StartAsync();
        server.ActorSystem.ActorSelection("/user/first-missing").Tell("one", Akka.Actor.ActorRefs.NoSender);
        await Eventually.HoldsAsync(() => server.Metrics.DeadLetters >= 1, TimeSpan.FromSeconds(10), () => "no dead letter counted");

        using var printed = new StringWriter();
        var output = TextWriter.Synchronized(printed);
        var following = RunAsync(server, ["deadletters", "--follow", "--json", "--interval", "0.3", "--iterations", "8"], withOptions: true, output: output);
        // The second dead letter must come while --follow is already running: wait until it printed the first.
        await Eventually.HoldsAsync(() => { lock (output) return printed.ToString().Contains("first-missing"); },
            TimeSpan.FromSeconds(10), () => "--follow printed nothing");
        server.ActorSystem.ActorSelection("/user/second-missing").Tell(42, Akka.Actor.ActorRefs.NoSender);
        var run = await following;

        Assert.Equal(0, run.ExitCode);
        var recipients = printed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("recipient").GetString()!)
            .ToList();
        Assert.Equal(2, recipients.Count);
        Assert.Contains("first-missing", recipients[0]);
        Assert.Contains("second-missing", recipients[1]);
    }

    [Fact]
    public async Task Kicking_an_unknown_client_fails_with_one_line()
    {
        await using var server = await ServiceHost.StartAsync();

        var run = await RunAsync(server, "kick", "no-such-client");

        Assert.Equal(1, run.ExitCode);
        AssertOneLine(run.Error, "no connection with client id 'no-such-client'");
    }

    [Fact]
    public async Task A_wrong_token_fails_with_one_line_and_no_stack_trace()
    {
        await using var server = await ServiceHost.StartAsync();

        var run = await RunAsync(server, ["stats", "--server", server.AdminAddress.ToString(), "--token", "wrong"], withOptions: false);

        Assert.NotEqual(0, run.ExitCode);
        AssertOneLine(run.Error, "401");
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_one_line_and_no_stack_trace()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var run = await RunAsync(null, ["channels", "--server", $"http://127.0.0.1:{port}", "--token", "x"], withOptions: false);

        Assert.NotEqual(0, run.ExitCode);
        AssertOneLine(run.Error, "cannot reach the admin API");
    }

    [Fact]
    public async Task The_public_address_is_not_mistaken_for_the_admin_api()
    {
        await using var server = await ServiceHost.StartAsync();

        var run = await RunAsync(server, ["stats", "--server", server.BaseAddress.ToString(), "--token", ServiceHost.AdminToken], withOptions: false);

        Assert.NotEqual(0, run.ExitCode);
        AssertOneLine(run.Error, "404");
    }

    [Fact]
    public async Task A_missing_token_or_bad_usage_fails_without_a_stack_trace()
    {
        var noToken = await RunAsync(null, ["stats", "--server", "http://127.0.0.1:1"], withOptions: false);
        var neither = await RunAsync(null, ["kick", "--server", "http://127.0.0.1:1", "--token", "x"], withOptions: false);
        var unknown = await RunAsync(null, ["frobnicate"], withOptions: false);

        Assert.Equal(1, noToken.ExitCode);
        AssertOneLine(noToken.Error, NotifyCtl.TokenVariable);
        Assert.Equal(1, neither.ExitCode);
        AssertOneLine(neither.Error, "give a client id or --user");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.DoesNotContain("   at ", unknown.Error);
    }

    internal sealed record Run(int ExitCode, string Console, string Output, string Error);

    internal static Task<Run> RunAsync(ServiceHost server, params string[] args) => RunAsync(server, args, withOptions: true);

    [Fact]
    public async Task Output_to_a_pipe_keeps_each_row_on_one_line_without_colours()
    {
        await using var server = await ServiceHost.StartAsync();
        await using var bob = await AdminApiSpecs.ConnectAs(server, "bob");
        string[] channels = ["news-of-the-world-in-long-form", "sport-results-from-everywhere", "weather-for-the-whole-week-ahead"];
        for (var i = 0; i < channels.Length; i++)
            await bob.SubscribeAsync(channels[i], id: i + 1);
        using var piped = new StringWriter();

        var exitCode = await NotifyCtl.RunAsync(
            ["subscribers", "--server", server.AdminAddress.ToString(), "--token", ServiceHost.AdminToken],
            PipedConsole.Create(piped), TextWriter.Null, TextWriter.Null, environment: new Dictionary<string, string?>());

        Assert.Equal(0, exitCode);
        var row = Assert.Single(piped.ToString().Split('\n'), line => line.Contains(AdminApiSpecs.ClientId(bob)));
        Assert.True(row.Length > 120, $"the row would fit 80 columns anyway: {row}");
        Assert.Contains(string.Join(", ", channels), row);
        Assert.DoesNotContain("\u001b[", piped.ToString());
    }

    private static async Task<Run> RunAsync(ServiceHost? server, string[] args, bool withOptions, Dictionary<string, string?>? environment = null, TextWriter? output = null)
    {
        var console = new TestConsole().Width(200);
        using var ownOutput = new StringWriter();
        using var error = new StringWriter();
        var all = withOptions ? [.. args, "--server", server!.AdminAddress.ToString(), "--token", ServiceHost.AdminToken] : args;
        var exitCode = await NotifyCtl.RunAsync(all, console, output ?? ownOutput, error, environment: environment ?? []);
        // A caller that passed its own writer reads what was printed from it.
        return new Run(exitCode, console.Output, output is null ? ownOutput.ToString() : "", error.ToString());
    }

    private static void AssertOneLine(string error, string expected)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got: {error}");
        Assert.Contains(expected, lines[0]);
        Assert.StartsWith("notifyctl: ", lines[0]);
    }
}
