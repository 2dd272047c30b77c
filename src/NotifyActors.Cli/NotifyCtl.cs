using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace NotifyActors.Cli;

/// <summary>
/// notifyctl: the operator's view into a running service through its admin API. <see cref="RunAsync"/>
/// is the whole program, callable in-process (tests give a Spectre TestConsole, writers and an
/// HttpMessageHandler). Tables go to the console, --json bodies to the output writer, every error
/// to the error writer as one line, with exit code 1; never a stack trace.
/// </summary>
public static partial class NotifyCtl
{
    public const string DefaultServer = "http://127.0.0.1:5081";
    public const string ServerVariable = "NOTIFY_ADMIN_URL";
    public const string TokenVariable = "NOTIFY_ADMIN_TOKEN";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(
        string[] args,
        IAnsiConsole console,
        TextWriter? output = null,
        TextWriter? error = null,
        HttpMessageHandler? handler = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        environment ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value);
        var context = new Context(console, output, handler, environment);
        try
        {
            var root = Build(context);
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await root.Parse(args).InvokeAsync(configuration, cancellationToken);
        }
        catch (CtlException e)
        {
            await error.WriteLineAsync($"notifyctl: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception e)
        {
            await error.WriteLineAsync($"notifyctl: unexpected error: {AdminClient.OneLine(e.Message)}");
            return 1;
        }
    }

    private sealed record Context(IAnsiConsole Console, TextWriter Output, HttpMessageHandler? Handler, IReadOnlyDictionary<string, string?> Environment);

    private static RootCommand Build(Context context)
    {
        var server = new Option<string?>("--server", "-s")
        {
            Description = $"Admin API address (notify.admin.urls). Default: ${ServerVariable}, else {DefaultServer}",
            Recursive = true,
        };
        var token = new Option<string?>("--token", "-t")
        {
            Description = $"Admin token (notify.admin.token). Default: ${TokenVariable}",
            Recursive = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the admin API's JSON instead of a table (for scripts)",
            Recursive = true,
        };
        var root = new RootCommand("notifyctl: look inside a running NotifyActors service (its admin API)");
        root.Options.Add(server);
        root.Options.Add(token);
        root.Options.Add(json);

        AdminClient Client(ParseResult parse, out HttpClient http)
        {
            var address = parse.GetValue(server) ?? Variable(context, ServerVariable) ?? DefaultServer;
            if (!Uri.TryCreate(address.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new CtlException($"'{address}' is not an http:// address (give --server or {ServerVariable})");
            var secret = parse.GetValue(token) ?? Variable(context, TokenVariable)
                ?? throw new CtlException($"no admin token: give --token or set {TokenVariable} (the service prints one at start in development)");
            http = AdminClient.CreateHttp(uri, secret, context.Handler);
            return new AdminClient(http, uri);
        }

        // A read-only command: GET a path, print it as JSON or as a table (or tree).
        Command Query(string name, string description, Func<ParseResult, string> path, Func<JsonElement, Spectre.Console.Rendering.IRenderable> view, params Symbol[] symbols)
        {
            var command = new Command(name, description);
            foreach (var symbol in symbols)
            {
                if (symbol is Option option)
                    command.Options.Add(option);
                else if (symbol is Argument argument)
                    command.Arguments.Add(argument);
            }
            command.SetAction(async (parse, cancellationToken) =>
            {
                var client = Client(parse, out var http);
                using (http)
                {
                    var body = await client.GetAsync(path(parse), cancellationToken);
                    Print(context, parse.GetValue(json), body, view);
                    return 0;
                }
            });
            return command;
        }

        root.Subcommands.Add(Query("stats", "This node's counts and gauges: connections, actors, channels, totals, heap, uptime", _ => "admin/stats", Views.Stats));

        var prefix = new Option<string?>("--prefix") { Description = "Only channels whose name starts with this" };
        var channelLimit = Limit();
        root.Subcommands.Add(Query("channels", "Channels with subscribers on this node",
            parse => "admin/channels" + QueryString(("prefix", parse.GetValue(prefix)), ("limit", Invariant(parse.GetValue(channelLimit)))), Views.Channels, prefix, channelLimit));

        var user = new Option<string?>("--user") { Description = "Only this user's connections" };
        var channel = new Option<string?>("--channel") { Description = "Only connections subscribed to this channel" };
        var subscriberLimit = Limit();
        root.Subcommands.Add(Query("subscribers", "Connections: client id, user, remote address, channels, connected since, queue, last sign of life",
            parse => "admin/subscribers" + QueryString(("user", parse.GetValue(user)), ("channel", parse.GetValue(channel)), ("limit", Invariant(parse.GetValue(subscriberLimit)))),
            Views.Subscribers, user, channel, subscriberLimit));

        root.Subcommands.Add(DeadLetters(context, Client, json));
        root.Subcommands.Add(Top(context, Client, json));

        var actorPath = new Argument<string>("path") { Description = "Actor path, e.g. /user or /user/connections", DefaultValueFactory = _ => "/user" };
        var depth = new Option<int>("--depth", "-d") { Description = "Levels to show (1-5)", DefaultValueFactory = _ => 1 };
        var page = new Option<int>("--page") { Description = "Page of the path's children (sorted by name)", DefaultValueFactory = _ => 1 };
        var size = new Option<int>("--size") { Description = "Children per page and per nested level (1-500)", DefaultValueFactory = _ => 100 };
        root.Subcommands.Add(Query("actors", "The actor hierarchy under a path, with child counts, depth-limited and paged",
            parse => "admin/actors" + QueryString(("path", parse.GetValue(actorPath)), ("depth", Invariant(parse.GetValue(depth))),
                ("page", Invariant(parse.GetValue(page))), ("size", Invariant(parse.GetValue(size)))),
            Views.Actors, actorPath, depth, page, size));

        root.Subcommands.Add(Query("nodes", "The cluster's members: status, roles, reachability, and each node's connections, subscriber actors, channels and owners, with their sum",
            _ => "admin/nodes", Views.Nodes));
        root.Subcommands.Add(Kick(context, Client, json));
        root.Subcommands.Add(Leave(context, Client, json));
        return root;
    }

    private delegate AdminClient ClientFactory(ParseResult parse, out HttpClient http);

    private static Command DeadLetters(Context context, ClientFactory clientFor, Option<bool> json)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new dead letters as they come (Ctrl-C to stop)" };
        var interval = LiveCommands.Interval();
        var iterations = LiveCommands.Iterations();
        var command = new Command("deadletters", "The most recent dead letters (time, type, sender, recipient)");
        command.Options.Add(follow);
        command.Options.Add(interval);
        command.Options.Add(iterations);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var admin = clientFor(parse, out var http);
            using (http)
            {
                var asJson = parse.GetValue(json);
                if (!parse.GetValue(follow))
                {
                    Print(context, asJson, await admin.GetAsync("admin/deadletters", cancellationToken), Views.DeadLetters);
                    return 0;
                }
                // Follow: print what is new since the last poll, oldest first; JSON as one object per line.
                var seen = DateTimeOffset.MinValue;
                await LiveCommands.LoopAsync(parse.GetValue(interval), parse.GetValue(iterations), async () =>
                {
                    var body = await admin.GetAsync("admin/deadletters", cancellationToken);
                    var fresh = body.GetProperty("dead_letters").EnumerateArray()
                        .Where(letter => letter.GetProperty("time").GetDateTimeOffset() > seen)
                        .Reverse()
                        .ToList();
                    foreach (var letter in fresh)
                    {
                        seen = letter.GetProperty("time").GetDateTimeOffset();
                        if (asJson)
                            await context.Output.WriteLineAsync(letter.GetRawText());
                        else
                            context.Console.MarkupLineInterpolated(
                                $"{seen.ToString("u", System.Globalization.CultureInfo.InvariantCulture)}  [bold]{letter.GetProperty("message_type").GetString()}[/]  {letter.GetProperty("sender").GetString()} -> {letter.GetProperty("recipient").GetString()}");
                    }
                }, cancellationToken);
                return 0;
            }
        });
        return command;
    }

    private static Command Top(Context context, ClientFactory clientFor, Option<bool> json)
    {
        var interval = LiveCommands.Interval();
        var iterations = LiveCommands.Iterations();
        var command = new Command("top", "A live view of the service, refreshed every second until Ctrl-C: connections, actors, channels, rates, heap");
        command.Options.Add(interval);
        command.Options.Add(iterations);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var admin = clientFor(parse, out var http);
            using (http)
            {
                var server = http.BaseAddress!;
                var every = parse.GetValue(interval);
                var times = parse.GetValue(iterations);
                if (parse.GetValue(json))
                {
                    // For scripts: one stats object per line per refresh.
                    await LiveCommands.LoopAsync(every, times, async () =>
                        await context.Output.WriteLineAsync((await admin.GetAsync("admin/stats", cancellationToken)).GetRawText()), cancellationToken);
                    return 0;
                }
                JsonElement? previous = null;
                var current = await admin.GetAsync("admin/stats", cancellationToken);
                var firstRefresh = true;
                if (context.Console.Profile.Capabilities.Interactive)
                    context.Console.Clear();
                await context.Console.Live(LiveCommands.TopView(server, current, null)).StartAsync(live =>
                    LiveCommands.LoopAsync(every, times, async () =>
                    {
                        if (!firstRefresh)
                        {
                            previous = current;
                            current = await admin.GetAsync("admin/stats", cancellationToken);
                        }
                        firstRefresh = false;
                        live.UpdateTarget(LiveCommands.TopView(server, current, previous));
                        live.Refresh();
                    }, cancellationToken));
                return 0;
            }
        });
        return command;
    }

    private static Option<int> Limit() => new("--limit") { Description = "At most this many rows (1-1000)", DefaultValueFactory = _ => 100 };

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Print(Context context, bool json, JsonElement body, Func<JsonElement, Spectre.Console.Rendering.IRenderable> view)
    {
        if (json)
            context.Output.WriteLine(JsonSerializer.Serialize(body, Indented));
        else
            context.Console.Write(view(body));
    }

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static string? Variable(Context context, string name) =>
        context.Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
