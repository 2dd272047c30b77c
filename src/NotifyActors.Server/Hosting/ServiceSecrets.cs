using System.Security.Cryptography;
using System.Text;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Hosting;

/// <summary>
/// The profile's rules for secrets. Development: a missing API key, JWT secret or admin token is
/// generated, so the service runs with no setup, and reported so the developer can use it.
/// Production: each must be configured, and long enough to resist guessing.
/// </summary>
public static class ServiceSecrets
{
    public const int MinJwtSecretBytes = 32;
    public const int MinApiKeyLength = 16;

    /// <summary>Settings with every secret present; <paramref name="generated"/> lists what was made up, for printing.</summary>
    public static NotifySettings Resolve(NotifySettings settings, out IReadOnlyList<string> generated)
    {
        var made = new List<string>();
        var production = settings.Profile == ServiceProfile.Production;

        var apiKeys = settings.ApiKeys;
        if (apiKeys.Count == 0)
        {
            Require(production, "NOTIFY_API_KEYS (notify.api.keys)", "at least one API key is required in the production profile");
            apiKeys = [Generate()];
            made.Add($"server API key: {apiKeys[0]}");
        }
        foreach (var key in apiKeys.Where(key => key.Length < MinApiKeyLength))
            Require(production, "NOTIFY_API_KEYS (notify.api.keys)", $"every API key must be at least {MinApiKeyLength} characters (one has {key.Length})");

        var jwtSecret = settings.JwtSecret;
        if (jwtSecret.Length == 0)
        {
            Require(production, "NOTIFY_JWT_SECRET (notify.auth.jwt-secret)", "a JWT secret is required in the production profile");
            jwtSecret = Generate();
            made.Add($"JWT secret (HS256): {jwtSecret}");
        }
        if (Encoding.UTF8.GetByteCount(jwtSecret) < MinJwtSecretBytes)
            Require(production, "NOTIFY_JWT_SECRET (notify.auth.jwt-secret)", $"must be at least {MinJwtSecretBytes} bytes in the production profile");

        var adminToken = settings.AdminToken;
        if (adminToken.Length == 0)
        {
            Require(production, "NOTIFY_ADMIN_TOKEN (notify.admin.token)", "an admin token is required in the production profile");
            adminToken = Generate();
            made.Add($"admin token: {adminToken}");
        }

        generated = made;
        return settings with { ApiKeys = apiKeys, JwtSecret = jwtSecret, AdminToken = adminToken };
    }

    private static void Require(bool production, string key, string problem)
    {
        if (production)
            throw new SettingsException(key, problem);
    }

    private static string Generate() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
