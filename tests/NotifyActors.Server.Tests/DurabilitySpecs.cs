using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A publication answered 200 survives a crash (PROTOCOL.md section 6), on each real store: the service
/// runs as its own process, 8 publishers publish to one channel with history, the process is killed
/// with SIGKILL mid-stream and started again on the same store. Every answered publication is then in
/// history at its offset under the old epoch, and a client that stopped reading before the crash
/// recovers exactly what it missed, then live publications with no gap.
/// PostgreSQL is the server test.sh starts (NOTIFY_TEST_POSTGRES names its throwaway database).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DurabilitySpecs
{
    private const int Publishers = 8;
    private const int PerPublisher = 250;
    private const string Channel = "durable:orders";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public Task A_crash_loses_no_answered_publication_on_sqlite() =>
        CrashAndRecoverAsync("sqlite", $"Data Source={Path.Combine(Path.GetTempPath(), $"notify-{Guid.NewGuid():N}", "notify.db")}");

    [Fact]
    public Task A_crash_loses_no_answered_publication_on_postgres() =>
        CrashAndRecoverAsync("postgres", PostgresDatabase.ConnectionString);

    private static async Task CrashAndRecoverAsync(string store, string connection)
    {
        var config = Path.Combine(Path.GetTempPath(), $"notify-durable-{Guid.NewGuid():N}.hocon");
        await File.WriteAllTextAsync(config, """
            notify.namespaces.durable { history-size = 5000, history-ttl = 1h, allow-anonymous = on }
            notify.recovery.max-publications = 5000
            """);
        var port = ServiceProcess.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["NOTIFY_URLS"] = $"http://127.0.0.1:{port}",
            ["NOTIFY_ADMIN_URLS"] = "http://127.0.0.1:0",
            ["NOTIFY_API_KEYS"] = ServiceHost.ApiKey,
            ["NOTIFY_CONFIG"] = config,
            ["NOTIFY_PERSISTENCE"] = store,
            ["NOTIFY_PERSISTENCE_CONNECTION"] = connection,
        };
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("apikey", ServiceHost.ApiKey);
        var channel = $"{Channel}-{Guid.NewGuid():N}";
        var answered = new ConcurrentDictionary<long, string>();
        string epoch;
        long lastRead;

        await using (var first = ServiceProcess.Start(environment))
        {
            await first.Listening.WaitAsync(StartLimit);
            await using var reader = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"));
            epoch = (await reader.SubscribeAsync(channel, id: 1)).GetProperty("epoch").GetString()!;

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var publishing = Enumerable.Range(0, Publishers).Select(p => PublishAsync(api, channel, p, answered, stop.Token)).ToList();
            // The reader takes the first 300 publications and stops reading; the rest it must recover.
            lastRead = await ReadUntilAsync(reader, offset: 300);
            await Eventually.HoldsAsync(() => answered.Count >= Publishers * PerPublisher / 2, TimeSpan.FromSeconds(60),
                () => $"{answered.Count} publications answered");
            first.Process.Kill(); // SIGKILL, mid-stream
            await first.ExitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(publishing);
        }
        Assert.InRange(answered.Count, Publishers * PerPublisher / 2, Publishers * PerPublisher - 1);

        await using var second = ServiceProcess.Start(environment);
        await second.Listening.WaitAsync(StartLimit);

        // Every answered publication is in history at its offset, the offsets gap-free, the epoch the same.
        var history = await HistoryAsync(api, channel);
        Assert.Equal(epoch, history.GetProperty("epoch").GetString());
        var kept = history.GetProperty("publications").EnumerateArray()
            .Select(p => (Offset: p.GetProperty("offset").GetInt64(), Data: p.GetProperty("data").GetRawText())).ToList();
        var last = history.GetProperty("offset").GetInt64();
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), kept.Select(p => p.Offset));
        foreach (var (offset, data) in answered)
            Assert.Equal(data, kept[(int)offset - 1].Data);

        // The reader comes back from where it stopped: exactly what it missed, then live ones.
        await using var back = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"));
        await back.SendJsonAsync(new { op = "subscribe", id = 2, channel, recover = new { offset = lastRead, epoch } });
        var subscribed = await back.ReceiveJsonAsync();
        Assert.Equal("subscribed", subscribed.GetProperty("type").GetString());
        Assert.True(subscribed.GetProperty("recovered").GetBoolean(), subscribed.ToString());
        Assert.Equal(last, subscribed.GetProperty("offset").GetInt64());
        Assert.Equal(Enumerable.Range((int)lastRead + 1, (int)(last - lastRead)).Select(i => (long)i),
            subscribed.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));
        for (var i = 1; i <= 3; i++)
        {
            using var response = await api.PostAsync("api/publish", Json(new { channel, data = new { live = i } }));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var ack = await response.JsonAsync();
            var pub = await back.ReceiveJsonAsync();
            Assert.Equal((last + i, epoch), (ack.GetProperty("offset").GetInt64(), ack.GetProperty("epoch").GetString()));
            Assert.Equal(("pub", last + i), (pub.GetProperty("type").GetString(), pub.GetProperty("offset").GetInt64()));
        }
    }

    /// <summary>One publisher's 250 publications, one at a time; records each answered one by offset. Stops at the first failure (the crash).</summary>
    private static async Task PublishAsync(HttpClient api, string channel, int publisher, ConcurrentDictionary<long, string> answered, CancellationToken stop)
    {
        for (var n = 0; n < PerPublisher && !stop.IsCancellationRequested; n++)
        {
            var data = $$"""{"p":{{publisher}},"n":{{n}}}""";
            try
            {
                using var response = await api.PostAsync("api/publish", new StringContent($$"""{"channel":"{{channel}}","data":{{data}}}""", Encoding.UTF8, "application/json"), stop);
                if (!response.IsSuccessStatusCode)
                    return;
                var ack = await response.JsonAsync();
                answered[ack.GetProperty("offset").GetInt64()] = data;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return;
            }
        }
    }

    private static async Task<long> ReadUntilAsync(TestClient reader, long offset)
    {
        long last = 0;
        while (last < offset)
        {
            var pub = await reader.ReceiveJsonAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("pub", pub.GetProperty("type").GetString());
            Assert.Equal(last + 1, pub.GetProperty("offset").GetInt64());
            last++;
        }
        return last;
    }

    private static async Task<JsonElement> HistoryAsync(HttpClient api, string channel)
    {
        using var response = await api.GetAsync($"api/history?channel={channel}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
