using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using NotifyActors.Configuration;

namespace NotifyActors.Server.Hosting;

/// <summary>
/// Builds the one configuration the service runs with: the NOTIFY_* environment variables over
/// the HOCON file named by NOTIFY_CONFIG over the shipped defaults (hocon/notify.hocon).
/// Every bad value stops start-up with a <see cref="SettingsException"/> naming the variable or key.
/// </summary>
public static class ServiceConfiguration
{
    /// <summary>Environment variables that set a string setting as they are.</summary>
    private static readonly (string Variable, string Key)[] StringVariables =
    [
        ("NOTIFY_PROFILE", "notify.profile"),
        ("NOTIFY_URLS", "notify.urls"),
        ("NOTIFY_API_KEYS", "notify.api.keys"),
        ("NOTIFY_JWT_SECRET", "notify.auth.jwt-secret"),
        ("NOTIFY_ADMIN_TOKEN", "notify.admin.token"),
        ("NOTIFY_ADMIN_URLS", "notify.admin.urls"),
        ("NOTIFY_ALLOWED_ORIGINS", "notify.security.allowed-origins"),
        ("NOTIFY_PERSISTENCE", "notify.persistence.store"),
        ("NOTIFY_PERSISTENCE_CONNECTION", "notify.persistence.connection"),
        ("NOTIFY_CLUSTER_HOST", "notify.cluster.host"),
        ("NOTIFY_CLUSTER_SEEDS", "notify.cluster.seeds"),
    ];

    /// <summary>Environment variables that give a duration in seconds.</summary>
    private static readonly (string Variable, string Key)[] SecondsVariables =
    [
        ("NOTIFY_HEARTBEAT_INTERVAL", "notify.heartbeat.interval"),
        ("NOTIFY_HEARTBEAT_TIMEOUT", "notify.heartbeat.timeout"),
    ];

    public static Config Load(IReadOnlyDictionary<string, string?> environment)
    {
        var config = NotifyConfig.Defaults;
        if (Get(environment, "NOTIFY_CONFIG") is { } path)
            config = LoadFile(path).WithFallback(config);
        return Overrides(environment).WithFallback(config);
    }

    private static Config LoadFile(string path)
    {
        if (!File.Exists(path))
            throw new SettingsException("NOTIFY_CONFIG", $"file '{path}' does not exist");
        try
        {
            return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException("NOTIFY_CONFIG", $"file '{path}' is not valid HOCON: {e.Message}");
        }
    }

    private static Config Overrides(IReadOnlyDictionary<string, string?> environment)
    {
        var lines = new List<string>();
        foreach (var (variable, key) in StringVariables)
        {
            if (Get(environment, variable) is { } value)
                lines.Add($"{key} = {Quote(value)}");
        }
        foreach (var (variable, key) in SecondsVariables)
        {
            if (Get(environment, variable) is { } value)
                lines.Add($"{key} = {Seconds(variable, value)}");
        }
        if (Get(environment, "NOTIFY_CLUSTER_PORT") is { } port)
            lines.Add($"notify.cluster.port = {Port("NOTIFY_CLUSTER_PORT", port)}");
        if (Get(environment, "NOTIFY_ALLOW_ANONYMOUS") is { } anonymous)
            lines.Add($"notify.auth.allow-anonymous = {Boolean("NOTIFY_ALLOW_ANONYMOUS", anonymous)}");
        return ConfigurationFactory.ParseString(string.Join('\n', lines));
    }

    private static string Seconds(string variable, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || double.IsInfinity(seconds))
            throw new SettingsException(variable, $"expected a positive number of seconds (got '{value}')");
        return $"{(long)Math.Round(seconds * 1000)}ms";
    }

    private static int Port(string variable, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new SettingsException(variable, $"expected a TCP port, 0-65535 (got '{value}')");

    private static string Boolean(string variable, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "on" or "yes" or "1" => "on",
        "false" or "off" or "no" or "0" => "off",
        _ => throw new SettingsException(variable, $"expected true or false (got '{value}')"),
    };

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // A HOCON quoted string is a JSON string.
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
