using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>Server API calls beyond publish, and the checks every API error answer must pass.</summary>
public static class ServerApi
{
    private static readonly HashSet<string?> DocumentedCodes =
        ["bad_request", "unknown_op", "permission_denied", "invalid_channel", "limit_exceeded", "not_available", "internal"];

    /// <summary>GET with the configured API key (<paramref name="apiKey"/> null: no Authorization header).</summary>
    public static Task<HttpResponseMessage> GetAsync(this ServiceHost server, string pathAndQuery, string? apiKey = ServiceHost.ApiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (apiKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("apikey", apiKey);
        return server.Http.SendAsync(request);
    }

    /// <summary>POST /api/broadcast with the configured API key.</summary>
    public static Task<HttpResponseMessage> BroadcastAsync(this ServiceHost server, IEnumerable<string> channels, string dataJson) =>
        server.PostJsonAsync("api/broadcast", $"{{\"channels\":{JsonSerializer.Serialize(channels)},\"data\":{dataJson}}}", ServiceHost.ApiKey);

    /// <summary>POST /api/disconnect with the configured API key; answers the "disconnected" count (and checks the 200).</summary>
    public static async Task<int> DisconnectAsync(this ServiceHost server, string body)
    {
        using var response = await server.PostJsonAsync("api/disconnect", body, ServiceHost.ApiKey);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"disconnect answered {(int)response.StatusCode}: {json}");
        return json.GetProperty("disconnected").GetInt32();
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>{"error":{"code","message"}} with a documented code (the given one, when not null) and a message.</summary>
    public static async Task AssertErrorAsync(HttpResponseMessage response, string? code)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        var actual = error.GetProperty("code").GetString();
        Assert.True(DocumentedCodes.Contains(actual), $"error code is not one PROTOCOL.md names: {text}");
        if (code is not null)
            Assert.Equal(code, actual);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"error without a message: {text}");
    }
}
