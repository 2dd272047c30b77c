using System.Collections.Concurrent;
using System.Net;

namespace NotifyActors.Server.Tests;

/// <summary>
/// What the specs of a channel's owner moving share (its node leaves, or dies): a channel with history in the store the
/// nodes share, a subscriber on every node but the owner's, and two publishers publishing through those nodes until
/// <see cref="FinishAsync"/>. A publish caught while the owner moves may answer 503 ("may or may not have been
/// accepted": sharding delivers at most once then): counted in <see cref="Unanswered"/>, not failed.
/// </summary>
public sealed class OwnerMoveRun : IAsyncDisposable
{
    public const string Hocon = "notify.namespaces.durable { history-size = 1000, history-ttl = 1h, allow-anonymous = on }";
    private const string EndMarker = "\"end\"";

    private readonly List<TestClient> _clients;
    private readonly CancellationTokenSource _stop = new();
    private readonly string _channel;
    private List<Task> _publishers = [];
    private int _unanswered;

    private OwnerMoveRun(string channel, long first, string epoch, ServiceHost owner, List<ServiceHost> others, List<TestClient> clients)
    {
        (_channel, First, Epoch, Owner, Others, _clients) = (channel, first, epoch, owner, others, clients);
    }

    /// <summary>The environment of a cluster whose nodes share the test PostgreSQL database.</summary>
    public static Dictionary<string, string?> SharedStore => new()
    {
        ["NOTIFY_PERSISTENCE"] = "postgres",
        ["NOTIFY_PERSISTENCE_CONNECTION"] = PostgresDatabase.ConnectionString,
    };

    public long First { get; }

    public string Epoch { get; }

    public ServiceHost Owner { get; }

    public IReadOnlyList<ServiceHost> Others { get; }

    /// <summary>Answered publications by offset.</summary>
    public ConcurrentDictionary<long, string> Published { get; } = new();

    public int Unanswered => Volatile.Read(ref _unanswered);

    public bool PublisherFailed => _publishers.Any(p => p.IsFaulted);

    public static async Task<OwnerMoveRun> StartAsync(LocalCluster cluster, string name)
    {
        var channel = $"durable:{name}-{Guid.NewGuid():N}";
        var (first, epoch) = await cluster[0].PublishOkAsync(channel, "\"first\"");
        var owner = cluster.Nodes.Single(n => n.Metrics.ChannelOwners == 1);
        var others = cluster.Nodes.Where(n => n != owner).ToList();
        var run = new OwnerMoveRun(channel, first, epoch, owner, others, []);
        foreach (var node in others)
        {
            var client = await TestClient.ConnectAsync(node.WebSocketUri);
            run._clients.Add(client);
            Assert.Equal(first, (await client.SubscribeAsync(channel, id: 1)).GetProperty("offset").GetInt64());
        }
        run._publishers = Enumerable.Range(0, 2).Select(p => Task.Run(() => run.PublishAsync(p))).ToList();
        return run;
    }

    /// <summary>Waits until <paramref name="count"/> publications are answered (or a publisher failed).</summary>
    public Task AnsweredAsync(int count, TimeSpan within, string what) =>
        Eventually.HoldsAsync(() => Published.Count >= count || PublisherFailed, within, () => $"{Published.Count} publications answered, {what}");

    /// <summary>
    /// Stops the publishers, checks the channel lives on one of the other nodes, publishes an end marker, and checks
    /// that each subscriber saw every offset after the first once, in order, with no gap, every answered one as published.
    /// </summary>
    public async Task FinishAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_publishers);
        Assert.Equal(1, Others.Sum(n => n.Metrics.ChannelOwners)); // the channel moved to one of the others
        var (final, endEpoch) = await Others[0].PublishOkAsync(_channel, EndMarker);
        Assert.Equal(Epoch, endEpoch);
        Published[final] = EndMarker;

        Assert.InRange(Published.Count, final - First - Unanswered, final - First);
        foreach (var received in await Task.WhenAll(_clients.Select(c => c.ReadPublicationsUntilAsync(_channel, EndMarker))))
        {
            Assert.Equal(Enumerable.Range((int)First + 1, (int)(final - First)).Select(i => (long)i), received.Select(r => r.Offset));
            foreach (var (offset, data) in received)
            {
                if (Published.TryGetValue(offset, out var answered))
                    Assert.Equal(answered, data);
            }
        }
    }

    private async Task PublishAsync(int publisher)
    {
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var data = $"\"p{publisher}-{n}\"";
            using var response = await Others[(publisher + n) % Others.Count].PublishAsync(_channel, data);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Interlocked.Increment(ref _unanswered);
                continue;
            }
            var body = await response.JsonAsync();
            Assert.Equal(Epoch, body.GetProperty("epoch").GetString());
            var offset = body.GetProperty("offset").GetInt64();
            Assert.True(Published.TryAdd(offset, data), $"offset {offset} given twice");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_publishers.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        foreach (var client in _clients)
            await client.DisposeAsync();
        _stop.Dispose();
    }
}
