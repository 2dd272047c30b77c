using System.Security.Cryptography;
using System.Text;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Api;

/// <summary>
/// Checks "Authorization: apikey KEY" against the configured keys. Keys are compared as SHA-256
/// digests with a fixed-time comparison, so neither the time taken nor the key lengths leak.
/// </summary>
public sealed class ApiKeyAuthorizer(NotifySettings settings)
{
    private const string Scheme = "apikey ";
    private readonly byte[][] _digests = settings.ApiKeys.Select(Digest).ToArray();

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        var presented = Digest(header[Scheme.Length..].Trim());
        var match = false;
        foreach (var digest in _digests)
            match |= CryptographicOperations.FixedTimeEquals(digest, presented);
        return match;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
