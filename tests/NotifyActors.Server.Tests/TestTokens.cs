using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NotifyActors.Server.Tests;

/// <summary>Client JWTs as an application backend would mint them (HS256 with the service's secret).</summary>
public static class TestTokens
{
    public static string Create(
        string? subject,
        DateTimeOffset? expires,
        string secret = ServiceHost.JwtSecret,
        string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var claims = new Dictionary<string, object>();
        if (subject is not null)
            claims["sub"] = subject;
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = expires?.UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm),
        };
        // Only the times given: an expired token must not get a "not before" of now.
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A token whose "exp" claim is the given NumericDate as it stands, in range of a date or not.</summary>
    public static string WithRawExpiry(string subject, long exp)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["exp"] = exp },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(ServiceHost.JwtSecret)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A token for <paramref name="subject"/> valid for the next hour.</summary>
    public static string Valid(string subject) => Create(subject, DateTimeOffset.UtcNow.AddHours(1));
}
