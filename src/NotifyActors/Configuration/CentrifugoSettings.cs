namespace NotifyActors.Configuration;

/// <summary>notify.centrifugo: what is particular to connections that speak Centrifugo's client protocol.</summary>
/// <param name="ExpiryGrace">
/// How long past its token's expiry a Centrifugo connection stays open, waiting for the refresh its SDK sends when
/// the connect reply's ttl runs out (after fetching a new token from the application's back end, which takes time);
/// without one it is closed with 3005. Native connections are closed at the expiry itself (4005).
/// </param>
/// <param name="ConnectTimeout">
/// How long a Centrifugo connection may stay open before its connect command is answered (it is accepted before its
/// client has said who it is, and holds a connection slot meanwhile); then it is closed with 3502 "stale".
/// </param>
public sealed record CentrifugoSettings(TimeSpan ExpiryGrace, TimeSpan ConnectTimeout)
{
    internal static CentrifugoSettings Create(ConfigReader section) =>
        new(section.NonNegativeDuration("expiry-grace"), section.PositiveDuration("connect-timeout"));
}
