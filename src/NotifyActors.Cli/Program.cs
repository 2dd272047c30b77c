using NotifyActors.Cli;
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var console = Console.IsOutputRedirected ? PipedConsole.Create(Console.Out) : AnsiConsole.Console;
return await NotifyCtl.RunAsync(args, console, cancellationToken: cancel.Token);
