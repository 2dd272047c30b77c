using System.Diagnostics;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// Centrifugo's official JS client (npm <c>centrifuge</c>) in a node process, driven by
/// tests/centrifuge-sdk/driver.mjs: commands go in as JSON lines, the SDK's events come back as JSON
/// lines. Every event is kept in <see cref="Events"/>; <see cref="NextAsync"/> hands out each one at
/// most once, in arrival order. Disposing closes the driver's stdin and kills it if it lingers.
/// </summary>
public sealed class CentrifugeSdk : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly string DriverDirectory = Path.Combine(RepositoryRoot.Path, "tests", "centrifuge-sdk");

    // Property names go to the driver exactly as the caller spelled them.
    private static readonly JsonSerializerOptions CommandJson = new();

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<JsonElement> _events = [];
    private readonly List<bool> _taken = [];
    private readonly Queue<string> _stderrTail = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Task _stdoutReader;
    private readonly Task _stderrReader;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    private CentrifugeSdk(int maxSeconds)
    {
        var start = new ProcessStartInfo("node", ["driver.mjs", "--max-seconds", maxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = DriverDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _stderrReader = Task.Run(ReadStderrAsync);
        _stdoutReader = Task.Run(ReadEventsAsync);
    }

    /// <summary>Whether the SDK is installed (./test.sh runs npm ci when it is not).</summary>
    public static bool Available => File.Exists(Path.Combine(DriverDirectory, "node_modules", "centrifuge", "package.json"));

    /// <summary>Every event the driver has written so far, in order, handed out or not.</summary>
    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (_gate)
                return [.. _events];
        }
    }

    /// <summary>Starts a driver that stops by itself after <paramref name="maxSeconds"/>, whatever happens to the test.</summary>
    public static CentrifugeSdk Start(int maxSeconds = 120)
    {
        if (!Available)
            throw new InvalidOperationException($"the centrifuge SDK is not installed in {DriverDirectory}: run ./test.sh (it installs the centrifuge SDK with npm)");
        return new CentrifugeSdk(maxSeconds);
    }

    /// <summary>Sends one command (an anonymous object or a JsonObject, serialised with its property names as they are).</summary>
    public async Task SendAsync(object command)
    {
        var line = JsonSerializer.Serialize(command, CommandJson);
        await _sending.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException error)
        {
            throw new InvalidOperationException($"the driver no longer reads commands ({error.Message}); sending {line}{Describe()}", error);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The earliest event not handed out yet that matches; fails when none comes within the timeout or the driver exits.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = 0; i < _events.Count; i++)
                {
                    if (!_taken[i] && match(_events[i]))
                    {
                        _taken[i] = true;
                        return _events[i];
                    }
                }
                if (_ended)
                    throw new InvalidOperationException($"the driver exited before the awaited event{Describe()}");
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"no matching event within {limit.TotalSeconds:0.#} s{Describe()}");
            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Checked once more above, then reported.
            }
        }
    }

    /// <summary>The next event called <paramref name="name"/> (on <paramref name="channel"/>, when given).</summary>
    public Task<JsonElement> WaitEventAsync(string name, string? channel = null, TimeSpan? timeout = null) =>
        NextAsync(e => Text(e, "event") == name && (channel is null || Text(e, "channel") == channel), timeout);

    /// <summary>The result of the command sent with <paramref name="op"/> and <paramref name="tag"/>; a driver failure for it throws.</summary>
    public async Task<JsonElement> ResultAsync(string op, string tag)
    {
        var outcome = await NextAsync(e => Text(e, "event") is "result" or "failure" && Text(e, "op") == op && Text(e, "tag") == tag);
        if (Text(outcome, "event") == "failure")
            throw new InvalidOperationException($"the driver could not run {op} ({tag}): {Text(outcome, "message")}");
        return outcome;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task ReadEventsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            JsonElement parsed;
            try
            {
                using var document = JsonDocument.Parse(line);
                parsed = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // The driver writes only JSON to stdout: anything else is a driver bug worth seeing.
                KeepStderr($"(stdout, not JSON) {line}");
                continue;
            }
            lock (_gate)
            {
                _events.Add(parsed);
                _taken.Add(false);
                Signal();
            }
        }
        // The driver has exited: its last words on stderr belong in the failure that reports it.
        try
        {
            await _stderrReader.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            // A stderr still open after stdout closed is not worth waiting for.
        }
        lock (_gate)
        {
            _ended = true;
            Signal();
        }
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
            KeepStderr(line);
    }

    private void KeepStderr(string line)
    {
        lock (_gate)
        {
            _stderrTail.Enqueue(line);
            while (_stderrTail.Count > 40)
                _stderrTail.Dequeue();
        }
    }

    // Called under _gate: wakes every waiter, and later waiters wait for the next change.
    private void Signal()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private string Describe()
    {
        lock (_gate)
        {
            var recent = _events.Skip(Math.Max(0, _events.Count - 30)).Select(e => "  " + e.GetRawText());
            return $"\nlast {Math.Min(30, _events.Count)} of {_events.Count} events:\n{string.Join('\n', recent)}\nnode stderr (tail):\n{string.Join('\n', _stderrTail.Select(line => "  " + line))}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing stdin is the driver's cue to exit; killing is for one that does not.
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        // The pipes close with the process, which ends both readers.
        await Task.WhenAll(_stdoutReader, _stderrReader).WaitAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
        _sending.Dispose();
    }
}
