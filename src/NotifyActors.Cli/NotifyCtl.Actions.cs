using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace NotifyActors.Cli;

/// <summary>The commands that change something: kick (disconnect clients anywhere in the cluster) and leave (a node).</summary>
public static partial class NotifyCtl
{
    private static Command Kick(Context context, ClientFactory clientFor, Option<bool> json)
    {
        var client = new Argument<string?>("client") { Description = "Client id of the connection to close (4003)", Arity = ArgumentArity.ZeroOrOne };
        var user = new Option<string?>("--user") { Description = "Close every connection of this user instead" };
        var command = new Command("kick", "Disconnect a client, or every connection of a user, with close code 4003");
        command.Arguments.Add(client);
        command.Options.Add(user);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var clientId = parse.GetValue(client);
            var userName = parse.GetValue(user);
            if ((clientId is null) == (userName is null))
                throw new CtlException("give a client id or --user <user> (one of them)");
            var admin = clientFor(parse, out var http);
            using (http)
            {
                object body = clientId is not null ? new { client = clientId } : new { user = userName };
                var answer = await admin.PostAsync("admin/disconnect", body, cancellationToken);
                var count = answer.GetProperty("disconnected").GetInt32();
                if (count == 0)
                    throw new CtlException(clientId is not null ? $"no connection with client id '{clientId}'" : $"user '{userName}' has no connections");
                if (parse.GetValue(json))
                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(answer, Indented));
                else
                    context.Console.MarkupLineInterpolated($"Disconnected [bold]{count}[/] connection(s) with 4003.");
                return 0;
            }
        });
        return command;
    }

    private static Command Leave(Context context, ClientFactory clientFor, Option<bool> json)
    {
        var node = new Argument<string>("node") { Description = "The member to leave: host:port (its cluster address, as notifyctl nodes shows it)" };
        var command = new Command("leave", "Tell a node to leave the cluster: it hands its channels to the others, closes its sockets with 1001 and exits");
        command.Arguments.Add(node);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var admin = clientFor(parse, out var http);
            using (http)
            {
                var answer = await admin.PostAsync("admin/leave", new { node = parse.GetValue(node) }, cancellationToken);
                if (parse.GetValue(json))
                    await context.Output.WriteLineAsync(JsonSerializer.Serialize(answer, Indented));
                else
                    context.Console.MarkupLineInterpolated($"[bold]{answer.GetProperty("leaving").GetString()}[/] is leaving the cluster.");
                return 0;
            }
        });
        return command;
    }
}
