using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace NotifyActors.Server.Tests;

/// <summary>
/// PROTOCOL.md makes a JWT secret of at least 32 bytes a production rule: in development a short
/// secret must work. Tokens are signed here by hand (HMAC-SHA256), as a client library would,
/// because Microsoft.IdentityModel refuses to sign with a key under 256 bits.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ShortSecretSpecs
{
    private const string ShortSecret = "dev-secret";

    [Fact]
    public async Task A_short_secret_in_development_accepts_tokens_signed_with_it()
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_JWT_SECRET"] = ShortSecret });

        await using var client = await TestClient.ConnectAsync(server.WebSocketUri,
            options => options.SetRequestHeader("Authorization", "Bearer " + Sign(ShortSecret, "dave", DateTimeOffset.UtcNow.AddHours(1))));

        Assert.Equal("dave", client.Welcome.GetProperty("user").GetString());
    }

    [Theory]
    [InlineData("other-secret", 60)]
    [InlineData(ShortSecret, -60)]
    public async Task A_short_secret_still_rejects_a_forged_or_expired_token(string signingSecret, int expiresInMinutes)
    {
        await using var server = await ServiceHost.StartAsync(environment: new Dictionary<string, string?> { ["NOTIFY_JWT_SECRET"] = ShortSecret });
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Sign(signingSecret, "dave", DateTimeOffset.UtcNow.AddMinutes(expiresInMinutes)));
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.WebSocketUri, timeout.Token));

        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    private static string Sign(string secret, string subject, DateTimeOffset expires)
    {
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}""");
        var payload = Base64Url($$"""{"sub":"{{subject}}","exp":{{expires.ToUnixTimeSeconds()}}}""");
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(string text) => Base64Url(Encoding.UTF8.GetBytes(text));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
