using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// PROTOCOL.md section 2: after a "subscribed" reply with offset n the client receives every
/// publication with offset &gt; n, in order, exactly once, even when publications race with the subscribe.
/// <see cref="RaceAsync"/> runs the same race across the nodes of a cluster (ClusterSpecs).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class SubscribeRaceSpecs
{
    private const int Rounds = 30;
    private const int Subscribers = 5;
    private const int Publishers = 2;
    // Publications accepted between one client's subscribe and the next one's.
    private const int Spacing = 15;
    private const string EndMarker = "\"end\"";

    [Fact]
    public async Task Clients_subscribing_mid_stream_see_every_offset_after_their_subscribed_offset_once_in_order()
    {
        await using var server = await ServiceHost.StartAsync();
        await RaceAsync([server]);
    }

    /// <summary>
    /// The race, over one node or several: the publications go through the first node, the keeper is connected to
    /// it, and the subscribers to the others in turn (to the first one too when it is alone).
    /// </summary>
    internal static async Task RaceAsync(IReadOnlyList<ServiceHost> nodes)
    {
        var server = nodes[0];
        // Subscribed first in every round, so the channel (and its epoch) lives from before the first publication.
        await using var keeper = await TestClient.ConnectAsync(server.WebSocketUri);
        var clients = new List<TestClient>();
        try
        {
            for (var i = 0; i < Subscribers; i++)
                clients.Add(await TestClient.ConnectAsync(nodes[nodes.Count == 1 ? 0 : 1 + i % (nodes.Count - 1)].WebSocketUri));

            var midStream = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                var channel = $"race-{round}";
                var keeperSubscribed = await keeper.SubscribeAsync(channel, id: round);
                var epoch = keeperSubscribed.GetProperty("epoch").GetString()!;
                Assert.Equal(0, keeperSubscribed.GetProperty("offset").GetInt64());
                var readings = new List<Task<Reading>> { Task.Run(() => ReadUntilEndAsync(keeper, channel, subscribeId: null, subscribed: null, epoch)) };
                // The end marker must come after every subscribe took effect, or a subscriber placed after it would wait for it in vain.
                var subscribed = new List<TaskCompletionSource>();

                var published = new ConcurrentDictionary<long, string>();
                using var stop = new CancellationTokenSource();
                var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
                {
                    for (var n = 0; !stop.IsCancellationRequested; n++)
                    {
                        var data = $"\"r{round}-p{p}-{n}\"";
                        var (offset, publishedEpoch) = await server.PublishOkAsync(channel, data);
                        Assert.Equal(epoch, publishedEpoch);
                        Assert.True(published.TryAdd(offset, data), $"offset {offset} given twice");
                    }
                })).ToList();

                for (var c = 0; c < Subscribers; c++)
                {
                    await UntilAsync(() => published.Count >= (c + 1) * Spacing || publishers.Any(p => p.IsCompleted), $"{(c + 1) * Spacing} publications");
                    var client = clients[c];
                    var subscribeId = round * 100 + c;
                    await client.SendTextAsync($$"""{"op":"subscribe","id":{{subscribeId}},"channel":"{{channel}}"}""");
                    var placed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    subscribed.Add(placed);
                    readings.Add(Task.Run(() => ReadUntilEndAsync(client, channel, subscribeId, placed)));
                }
                await UntilAsync(() => published.Count >= (Subscribers + 1) * Spacing || publishers.Any(p => p.IsCompleted), "publications after the last subscribe");
                await stop.CancelAsync();
                await Task.WhenAll(publishers);
                await Task.WhenAll(subscribed.Select(s => s.Task)).WaitAsync(TestClient.DefaultTimeout);
                var (final, endEpoch) = await server.PublishOkAsync(channel, EndMarker);
                Assert.Equal(epoch, endEpoch);
                published[final] = EndMarker;

                foreach (var reading in await Task.WhenAll(readings))
                {
                    Assert.Equal(epoch, reading.Epoch);
                    var expected = Enumerable.Range(1, (int)(final - reading.SubscribedOffset)).Select(i => reading.SubscribedOffset + i).ToList();
                    Assert.True(expected.SequenceEqual(reading.Offsets),
                        $"round {round}: subscribed at {reading.SubscribedOffset}, final {final}, received [{string.Join(",", reading.Offsets)}]");
                    for (var i = 0; i < reading.Offsets.Count; i++)
                        Assert.Equal(published[reading.Offsets[i]], reading.Data[i]);
                    if (reading.SubscribedOffset > 0 && reading.SubscribedOffset < final - 1)
                        midStream++;
                }

                foreach (var client in clients.Append(keeper))
                {
                    var reply = await client.AskAsync($$"""{"op":"unsubscribe","id":{{round * 100 + 99}},"channel":"{{channel}}"}""");
                    Assert.Equal("unsubscribed", reply.Type());
                }
            }

            // Most subscribes must really have landed while publications were flowing.
            Assert.True(midStream >= Rounds * Subscribers / 2, $"only {midStream} of {Rounds * Subscribers} subscribes landed mid-stream");
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    private sealed record Reading(long SubscribedOffset, string Epoch, List<long> Offsets, List<string> Data);

    /// <summary>
    /// Reads one client's frames for <paramref name="channel"/>: its "subscribed" reply (unless already
    /// read: <paramref name="subscribeId"/> null, at offset 0 in <paramref name="epoch"/>), then
    /// publications until the end marker. <paramref name="subscribed"/> completes when the reply is read.
    /// </summary>
    private static async Task<Reading> ReadUntilEndAsync(TestClient client, string channel, long? subscribeId, TaskCompletionSource? subscribed, string epoch = "")
    {
        long subscribedOffset = 0;
        if (subscribeId is { } id)
        {
            try
            {
                var reply = await client.ReceiveJsonAsync();
                Assert.True(reply.Type() == "subscribed" && reply.GetProperty("id").GetInt64() == id, $"expected subscribed {id}, got {reply}");
                Assert.Equal(channel, reply.GetProperty("channel").GetString());
                subscribedOffset = reply.GetProperty("offset").GetInt64();
                epoch = reply.GetProperty("epoch").GetString()!;
                subscribed?.SetResult();
            }
            catch (Exception e)
            {
                subscribed?.TrySetException(e);
                throw;
            }
        }
        var offsets = new List<long>();
        var data = new List<string>();
        while (true)
        {
            JsonElement frame;
            try
            {
                frame = await client.ReceiveJsonAsync();
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{channel}: subscribed at {subscribedOffset} in {epoch}, then received [{string.Join(",", offsets)}] and nothing more", e);
            }
            Assert.True(frame.Type() == "pub" && frame.GetProperty("channel").GetString() == channel, $"expected a publication in {channel}, got {frame}");
            offsets.Add(frame.GetProperty("offset").GetInt64());
            var raw = frame.GetProperty("data").GetRawText();
            data.Add(raw);
            if (raw == EndMarker)
                return new Reading(subscribedOffset, epoch, offsets, data);
        }
    }

    /// <summary>A bounded wait for the publishers to get ahead (not an assertion about timing).</summary>
    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(10))
                throw new TimeoutException($"not reached within 10 s: {what}");
            await Task.Delay(1);
        }
    }
}
