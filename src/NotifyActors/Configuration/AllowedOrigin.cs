namespace NotifyActors.Configuration;

/// <summary>
/// One entry of notify.security.allowed-origins: an origin as a browser sends it in the Origin header
/// (<c>https://app.example.com</c>, <c>http://localhost:3000</c>), or <c>https://*.example.com</c> for
/// every subdomain of example.com (not example.com itself). Scheme and host compare case-insensitively;
/// a missing port is the scheme's default, so <c>https://a.com</c> and <c>https://a.com:443</c> are the same.
/// </summary>
public sealed record AllowedOrigin(string Scheme, string Host, int Port, bool AnySubdomain)
{
    private const string Wildcard = "*.";

    /// <summary>The entry, or null when <paramref name="text"/> is not an http(s) origin (a path, query or user info makes it none).</summary>
    public static AllowedOrigin? Parse(string text)
    {
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        var anySubdomain = schemeEnd > 0 && text.AsSpan(schemeEnd + 3).StartsWith(Wildcard, StringComparison.Ordinal);
        var origin = anySubdomain ? text.Remove(schemeEnd + 3, Wildcard.Length) : text;
        if (ParseOrigin(origin) is not { } parsed)
            return null;
        return parsed with { AnySubdomain = anySubdomain };
    }

    /// <summary>Whether a browser's Origin header value names an origin this entry allows.</summary>
    public bool Matches(string origin)
    {
        if (ParseOrigin(origin) is not { } other || other.Scheme != Scheme || other.Port != Port)
            return false;
        return AnySubdomain
            ? other.Host.EndsWith("." + Host, StringComparison.Ordinal)
            : other.Host == Host;
    }

    public override string ToString() => $"{Scheme}://{(AnySubdomain ? Wildcard : "")}{Host}:{Port}";

    private static AllowedOrigin? ParseOrigin(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0
            || uri.Query.Length > 0
            || uri.Fragment.Length > 0
            || uri.AbsolutePath != "/"
            || uri.Host.Length == 0)
            return null;
        return new AllowedOrigin(uri.Scheme, uri.IdnHost.ToLowerInvariant(), uri.Port, false);
    }
}
