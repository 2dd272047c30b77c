namespace NotifyActors.Configuration;

/// <summary>
/// notify.security: which browser pages may open WebSockets. An empty allowed-origins list (the
/// default) or one containing "*" allows every origin; otherwise an upgrade whose Origin header names
/// another origin is refused. Requests without an Origin header (non-browser clients) are always allowed:
/// the check protects users' browsers from other sites, it does not authenticate anyone.
/// </summary>
public sealed record SecuritySettings(IReadOnlyList<AllowedOrigin> AllowedOrigins, bool AnyOrigin)
{
    /// <summary>Whether an upgrade with this Origin header value (null or empty: none was sent) may proceed.</summary>
    public bool AllowsOrigin(string? origin)
    {
        if (AnyOrigin || string.IsNullOrEmpty(origin))
            return true;
        foreach (var allowed in AllowedOrigins)
        {
            if (allowed.Matches(origin))
                return true;
        }
        return false;
    }

    internal static SecuritySettings Create(ConfigReader section)
    {
        var entries = section.StringList("allowed-origins");
        if (entries.Count == 0 || entries.Contains("*"))
            return new SecuritySettings([], AnyOrigin: true);
        var origins = new List<AllowedOrigin>();
        foreach (var entry in entries)
        {
            origins.Add(AllowedOrigin.Parse(entry) ?? throw new SettingsException(section.Path("allowed-origins"),
                $"'{entry}' is not an origin; expected scheme://host[:port] such as https://app.example.com or https://*.example.com, with no path"));
        }
        return new SecuritySettings(origins, AnyOrigin: false);
    }
}
