using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>Server API calls and connections the history, recovery and presence specs share.</summary>
public static class ChannelApi
{
    /// <summary>POST /api/publish that must answer 200; returns the offset and epoch it was given.</summary>
    public static async Task<(long Offset, string Epoch)> PublishOkAsync(this ServiceHost server, string channel, string dataJson, CancellationToken cancellationToken = default)
    {
        using var response = await server.PublishAsync(channel, dataJson, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"publish to {channel} answered {(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("offset").GetInt64(), body.RootElement.GetProperty("epoch").GetString()!);
    }

    /// <summary>GET <paramref name="pathAndQuery"/> with the API key (null: no Authorization header).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this ServiceHost server, string pathAndQuery, string? apiKey = ServiceHost.ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (apiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("apikey", apiKey);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await server.Http.SendAsync(request, timeout.Token);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token));
    }

    /// <summary>Reads publications of <paramref name="channel"/> (nothing else may come) up to and including the one whose data is <paramref name="endMarker"/>.</summary>
    public static async Task<List<(long Offset, string Data)>> ReadPublicationsUntilAsync(this TestClient client, string channel, string endMarker, TimeSpan? timeout = null)
    {
        var received = new List<(long, string)>();
        while (true)
        {
            var frame = await client.ReceiveJsonAsync(timeout);
            Assert.True(frame.Type() == "pub" && frame.GetProperty("channel").GetString() == channel, $"expected a publication in {channel}, got {frame}");
            var data = frame.GetProperty("data").GetRawText();
            received.Add((frame.GetProperty("offset").GetInt64(), data));
            if (data == endMarker)
                return received;
        }
    }

    /// <summary>The (client, user) pairs of connections, as their welcome frames name them, sorted.</summary>
    public static List<(string Client, string User)> Members(params IEnumerable<TestClient> clients) =>
        clients.Select(c => (c.Welcome.GetProperty("client").GetString()!, c.Welcome.GetProperty("user").GetString()!)).Order().ToList();

    /// <summary>The (client, user) pairs of a presence reply or answer, sorted.</summary>
    public static List<(string Client, string User)> Clients(this JsonElement presence) =>
        presence.GetProperty("clients").EnumerateArray()
            .Select(c => (c.GetProperty("client").GetString()!, c.GetProperty("user").GetString()!))
            .Order().ToList();

    /// <summary>A connection authenticated as <paramref name="user"/> with a JWT in the Authorization header.</summary>
    public static Task<TestClient> ConnectAsAsync(this ServiceHost server, string user) =>
        TestClient.ConnectAsync(server.WebSocketUri, options => options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Valid(user)));

    /// <summary>Sends <paramref name="command"/> (raw JSON) and returns the next frame that is not a ping.</summary>
    public static async Task<JsonElement> AskAsync(this TestClient client, string command)
    {
        await client.SendTextAsync(command);
        return await client.ReceiveJsonAsync();
    }

    /// <summary>The (offset, data as raw JSON) pairs of a "publications" array.</summary>
    public static List<(long Offset, string Data)> Publications(this JsonElement frame) =>
        frame.GetProperty("publications").EnumerateArray()
            .Select(p => (p.GetProperty("offset").GetInt64(), p.GetProperty("data").GetRawText()))
            .ToList();

    /// <summary>The error code of an {"error":{"code","message"}} body or an error frame.</summary>
    public static string? ErrorCode(this JsonElement body) =>
        body.TryGetProperty("error", out var error) ? error.GetProperty("code").GetString() : body.GetProperty("code").GetString();

    public static string Type(this JsonElement frame) => frame.GetProperty("type").GetString()!;
}
