using System.Security.Cryptography;
using System.Text;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Auth;

/// <summary>
/// Checks "Authorization: SCHEME SECRET" against the configured secrets. Compared as SHA-256 digests with a
/// fixed-time comparison, so neither the time taken nor the secrets' lengths leak.
/// </summary>
public abstract class SecretAuthorizer(string scheme, IEnumerable<string> secrets)
{
    private readonly string _prefix = scheme + " ";
    private readonly byte[][] _digests = secrets.Select(Digest).ToArray();

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var presented = Digest(header[_prefix.Length..].Trim());
        var match = false;
        foreach (var digest in _digests)
            match |= CryptographicOperations.FixedTimeEquals(digest, presented);
        return match;
    }

    private static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

/// <summary>The server API's: "Authorization: apikey KEY", any of notify.api.keys.</summary>
public sealed class ApiKeyAuthorizer(NotifySettings settings) : SecretAuthorizer("apikey", settings.ApiKeys);

/// <summary>The admin API's: "Authorization: Bearer TOKEN", notify.admin.token.</summary>
public sealed class AdminAuthorizer(NotifySettings settings) : SecretAuthorizer("Bearer", [settings.AdminToken]);
