using System.Net.WebSockets;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A client as an SDK behaves: subscribed to one channel on one node of a <see cref="ProcessCluster"/>, it reads
/// every publication; when its connection ends (the node died, or closed it with 1001) it connects to the next running
/// node and subscribes again with recovery from the last offset it took. It checks as it goes that every publication
/// has the next offset (exactly once, in order, across reconnects) and that every recovery answered recovered: true.
/// </summary>
public sealed class RecoveringSubscriber
{
    private readonly ProcessCluster _cluster;
    private readonly string _channel;
    private readonly List<(long Offset, string Data)> _received = [];
    private readonly List<string> _problems = [];
    private readonly List<WebSocketCloseStatus?> _closes = [];
    private ProcessCluster.Node _node;
    private long _offset;
    private string _epoch = "";
    private int _recoveries;
    private int _replayed;

    private readonly Func<Task> _beforeReconnect;

    private RecoveringSubscriber(ProcessCluster cluster, ProcessCluster.Node node, string channel, Func<Task> beforeReconnect) =>
        (_cluster, _node, _channel, _beforeReconnect) = (cluster, node, channel, beforeReconnect);

    /// <summary>The node it first connected to.</summary>
    public int FirstNode { get; private set; }

    public IReadOnlyList<(long Offset, string Data)> Received { get { lock (_received) return [.. _received]; } }

    /// <summary>How each of its connections ended (null: no close frame, the connection just went).</summary>
    public IReadOnlyList<WebSocketCloseStatus?> Closes { get { lock (_received) return [.. _closes]; } }

    public int Recoveries => Volatile.Read(ref _recoveries);

    /// <summary>How many publications its recoveries brought (missed while it reconnected).</summary>
    public int Replayed => Volatile.Read(ref _replayed);

    public IReadOnlyList<string> Problems { get { lock (_received) return [.. _problems]; } }

    /// <summary>
    /// Connects, subscribes (before any publication a spec makes), and starts reading until <paramref name="until"/> is
    /// cancelled. <paramref name="beforeReconnect"/> is its back-off: what it waits for before it reconnects.
    /// </summary>
    public static async Task<(RecoveringSubscriber Subscriber, Task Reading)> StartAsync(
        ProcessCluster cluster, ProcessCluster.Node node, string channel, CancellationToken until, Func<Task>? beforeReconnect = null)
    {
        var subscriber = new RecoveringSubscriber(cluster, node, channel, beforeReconnect ?? (() => Task.CompletedTask)) { FirstNode = node.Index };
        var client = await subscriber.SubscribeAsync(recover: false, until);
        return (subscriber, Task.Run(() => subscriber.ReadAsync(client, until), CancellationToken.None));
    }

    /// <summary>True once it has taken the publication with this data.</summary>
    public bool Has(string data) { lock (_received) return _received.Any(r => r.Data == data); }

    private async Task<TestClient> SubscribeAsync(bool recover, CancellationToken until)
    {
        var client = await TestClient.ConnectAsync(_node.WebSocketUri, timeout: TimeSpan.FromSeconds(10));
        object command = recover
            ? new { op = "subscribe", id = 1, channel = _channel, recover = new { offset = _offset, epoch = _epoch } }
            : new { op = "subscribe", id = 1, channel = _channel };
        await client.SendJsonAsync(command);
        // A subscribe waits while its channel's owner is being moved off a dead node: well within a minute.
        var reply = await client.ReceiveJsonAsync(TimeSpan.FromSeconds(60));
        if (reply.Type() != "subscribed")
            throw new InvalidOperationException($"expected subscribed, got {reply}");
        if (recover)
        {
            Interlocked.Increment(ref _recoveries);
            if (!reply.GetProperty("recovered").GetBoolean())
                Problem($"recovery on node {_node.Index} from offset {_offset} answered recovered: false ({reply})");
            foreach (var publication in reply.GetProperty("publications").EnumerateArray())
            {
                Interlocked.Increment(ref _replayed);
                Take(publication.GetProperty("offset").GetInt64(), publication.GetProperty("data").GetRawText());
            }
        }
        else
        {
            _offset = reply.GetProperty("offset").GetInt64();
        }
        _epoch = reply.GetProperty("epoch").GetString()!;
        return client;
    }

    private async Task ReadAsync(TestClient client, CancellationToken until)
    {
        try
        {
            while (!until.IsCancellationRequested)
            {
                Received frame;
                try
                {
                    frame = await client.ReceiveAsync(TimeSpan.FromSeconds(60)).WaitAsync(until);
                }
                catch (Exception e) when (e is WebSocketException or IOException)
                {
                    frame = new Received(WebSocketMessageType.Close, "", null, null);
                }
                if (frame.IsClose)
                {
                    lock (_received)
                        _closes.Add(frame.CloseStatus);
                    await client.DisposeAsync();
                    await _beforeReconnect().WaitAsync(until);
                    _node = _cluster.Running.OrderBy(n => n.Index <= _node.Index).ThenBy(n => n.Index).First();
                    client = await SubscribeAsync(recover: true, until);
                    continue;
                }
                var json = frame.Json;
                if (json.Type() == "pub")
                    Take(json.GetProperty("offset").GetInt64(), json.GetProperty("data").GetRawText());
                else if (json.Type() != "ping")
                    Problem($"unexpected frame {json}");
            }
        }
        catch (OperationCanceledException) when (until.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Problem($"stopped reading: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    private void Take(long offset, string data)
    {
        lock (_received)
        {
            if (offset != _offset + 1)
                _problems.Add($"offset {offset} after {_offset}");
            _offset = Math.Max(_offset, offset);
            _received.Add((offset, data));
        }
    }

    private void Problem(string problem)
    {
        lock (_received)
            _problems.Add(problem);
    }
}
