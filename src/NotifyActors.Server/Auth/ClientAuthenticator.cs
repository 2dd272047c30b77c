using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NotifyActors.Configuration;
using NotifyActors.Server.Hosting;

namespace NotifyActors.Server.Auth;

/// <summary>
/// Authenticates a WebSocket upgrade: an HS256 JWT from "Authorization: Bearer" or ?token=
/// (browsers cannot set headers), validated by Microsoft.IdentityModel. No token means an
/// anonymous connection, allowed only where configured.
/// </summary>
public sealed class ClientAuthenticator
{
    private static readonly long MaxExpiry = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly bool _allowAnonymous;

    public ClientAuthenticator(NotifySettings settings)
    {
        _allowAnonymous = settings.AllowAnonymous;
        var secret = Encoding.UTF8.GetBytes(settings.JwtSecret);
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(secret),
            // Production refuses short secrets at start; development accepts them (ServiceSecrets).
            CryptoProviderFactory = secret.Length < ServiceSecrets.MinJwtSecretBytes ? new ShortSecretVerification() : null,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = true,
            RequireExpirationTime = false,
            ClockSkew = TimeSpan.Zero,
        };
    }

    /// <summary>The authenticated client, or null with the reason to answer 401 with.</summary>
    public async Task<(ClientIdentity? Identity, string? Problem)> AuthenticateAsync(HttpRequest request)
    {
        var token = TokenOf(request);
        if (token is null)
            return _allowAnonymous ? (new ClientIdentity("", null), null) : (null, "a token is required (Authorization: Bearer or ?token=)");

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
            return (null, result.Exception is SecurityTokenExpiredException ? "token expired" : "invalid token");
        var jwt = (JsonWebToken)result.SecurityToken;
        if (string.IsNullOrEmpty(jwt.Subject))
            return (null, "token has no \"sub\" claim");
        DateTimeOffset? expires = null;
        if (jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            // IdentityModel validates an exp past 9999-12-31T23:59:59 against its own clamped reading of it;
            // no date holds it, and no real token carries one.
            if (exp > MaxExpiry)
                return (null, "invalid token");
            expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        }
        return (new ClientIdentity(jwt.Subject, expires), null);
    }

    private static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return header["Bearer ".Length..].Trim();
        var query = request.Query["token"].ToString();
        return query.Length > 0 ? query : null;
    }
}

/// <summary>Who a connection belongs to: the JWT subject ("" when anonymous) and when its token expires.</summary>
public sealed record ClientIdentity(string User, DateTimeOffset? ExpiresAt);
