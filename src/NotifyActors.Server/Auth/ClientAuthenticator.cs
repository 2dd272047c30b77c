using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NotifyActors.Configuration;
using NotifyActors.Connections;
using NotifyActors.Server.Hosting;

namespace NotifyActors.Server.Auth;

/// <summary>
/// Authenticates a client: at a native WebSocket upgrade, an HS256 JWT from "Authorization: Bearer" or ?token=
/// (browsers cannot set headers); for a Centrifugo connection, the token of its connect command. Validated by
/// Microsoft.IdentityModel. No token means an anonymous connection, allowed only where configured.
/// </summary>
public sealed class ClientAuthenticator : ITokenAuthenticator
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
    public (ClientIdentity? Identity, string? Problem) Authenticate(HttpRequest request)
    {
        var check = Check(TokenOf(request));
        return check.Problem switch
        {
            TokenProblem.None => (new ClientIdentity(check.User, check.ExpiresAt), null),
            TokenProblem.Missing => (null, "a token is required (Authorization: Bearer or ?token=)"),
            TokenProblem.Expired => (null, "token expired"),
            TokenProblem.NoSubject => (null, "token has no \"sub\" claim"),
            _ => (null, "invalid token"),
        };
    }

    public TokenCheck Check(string? token)
    {
        if (token is null)
            return _allowAnonymous ? new TokenCheck("", null, TokenProblem.None) : TokenCheck.Refused(TokenProblem.Missing);

        // With a symmetric key and no configuration to fetch, validation completes without awaiting anything.
        var result = _handler.ValidateTokenAsync(token, _parameters).GetAwaiter().GetResult();
        if (!result.IsValid)
            return TokenCheck.Refused(result.Exception is SecurityTokenExpiredException ? TokenProblem.Expired : TokenProblem.Invalid);
        var jwt = (JsonWebToken)result.SecurityToken;
        if (string.IsNullOrEmpty(jwt.Subject))
            return TokenCheck.Refused(TokenProblem.NoSubject);
        DateTimeOffset? expires = null;
        if (jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            // IdentityModel validates an exp past 9999-12-31T23:59:59 against its own clamped reading of it;
            // no date holds it, and no real token carries one.
            if (exp > MaxExpiry)
                return TokenCheck.Refused(TokenProblem.Invalid);
            expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        }
        return new TokenCheck(jwt.Subject, expires, TokenProblem.None);
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
