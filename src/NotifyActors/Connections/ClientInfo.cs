namespace NotifyActors.Connections;

/// <summary>Who is on the other end of a socket, established at the upgrade.</summary>
/// <param name="ClientId">Unique per connection; names the subscriber actor (c-ID).</param>
/// <param name="User">The JWT subject, or "" for an anonymous connection.</param>
/// <param name="ExpiresAt">When the token expires (the connection is then closed with 4005); null: never.</param>
public sealed record ClientInfo(string ClientId, string User, string RemoteAddress, DateTimeOffset? ExpiresAt)
{
    public bool IsAnonymous => User.Length == 0;

    public static string NewClientId() => Guid.NewGuid().ToString("N");
}
