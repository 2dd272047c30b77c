using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace NotifyActors.Server.Tests;

/// <summary>
/// The service in its own process, as an operator runs it (dotnet NotifyActors.Server.dll), optionally
/// under an open-file limit (<c>ulimit -n</c>). Killed at dispose if it is still running.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "NotifyActors.Server.dll");

    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Dictionary<string, string?> environment, int? openFiles)
    {
        var start = openFiles is { } limit
            ? new ProcessStartInfo("bash", ["-c", $"ulimit -n {limit} && exec dotnet \"$0\"", ServerDll])
            : new ProcessStartInfo("dotnet", [ServerDll]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = AppContext.BaseDirectory;
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("NOTIFY_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // A spec that is about the store names one; the others keep nothing between runs.
        start.Environment["NOTIFY_PERSISTENCE"] = "memory";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        Process = new Process { StartInfo = start, EnableRaisingEvents = true };
        // Reading stdout also keeps the child from blocking on a full pipe.
        Process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
                return;
            _output.Enqueue(line.Data);
            if (line.Data.StartsWith("dashboard: ", StringComparison.Ordinal))
                _listening.TrySetResult();
        };
        Process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException("the service exited before it was listening"));
        Process.Start();
        Process.BeginOutputReadLine();
        StandardError = Process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary>Completes when the service prints its start-up line (written once Kestrel is bound); fails if it exits first.</summary>
    public Task Listening => _listening.Task;

    /// <summary>Everything the process wrote to stderr, once it has exited.</summary>
    public Task<string> StandardError { get; }

    /// <summary>The lines written to stdout so far.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public static ServiceProcess Start(Dictionary<string, string?> environment, int? openFiles = null) => new(environment, openFiles);

    /// <summary>The exit code, once it exits (within <paramref name="timeout"/>).</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        await Process.WaitForExitAsync().WaitAsync(timeout);
        return Process.ExitCode;
    }

    /// <summary>A loopback port free at the moment of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Process.Dispose();
    }
}
