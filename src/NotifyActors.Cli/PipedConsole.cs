using Spectre.Console;

namespace NotifyActors.Cli;

/// <summary>
/// The console notifyctl writes to when its output is not a terminal (a file, grep, another program): no colours or
/// cursor moves, and no wrapping at the 80 columns Spectre assumes without a terminal, which would split client ids
/// and channel lists across lines that a script then cannot match.
/// </summary>
public static class PipedConsole
{
    // Wide enough for any row notifyctl prints; a table is as wide as its content, not this.
    private const int Width = 4096;

    public static IAnsiConsole Create(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Width;
        return console;
    }
}
