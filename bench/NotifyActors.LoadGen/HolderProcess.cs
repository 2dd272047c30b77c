using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace NotifyActors.LoadGen;

/// <summary>A `loadgen broadcast-hold` process this one started: its commands, its answers, and its end.</summary>
internal sealed class HolderProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HolderProcess(Process process) => _process = process;

    public static HolderProcess Start(Uri node, int n, string channel, TimeSpan limit)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet",
            [typeof(BroadcastHolder).Assembly.Location, "broadcast-hold", "--url", node.ToString(), "--n", n.ToString(CultureInfo.InvariantCulture),
             "--channel", channel, "--limit", ((int)limit.TotalSeconds).ToString(CultureInfo.InvariantCulture), "--label", $"holder {node.Port}"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return new HolderProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start a holder process"));
    }

    public int Pid => _process.Id;

    /// <summary>The CPU time it has used, in seconds (0 once it is gone).</summary>
    public double CpuSeconds() => ProcStat.ProcessSeconds(_process.Id);

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The JSON of the next line that starts with <paramref name="tag"/>; fails when the process ends or the wait passes.</summary>
    public async Task<JsonElement> ReadAsync(string tag, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                return JsonDocument.Parse(line.AsMemory(tag.Length + 1)).RootElement.Clone();
        }
        throw new IOException($"holder {Pid} ended before its '{tag}' line");
    }

    /// <summary>Asks it to drop its connections and end; kills it (this process started it) when it has not within 30 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await SendAsync("quit");
                _process.StandardInput.Close();
            }
            var rest = _process.StandardOutput.ReadToEndAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await rest.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            if (!_process.HasExited)
                _process.Kill();
        }
        _process.Dispose();
    }
}
