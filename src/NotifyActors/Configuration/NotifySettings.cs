using Akka.Configuration;

namespace NotifyActors.Configuration;

/// <summary>
/// Everything the service reads from the <c>notify { }</c> section, read and validated once at start.
/// Secrets (JWT secret, API keys, admin token) are resolved by the host, which knows the profile's
/// rules for generating them; here they are only the configured values.
/// </summary>
public sealed record NotifySettings(
    ServiceProfile Profile,
    IReadOnlyList<string> Urls,
    HeartbeatSettings Heartbeat,
    OutboundSettings Outbound,
    LimitsSettings Limits,
    WatchdogSettings Watchdog,
    int MaxRecoveredPublications,
    TimeSpan Drain,
    bool AllowAnonymous,
    string JwtSecret,
    IReadOnlyList<string> ApiKeys,
    string AdminToken,
    IReadOnlyDictionary<string, NamespaceSettings> Namespaces,
    SecuritySettings Security,
    AdminSettings Admin,
    TcpSettings Tcp,
    ChannelSettings Channels,
    PersistenceSettings Persistence,
    ClusterSettings Cluster,
    CentrifugoSettings Centrifugo)
{
    public static NotifySettings Create(Config config)
    {
        var notify = new ConfigReader(config, "notify");
        var profile = ParseProfile(notify);
        var namespaces = ReadNamespaces(config, notify.Section("namespaces"));
        var persistence = PersistenceSettings.Create(notify.Section("persistence"));
        var cluster = ClusterSettings.Create(notify.Section("cluster"));
        // Each node would keep its own file, and a channel's owner moving between nodes would find another history.
        if (persistence.Store == PersistenceStore.Sqlite && cluster.Seeds.Count > 0)
            throw new SettingsException(notify.Section("persistence").Path("store"), "sqlite is for a single node; a cluster (notify.cluster.seeds) shares one store: set postgres (NOTIFY_PERSISTENCE=postgres)");
        return new NotifySettings(
            profile,
            SplitList(notify.String("urls")),
            HeartbeatSettings.Create(notify.Section("heartbeat")),
            OutboundSettings.Create(notify.Section("outbound")),
            LimitsSettings.Create(notify.Section("limits")),
            WatchdogSettings.Create(notify.Section("watchdog")),
            notify.Section("recovery").PositiveInt("max-publications"),
            notify.Section("shutdown").PositiveDuration("drain"),
            ParseAllowAnonymous(notify.Section("auth"), profile),
            notify.Section("auth").String("jwt-secret"),
            SplitList(notify.Section("api").String("keys")),
            notify.Section("admin").String("token"),
            namespaces,
            SecuritySettings.Create(notify.Section("security")),
            AdminSettings.Create(notify.Section("admin")),
            TcpSettings.Create(notify.Section("tcp")),
            ChannelSettings.Create(notify.Section("channels")),
            persistence,
            cluster,
            CentrifugoSettings.Create(notify.Section("centrifugo")));
    }

    /// <summary>
    /// What one history or subscribed reply carries at most: half the outbound queue's bytes, so that
    /// it fits beside what the queue already holds.
    /// </summary>
    public long MaxReplyBytes => Outbound.MaxBytes / 2;

    /// <summary>The namespace a channel belongs to, or null when it names one that is not configured.</summary>
    public NamespaceSettings? NamespaceOf(string channel)
    {
        var colon = channel.IndexOf(':');
        var name = colon < 0 ? NamespaceSettings.DefaultName : channel[..colon];
        return Namespaces.GetValueOrDefault(name);
    }

    private static ServiceProfile ParseProfile(ConfigReader notify) =>
        notify.String("profile").Trim().ToLowerInvariant() switch
        {
            "development" => ServiceProfile.Development,
            "production" => ServiceProfile.Production,
            var other => throw new SettingsException(notify.Path("profile"), $"expected development or production (got '{other}')"),
        };

    private static bool ParseAllowAnonymous(ConfigReader auth, ServiceProfile profile) =>
        auth.String("allow-anonymous").Trim().ToLowerInvariant() switch
        {
            "auto" or "" => profile == ServiceProfile.Development,
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            var other => throw new SettingsException(auth.Path("allow-anonymous"), $"expected true, false or auto (got '{other}')"),
        };

    private static IReadOnlyDictionary<string, NamespaceSettings> ReadNamespaces(Config config, ConfigReader section)
    {
        var value = config.GetValue(section.Prefix);
        var names = value?.GetObject()?.Items.Keys.ToList() ?? [];
        if (!names.Contains(NamespaceSettings.DefaultName))
            throw new SettingsException(section.Path(NamespaceSettings.DefaultName), "is missing: every configuration needs a default namespace");
        var defaults = config.GetConfig(section.Path(NamespaceSettings.DefaultName));
        return names.ToDictionary(
            name => name,
            name => NamespaceSettings.Create(name, section.Section(name).Over(config.GetConfig(section.Section(name).Prefix).WithFallback(defaults))),
            StringComparer.Ordinal);
    }

    private static string[] SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
