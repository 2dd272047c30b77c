using System.Net;
using System.Text.Json;

namespace NotifyActors.Server.Tests;

/// <summary>
/// A WebSocket upgrade request sent as plain HTTP, to read what a refused upgrade answers (status and
/// JSON body), which ClientWebSocket does not expose. A refused upgrade is an ordinary response.
/// </summary>
public static class UpgradeRequest
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(ServiceHost server, string? origin = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "ws");
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        if (origin is not null)
            request.Headers.TryAddWithoutValidation("Origin", origin);
        if (bearer is not null)
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        using var response = await server.Http.SendAsync(request, timeout.Token);
        Assert.NotEqual(HttpStatusCode.SwitchingProtocols, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Asserts the {"error":{"code","message"}} body with the given code and a message.</summary>
    public static void AssertError(JsonElement body, string code)
    {
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"error without a message: {body}");
    }
}
