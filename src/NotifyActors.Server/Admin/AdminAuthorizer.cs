using System.Security.Cryptography;
using System.Text;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Admin;

/// <summary>
/// Checks "Authorization: Bearer TOKEN" against the admin token. Compared as SHA-256 digests with a
/// fixed-time comparison, so neither the time taken nor the token's length leaks.
/// </summary>
public sealed class AdminAuthorizer(NotifySettings settings)
{
    private const string Scheme = "Bearer ";
    private readonly byte[] _digest = Digest(settings.AdminToken);

    public bool IsAuthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return false;
        return CryptographicOperations.FixedTimeEquals(_digest, Digest(header[Scheme.Length..].Trim()));
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
