namespace NotifyActors.Connections;

/// <summary>
/// Checks a connection token where the connection presents it in band (a Centrifugo connect or refresh command); the
/// host implements it with the same JWT rules as the upgrade's. Synchronous: an HS256 signature needs no I/O, and the
/// connection's actor must answer the connect before it runs the next command of the same frame.
/// </summary>
public interface ITokenAuthenticator
{
    /// <summary>Who the token names; <paramref name="token"/> null: an anonymous connection, where allowed.</summary>
    TokenCheck Check(string? token);
}

/// <summary>The user ("" anonymous) and expiry of a good token, or what is wrong with it.</summary>
public sealed record TokenCheck(string User, DateTimeOffset? ExpiresAt, TokenProblem Problem)
{
    public static TokenCheck Refused(TokenProblem problem) => new("", null, problem);
}

public enum TokenProblem
{
    None,
    /// <summary>No token, and anonymous connections are not allowed.</summary>
    Missing,
    Invalid,
    /// <summary>A valid token without a "sub" claim: no user to connect as.</summary>
    NoSubject,
    Expired,
}
